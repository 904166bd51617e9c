#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# User-space instructions per served Read /3/0 over the whole runner path (posix::Runner's
# thread: receive, the client, the TLV answer, send, logging), counted by callgrind on a
# loopback run of lwm2m_loopback: per Read = (Ir of a long run - Ir of a short run) /
# (difference in responses), so start-up, registration and shutdown cancel out. Only the
# runner's thread is counted (--toggle-collect on Runner::run), not the load generator.
#
#   bench/callgrind-read.sh [BUILD_DIR] [--log-requests] [--annotate]
#
# BUILD_DIR (default build/rel) holds bench/lwm2m_loopback, built with debug information
# for --annotate (RelWithDebInfo). --log-requests: the log hook takes a line per request.
# --annotate: also prints the hottest functions of the long run (callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/rel
extra=()
annotate=0
for a in "$@"; do
  case "$a" in
    --log-requests) extra+=(--log-requests) ;;
    --annotate) annotate=1 ;;
    -*) echo "callgrind-read.sh: unknown flag $a (--log-requests, --annotate)" >&2; exit 2 ;;
    *) build="$a" ;;
  esac
done
bin="$build/bench/lwm2m_loopback"
if [[ ! -x "$bin" ]]; then
  echo "callgrind-read.sh: $bin is missing: build it with" \
    "'cmake --build $build --target lwm2m_loopback' (configured with -DLWM2M_BUILD_BENCH=ON)" >&2
  exit 1
fi
if ! command -v valgrind >/dev/null; then
  echo "callgrind-read.sh: valgrind is missing: apt-get install valgrind" >&2
  exit 1
fi

short=${CALLGRIND_SHORT:-2000}
long=${CALLGRIND_LONG:-10000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Prints "Ir responses" of one run.
run() {
  local n=$1
  # A long retransmission time: under valgrind the threads take turns, slowly.
  valgrind --tool=callgrind --toggle-collect='lwm2m::posix::Runner::run()' \
    --callgrind-out-file="$out/cg.$n" "$bin" --mode runner --responses "$n" \
    --retransmit-ms 5000 "${extra[@]}" >"$out/stdout.$n" 2>"$out/stderr.$n" || {
    echo "callgrind-read.sh: the run of $n responses failed:" >&2
    cat "$out/stderr.$n" >&2
    exit 1
  }
  local ir responses
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/stderr.$n")
  responses=$(sed -n 's/^runner .*responses=\([0-9]*\).*/\1/p' "$out/stdout.$n")
  echo "$ir $responses"
}

read -r ir_short resp_short < <(run "$short")
read -r ir_long resp_long < <(run "$long")
per=$(( (ir_long - ir_short) / (resp_long - resp_short) ))
echo "runner thread: $ir_short Ir for $resp_short responses, $ir_long Ir for $resp_long"
echo "instructions per served Read: $per"
if [[ $annotate == 1 ]]; then
  callgrind_annotate --inclusive=yes "$out/cg.$long" 2>/dev/null | sed -n '/^Ir/,$p' | head -45 \
    | cut -c1-160
fi
