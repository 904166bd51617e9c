#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# long-run.sh BUILD_DIR RUNS MAX_SECONDS [TARGET...]: the documented long fuzzing run. Each
# target (all fuzz_* in BUILD_DIR/fuzz when none is named) runs alone, niced, for RUNS
# executions or MAX_SECONDS, whichever comes first, from its seed corpus into
# BUILD_DIR/fuzz/long-<name>/; one line per target goes to stdout:
#   target | execs | seconds | corpus files | corpus bytes | findings
# Crash inputs stay in BUILD_DIR/fuzz/long-<name>/ (crash-*, leak-*, timeout-*, oom-*).
# NICE (default 19) is the niceness of the runs: 19 keeps them out of the way of other work;
# a lower value gives them a core on a machine shared with builds.
set -u
nice=${NICE:-19}
build=$1 runs=$2 max=$3
shift 3
src=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
  set -- $(cd "$build/fuzz" && ls fuzz_* | sed 's/^fuzz_//')
fi
for name in "$@"; do
  work=$build/fuzz/long-$name
  mkdir -p "$work"
  seed=$src/corpus/$name
  [ -d "$seed" ] || seed=
  start=$(date +%s)
  nice -n "$nice" "$build/fuzz/fuzz_$name" -runs="$runs" -max_total_time="$max" -print_final_stats=1 \
    -artifact_prefix="$work/" "$work" $seed >"$work.log" 2>&1
  rc=$?
  secs=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log" | tail -1)
  files=$(find "$work" -maxdepth 1 -type f ! -name 'crash-*' ! -name 'leak-*' ! -name 'timeout-*' ! -name 'oom-*' | wc -l)
  bytes=$(find "$work" -maxdepth 1 -type f ! -name 'crash-*' ! -name 'leak-*' ! -name 'timeout-*' ! -name 'oom-*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  echo "$name | ${execs:-?} | $secs | $files | $bytes | $found (exit $rc)"
done
