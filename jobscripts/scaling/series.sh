#!/bin/bash
# A strong or weak scaling series of one vitrum command: runs it on 1, 2, 4, ... ranks (up to NMAX),
# keeps PETSc's per-rank stage log of every run (-log_view :log_P.csv:ascii_csv), then collects
# the time of the slowest rank per stage, speed-up and efficiency into OUTDIR/scaling.csv and
# OUTDIR/scaling.png (jobscripts/scaling/collect.py).
#
#   jobscripts/scaling/series.sh strong|weak OUTDIR NMAX COMMAND -sample FILE [vitrum options...]
#
# strong: the same sample on every rank count.
# weak:   FILE is the sample per rank; for P ranks it is replicated with LAMMPS (`replicate`) over the
#         process grid vitrum will use (MPI_Dims_create's factors), so every rank owns one copy.
#
# Environment: VITRUM (default build/vitrum, else vitrum on PATH); LAUNCH (default: srun under SLURM,
# mpiexec under PBS, else mpirun, with --allow-run-as-root --oversubscribe when run as root);
# LAUNCH_NP_FLAG (default -n); LMP (default lmp) for the weak replication (a failed one prints the
# end of LAMMPS's log). OUTDIR and the sample's path may contain spaces.
# Example (10^6-atom glass, KPM VDOS):
#   jobscripts/scaling/series.sh strong out/kpm 64 spectrum -sample ka3d_1M.data -potential ka3d \
#       -spectrum_nev 0 -kpm_moments 1000 -kpm_vectors 10
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 4 ] || { sed -n '2,19p' "$0"; exit 2; }
mode=$1; outdir=$2; nmax=$3; shift 3
case "$mode" in strong|weak) ;; *) echo "series.sh: error: mode must be strong or weak, got '$mode'" >&2; exit 2 ;; esac
[[ "$nmax" =~ ^[1-9][0-9]*$ ]] || { echo "series.sh: error: NMAX must be a positive integer, got '$nmax'" >&2; exit 2; }

if [ -z "${VITRUM:-}" ]; then
  if [ -x "$here/../../build/vitrum" ]; then VITRUM=$here/../../build/vitrum; else VITRUM=vitrum; fi
fi
if [ -z "${LAUNCH:-}" ]; then
  if [ -n "${SLURM_JOB_ID:-}" ]; then LAUNCH=srun
  elif [ -n "${PBS_JOBID:-}" ]; then LAUNCH=mpiexec
  elif [ "$(id -u)" = 0 ]; then LAUNCH="mpirun --allow-run-as-root --oversubscribe"
  else LAUNCH=mpirun; fi
fi
LAUNCH_NP_FLAG=${LAUNCH_NP_FLAG:--n}
LMP=${LMP:-lmp}

# The sample given after -sample, and the remaining arguments with it taken out.
args=("$@"); sample=""
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "-sample" ] && [ $((i + 1)) -lt ${#args[@]} ]; then sample=${args[$((i + 1))]}; fi
done
[ -n "$sample" ] || { echo "series.sh: error: give the sample with -sample FILE" >&2; exit 2; }
[ -f "$sample" ] || { echo "series.sh: error: $sample: no such file" >&2; exit 2; }
mkdir -p "$outdir"

# A path as the value of a LAMMPS variable: in triple quotes, so that the command it is substituted
# into (read_data ${in}, write_data ${out}) takes it as one word even with spaces.
lmp_path() { printf '"""%s"""' "$1"; }

# The process grid of P ranks as vitrum chooses it for a cubic box: MPI_Dims_create's factors.
dim=$("$VITRUM" info -sample "$sample" | awk '/^dimension:/ {print $2}')
grid_of() { /usr/bin/python3 "$here/model.py" grid "$1" --dim "$dim"; }

p=1
while [ "$p" -le "$nmax" ]; do
  run_sample=$sample
  if [ "$mode" = weak ] && [ "$p" -gt 1 ]; then
    read -r gx gy gz <<< "$(grid_of "$p")"
    run_sample=$outdir/sample_$p.data
    if [ ! -f "$run_sample" ]; then
      log=$outdir/replicate_$p.lammps.log
      if ! "$LMP" -log "$log" -screen none -var in "$(lmp_path "$sample")" -var out "$(lmp_path "$run_sample")" \
             -var nx "$gx" -var ny "$gy" -var nz "$gz" -in "$here/in.replicate"; then
        echo "series.sh: error: LAMMPS ($LMP -in in.replicate) failed replicating $sample ${gx}x${gy}x${gz}; the end of its log $log:" >&2
        tail -n 20 "$log" >&2 || true
        exit 1
      fi
      rm -f "$log"
    fi
  fi
  run_args=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = "-sample" ]; then run_args+=(-sample "$run_sample"); i=$((i + 1)); else run_args+=("${args[$i]}"); fi
  done
  "$VITRUM" info -sample "$run_sample" | awk '/^atoms:/ {print $2}' > "$outdir/atoms_$p.txt"
  echo "series.sh: $mode, $p ranks, $(cat "$outdir/atoms_$p.txt") atoms"
  # shellcheck disable=SC2086
  $LAUNCH $LAUNCH_NP_FLAG "$p" "$VITRUM" "${run_args[@]}" -o "$outdir/out_$p.h5" \
      -log_view ":$outdir/log_$p.csv:ascii_csv" -domain_view > "$outdir/stdout_$p.txt"
  rm -f "$outdir/out_$p.h5"
  p=$((p * 2))
done
/usr/bin/python3 "$here/collect.py" "$outdir" --mode "$mode"
