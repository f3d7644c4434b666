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
# the stage "Modes"; default 20, 0: none), MODEL_PARAMS (a JSON file of network/node parameters
# for model.py; defaults in model.py), plus what series.sh reads (VITRUM, LAUNCH, LMP).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { sed -n '2,13p' "$0"; exit 2; }
out=$1; nmax=$2
CELLS=${CELLS:-100}; WEAK_CELLS=${WEAK_CELLS:-40}; MOMENTS=${MOMENTS:-1000}; VECTORS=${VECTORS:-10}; NEV=${NEV:-20}
LMP=${LMP:-lmp}
mkdir -p "$out"
make_glass() { # cells file
  [ -f "$2" ] || "$LMP" -log none -screen none -in "$here/../lammps/in.ka3d" -var nx "$1" -var ny "$1" -var nz "$1" \
      -var tpar 0.6 -var neq 2000 -var nquench 2000 -var seed 1 -var out "$2"
}
make_glass "$CELLS" "$out/ka3d_${CELLS}.data"
make_glass "$WEAK_CELLS" "$out/ka3d_${WEAK_CELLS}.data"
big=$out/ka3d_${CELLS}.data
"$here/series.sh" strong "$out/strong_rdf" "$nmax" rdf -sample "$big" -rdf_rmax 5 -rdf_dr 0.005
"$here/series.sh" strong "$out/strong_kpm" "$nmax" spectrum -sample "$big" -potential ka3d \
    -spectrum_nev "$NEV" -kpm_moments "$MOMENTS" -kpm_vectors "$VECTORS" -boson_max_moments "$MOMENTS"
"$here/series.sh" weak "$out/weak_kpm" "$nmax" spectrum -sample "$out/ka3d_${WEAK_CELLS}.data" -potential ka3d \
    -spectrum_nev "$NEV" -kpm_moments "$MOMENTS" -kpm_vectors "$VECTORS" -boson_max_moments "$MOMENTS"
# Model: calibrated on the 1-rank rows of both strong series.
atoms=$(cat "$out/strong_kpm/atoms_1.txt")
{ head -n 1 "$out/strong_rdf/scaling.csv"; tail -q -n +2 "$out/strong_rdf/scaling.csv" "$out/strong_kpm/scaling.csv"; } > "$out/strong.csv"
/usr/bin/python3 "$here/model.py" predict --measured "$out/strong.csv" --atoms "$atoms" --kpm-moments-measured "$MOMENTS" \
    ${MODEL_PARAMS:+--params "$MODEL_PARAMS"} --out-csv "$out/model.csv" --plot "$out/model.png"
echo "study.sh: results in $out (strong_*/scaling.csv, weak_kpm/scaling.csv, model.csv, *.png)"
