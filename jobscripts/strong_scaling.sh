#!/bin/sh
# Strong scaling of one vitrum command on one fixed sample: runs it on 1, 2, 4, ... ranks (up to
# NMAX) and writes CSV rows "ranks,seconds,speedup,efficiency" with the wall time that PETSc's
# -log_view reports for the whole run (max over ranks).
#
#   jobscripts/strong_scaling.sh OUT.csv NMAX COMMAND [vitrum options...]
#   e.g. jobscripts/strong_scaling.sh scaling.csv 64 spectrum -sample ka3d_1M.data -potential ka3d -spectrum_nev 0 -spectrum_inertia 0
#
# Environment: VITRUM (default: vitrum on PATH), LAUNCH (default: "mpirun"; use "srun" under SLURM,
# "mpiexec" under PBS), LAUNCH_NP_FLAG (default "-n"). The runs' logs and outputs go to a
# temporary folder (mktemp -d, under TMPDIR), removed at the end, also when a run fails or the
# script is interrupted; a failed run prints the end of its standard output and stops the script.
set -eu
[ $# -ge 3 ] || { sed -n '2,13p' "$0"; exit 2; }
out=$1; nmax=$2; shift 2
VITRUM=${VITRUM:-vitrum}
LAUNCH=${LAUNCH:-mpirun}
LAUNCH_NP_FLAG=${LAUNCH_NP_FLAG:--n}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "ranks,seconds,speedup,efficiency" > "$out"
t1=""
p=1
while [ "$p" -le "$nmax" ]; do
  log="$tmp/log_$p.txt"
  # shellcheck disable=SC2086
  if ! $LAUNCH $LAUNCH_NP_FLAG "$p" "$VITRUM" "$@" -o "$tmp/out_$p.h5" -log_view ":$log" > "$tmp/stdout_$p.txt"; then
    echo "strong_scaling.sh: error: the run on $p ranks failed; the end of its standard output:" >&2
    tail -n 20 "$tmp/stdout_$p.txt" >&2
    exit 1
  fi
  # -log_view summary line: "Time (sec):   <max>   <ratio>   <avg>"
  t=$(awk '/^Time \(sec\):/ {print $3; exit}' "$log")
  [ -n "$t1" ] || t1=$t
  awk -v p="$p" -v t="$t" -v t1="$t1" 'BEGIN {printf "%d,%.4f,%.3f,%.3f\n", p, t, t1 / t, t1 / t / p}' >> "$out"
  tail -n 1 "$out"
  p=$((p * 2))
done
