#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-fuzzer.sh BINARY SECONDS WORK_CORPUS [SEED_CORPUS]: one bounded libFuzzer run.
# Any crash, leak or sanitizer report makes libFuzzer exit non-zero, failing the test.
set -e
bin=$1 secs=$2 work=$3 seed=$4
mkdir -p "$work"
if [ -n "$seed" ] && [ -d "$seed" ]; then
  exec "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$work" "$seed"
fi
exec "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$work"
