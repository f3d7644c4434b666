#!/bin/bash
# The whole scaling study of vitrum on a 3D Kob-Andersen glass: makes the sample with LAMMPS, runs
# strong series (RDF; Hessian + lowest modes + KPM VDOS) and a weak series, collects CSVs and plots,
# and fits the performance model (model.py) to the 1-rank runs and extrapolates it to 10^4 ranks and
# 10^9 atoms.
#
#   jobscripts/scaling/study.sh OUTDIR NMAX            (locally, or inside a SLURM/PBS job)
#
# Environment: CELLS (sample = CELLS^3 atoms; default 100, 10^6 atoms), WEAK_CELLS (atoms per rank
# of the weak series = WEAK_CELLS^3; default 40), MOMENTS (KPM moments, default 1000; the boson
# peak's search does not add more), VECTORS (KPM random vectors, default 10), NEV (lowest modes,
# the stage "Modes"; default 20, 0: none), RDF_RMAX (the RDF's range, default 5; taken down to
# half the box's shortest width when the box is smaller than 2 RDF_RMAX, i.e. CELLS < 11 at 5,
# with a note; the model then extrapolates the RDF of that range), MODEL_PARAMS (a JSON file of
# network/node parameters for model.py; defaults in model.py), plus what series.sh reads
# (VITRUM, LAUNCH, LMP). The spectrum series run with -vdos_exact_max_dof 0 -spectrum_inertia 0:
# the timed stage "Spectrum" is then the KPM that model.py models, also on small samples (there
# dN <= 4096 would add every eigenvalue by dense LAPACK, and a small factor the MUMPS inertia
# count; both are skipped by default at 10^6 atoms). OUTDIR may contain spaces. A failed LAMMPS
# run prints the end of its log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { sed -n '2,20p' "$0"; exit 2; }
out=$1; nmax=$2
CELLS=${CELLS:-100}; WEAK_CELLS=${WEAK_CELLS:-40}; MOMENTS=${MOMENTS:-1000}; VECTORS=${VECTORS:-10}; NEV=${NEV:-20}
RDF_RMAX=${RDF_RMAX:-5}
LMP=${LMP:-lmp}
if [ -z "${VITRUM:-}" ]; then
  if [ -x "$here/../../build/vitrum" ]; then VITRUM=$here/../../build/vitrum; else VITRUM=vitrum; fi
fi
export VITRUM
mkdir -p "$out"
# A path as the value of a LAMMPS variable: in triple quotes, so that the command it is substituted
# into (write_data ${out}) takes it as one word even with spaces.
lmp_path() { printf '"""%s"""' "$1"; }
make_glass() { # cells file; a failed run prints the end of LAMMPS's log (its screen output is off)
  [ ! -f "$2" ] || return 0
  local log=$2.lammps.log
  if ! "$LMP" -log "$log" -screen none -in "$here/../lammps/in.ka3d" -var nx "$1" -var ny "$1" -var nz "$1" \
      -var tpar 0.6 -var neq 2000 -var nquench 2000 -var seed 1 -var out "$(lmp_path "$2")"; then
    echo "study.sh: error: LAMMPS ($LMP -in in.ka3d, $1^3 cells) failed making $2; the end of its log $log:" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
  fi
  rm -f "$log"
}
make_glass "$CELLS" "$out/ka3d_${CELLS}.data"
make_glass "$WEAK_CELLS" "$out/ka3d_${WEAK_CELLS}.data"
big=$out/ka3d_${CELLS}.data
# The RDF's range: RDF_RMAX, at most half the shortest width of the box (vitrum rdf's limit).
rmax=$("$VITRUM" info -sample "$big" | awk -v r="$RDF_RMAX" '/^widths:/ {h = $2; for (i = 3; i <= NF; i++) if ($i < h) h = $i;
  h = int(h / 2 * 1000) / 1000; if (h < r) { printf "%g", h; exit } printf "%g", r}')
[ -n "$rmax" ] || { echo "study.sh: error: no box widths from '$VITRUM info -sample $big'" >&2; exit 1; }
if [ "$rmax" != "$(awk -v r="$RDF_RMAX" 'BEGIN {printf "%g", r}')" ]; then
  echo "study.sh: note: the RDF's range is $rmax, half the box's shortest width ($CELLS^3 cells), not RDF_RMAX = $RDF_RMAX (give CELLS >= 11 for 5); the model extrapolates the RDF of range $rmax"
fi
"$here/series.sh" strong "$out/strong_rdf" "$nmax" rdf -sample "$big" -rdf_rmax "$rmax" -rdf_dr 0.005
"$here/series.sh" strong "$out/strong_kpm" "$nmax" spectrum -sample "$big" -potential ka3d -vdos_exact_max_dof 0 -spectrum_inertia 0 \
    -spectrum_nev "$NEV" -kpm_moments "$MOMENTS" -kpm_vectors "$VECTORS" -boson_max_moments "$MOMENTS"
"$here/series.sh" weak "$out/weak_kpm" "$nmax" spectrum -sample "$out/ka3d_${WEAK_CELLS}.data" -potential ka3d -vdos_exact_max_dof 0 -spectrum_inertia 0 \
    -spectrum_nev "$NEV" -kpm_moments "$MOMENTS" -kpm_vectors "$VECTORS" -boson_max_moments "$MOMENTS"
# Model: calibrated on the 1-rank rows of both strong series.
atoms=$(cat "$out/strong_kpm/atoms_1.txt")
{ head -n 1 "$out/strong_rdf/scaling.csv"; tail -q -n +2 "$out/strong_rdf/scaling.csv" "$out/strong_kpm/scaling.csv"; } > "$out/strong.csv"
# The model's parameters: MODEL_PARAMS with the RDF's range measured here.
/usr/bin/python3 - "$rmax" "${MODEL_PARAMS:-}" "$out/model_params.json" <<'PY'
import json, sys
params = json.load(open(sys.argv[2])) if sys.argv[2] else {}
params["rdf_width"] = float(sys.argv[1])
json.dump(params, open(sys.argv[3], "w"), indent=1)
PY
/usr/bin/python3 "$here/model.py" predict --measured "$out/strong.csv" --atoms "$atoms" --kpm-moments-measured "$MOMENTS" \
    --params "$out/model_params.json" --out-csv "$out/model.csv" --plot "$out/model.png"
echo "study.sh: results in $out (strong_*/scaling.csv, weak_kpm/scaling.csv, model.csv, *.png)"
