#!/bin/sh
# README command 1 (after the build): the demo study end to end, on 2 MPI ranks by default.
#   scripts/run_demo.sh [extra PETSc options]        NP=4 scripts/run_demo.sh        scripts/run_demo.sh -h
# The pipeline generates the LAMMPS ensemble itself (rank 0 runs scripts/make_ensemble.py, which
# runs serial `lmp` processes outside MPI), then computes features and targets, fits, evaluates
# and writes demo/ka2d/report/report.md. Rerunning resumes: finished stages are skipped.
set -e
for arg in "$@"; do
  case "$arg" in
  -h | -help | --help)
    cat <<EOF
Usage: scripts/run_demo.sh [extra options]      NP=4 scripts/run_demo.sh [extra options]
The demo study (README command 1, docs/demo.md): vitrum pipeline -options_file runs/ka2d.opts on
NP MPI ranks (default 2), run from the source tree; it generates 100 LAMMPS samples and writes
demo/ka2d/report/report.md. Rerunning resumes: finished stages are skipped.
extra options: options of vitrum pipeline, read after runs/ka2d.opts (build/vitrum pipeline -help
lists them). Environment: NP (ranks), VITRUM (the executable, default build/vitrum).
EOF
    exit 0
    ;;
  esac
done
cd "$(dirname "$0")/.."
NP=${NP:-2}
VITRUM=${VITRUM:-build/vitrum}
ROOT=""
[ "$(id -u)" = 0 ] && ROOT="--allow-run-as-root"
exec mpirun $ROOT --oversubscribe -n "$NP" "$VITRUM" pipeline -options_file runs/ka2d.opts "$@"
