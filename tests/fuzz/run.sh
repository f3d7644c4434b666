#!/usr/bin/env bash
# Fuzz every text reader and potential-file parser for SECONDS each (default 60):
#   tests/fuzz/run.sh SECONDS [BUILD_DIR [HARNESS ...]]
# (HARNESS: lammps_data lammps_dump extxyz eam tersoff sw; default all, one after the other; run two
# invocations with disjoint lists to use two cores.)
# Builds the harnesses with clang (-DVITRUM_FUZZ=ON) in BUILD_DIR (default build-fuzz) if needed,
# writes seed corpora made from the tests' valid files (tests/bad_inputs/corpus.py --seeds), and
# runs each harness under nice -n ${FUZZ_NICE:-19} with libFuzzer. Inputs that crash, hang or trip ASan/UBSan are
# kept in BUILD_DIR/fuzz/findings/HARNESS/; the grown corpora in BUILD_DIR/fuzz/corpus/HARNESS/.
# A summary line per harness (runs, coverage, findings) ends the output; the status is 1 when any
# harness found something.
set -uo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${2:-$root/build-fuzz}")
harnesses="lammps_data:lammps_data lammps_dump:lammps_dump extxyz:extxyz eam:eam tersoff:tersoff sw:sw"
if [ $# -gt 2 ]; then
  shift 2
  harnesses=$(for h in "$@"; do echo "$h:$h"; done)
fi

if [ ! -x "$build/fuzz_sw" ]; then
  cmake -S "$root" -B "$build" -DVITRUM_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null || exit 2
fi
cmake --build "$build" -j2 --target fuzz_lammps_data fuzz_lammps_dump fuzz_extxyz fuzz_eam fuzz_tersoff fuzz_sw >/dev/null || exit 2

work=$build/fuzz
mkdir -p "$work/seeds"
/usr/bin/python3 "$root/tests/bad_inputs/corpus.py" --seeds "$work/seeds" || exit 2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
status=0
summary=""
fork="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
memory="-rss_limit_mb=2048"
# in process, the error paths' allocations add up over millions of inputs (vitrum ends at its first
# error and does not unwind them): allow the process 6 GB, but any single allocation of 2 GB or
# more is still a finding (-malloc_limit_mb)
[ "${FUZZ_FORK:-1}" = 0 ] && fork="" && memory="-rss_limit_mb=6144 -malloc_limit_mb=2048"
for h in $harnesses; do
  name=${h%%:*}
  seeds=$work/seeds/${h##*:}
  rm -rf "$work/findings/$name" && mkdir -p "$work/corpus/$name" "$work/findings/$name"
  log=$work/$name.log
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a 2 GB process is a finding (an
  # unchecked size in a file must not allocate gigabytes). FUZZ_FORK=1 (default): -fork=1 with
  # -ignore_*: keep fuzzing after a finding (each is saved), so one known crash does not hide the
  # others, at the price of much system time (one child process per job); FUZZ_FORK=0: in-process,
  # several times more inputs per CPU second, stops at the first finding.
  rm -rf "$work/logs/$name" && mkdir -p "$work/logs/$name"
  (cd "$work/logs/$name" && /usr/bin/time -f "%U %S %e" -o "$work/$name.cpu" nice -n "${FUZZ_NICE:-19}" "$build/fuzz_$name" $fork \
     -max_total_time="$seconds" -timeout=10 $memory -max_len=16384 \
     -artifact_prefix="$work/findings/$name/" "$work/corpus/$name" "$seeds") >"$log" 2>&1
  runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  found=$(ls "$work/findings/$name" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
  [ "$found" -ne 0 ] && status=1
  # the CPU seconds the harness got and the wall time it ran (shorter than SECONDS when an in-process
  # run stopped at a finding); the last line of the status file: /usr/bin/time may add one before it
  cpu=$(tail -n 1 "$work/$name.cpu" 2>/dev/null | awk '{printf "%.0f", $1 + $2}')
  wall=$(tail -n 1 "$work/$name.cpu" 2>/dev/null | awk '{printf "%.0f", $3}')
  summary+="fuzz_$name: ${wall:-?} s wall (of ${seconds}), ${cpu:-?} s CPU, ${runs:-?} runs, ${cov:-cov ?}, $found inputs saved in $work/findings/$name"$'\n'
  # each saved input replayed once: the kind of finding and the first frame in vitrum's sources;
  # identical findings are counted on one line, with one of their inputs
  kinds=""
  for f in "$work/findings/$name"/*; do
    [ -f "$f" ] || continue
    out=$(timeout 60 "$build/fuzz_$name" -timeout=10 -rss_limit_mb=2048 "$f" 2>&1)
    kind=$(grep -m1 -oE '(ERROR: [A-Za-z]+: [-a-z]+|runtime error: .*)' <<<"$out" | cut -c1-100)
    where=$(grep -m1 -oE 'in [A-Za-z_0-9]+ [^ ]*/src/[^ ]*' <<<"$out" | sed "s|^in ||; s|$root/||")
    kinds+="${kind:-no failure on replay} ${where:+at $where}|$(basename "$f")"$'\n'
  done
  [ -n "$kinds" ] && summary+=$(sort <<<"${kinds%$'\n'}" | awk -F'|' '{n[$1]++; f[$1]=$2} END {for (k in n) printf "   %d x %s (e.g. %s)\n", n[k], k, f[k]}')$'\n'
done
printf '%s' "$summary"
exit $status
