#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: builds the test server CLI and the C example client (installing missing Debian
# packages first), runs both on loopback and shows registration, a read of /3/0, an
# observation of the temperature with a few notifications, and the De-register.
# Exits 0 when every step succeeded, non-zero with a message otherwise.
#   BUILD_DIR=DIR   build directory (default build/demo)
#   JOBS=N          parallel build jobs (default: nproc)
#   NO_BUILD=1      use the binaries already in BUILD_DIR (CI runs it this way)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/demo}
JOBS=${JOBS:-$(nproc)}

if [ -z "${NO_BUILD:-}" ]; then
  scripts/install-deps.sh demo
  echo "== building the test server and the C example client in $BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  if ! { cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLWM2M_BUILD_TESTS=OFF \
      -DLWM2M_BUILD_BENCH=OFF -DLWM2M_BUILD_TOOLS=ON -DLWM2M_BUILD_EXAMPLES=ON &&
    cmake --build "$BUILD_DIR" -j"$JOBS" --target lwm2m-testserver lwm2m-c-client; } \
    >"$BUILD_DIR/demo-build.log" 2>&1; then
    tail -n 40 "$BUILD_DIR/demo-build.log" >&2
    echo "demo: FAILED: the build failed (whole log: $BUILD_DIR/demo-build.log)" >&2
    exit 1
  fi
fi
SERVER_BIN="$BUILD_DIR/tools/testserver/lwm2m-testserver"
CLIENT_BIN="$BUILD_DIR/examples/lwm2m-c-client"
for b in "$SERVER_BIN" "$CLIENT_BIN"; do
  [ -x "$b" ] || { echo "demo: FAILED: $b is missing (build it, or unset NO_BUILD)" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid="" client_pid=""
cleanup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "demo: FAILED: $*" >&2
  echo "--- server output" >&2; cat "$work/server.log" >&2 || true
  echo "--- client output" >&2; cat "$work/client.log" >&2 || true
  exit 1
}
wait_for() {  # wait_for FILE PATTERN SECONDS
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

endpoint=demo-client
echo "== starting the LwM2M test server on a free loopback port"
"$SERVER_BIN" --port 0 --endpoint "$endpoint" --timeout 30 --format senml-json \
  --read /3/0 --observe /3303/0/5700 --notifications 3 >"$work/server.log" 2>&1 &
server_pid=$!
wait_for "$work/server.log" "listening on coap://" 10 || fail "the test server did not start"
port=$(grep -o 'listening on coap://127.0.0.1:[0-9]*' "$work/server.log" | head -1 | sed 's/.*://')
echo "   server: coap://127.0.0.1:$port"

echo "== starting the C example client ($endpoint)"
"$CLIENT_BIN" --endpoint "$endpoint" --server "coap://127.0.0.1:$port" --lifetime 60 \
  >"$work/client.log" 2>&1 &
client_pid=$!

wait_for "$work/server.log" "to de-register" 60 || fail "the scenario did not complete"
echo "== stopping the client with SIGTERM (it de-registers)"
kill -TERM "$client_pid"
client_rc=0
wait "$client_pid" || client_rc=$?
client_pid=""
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=""

echo "--- server"
cat "$work/server.log"
echo "--- client"
cat "$work/client.log"
[ "$client_rc" -eq 0 ] || fail "the client exited with $client_rc"
[ "$server_rc" -eq 0 ] || fail "the test server reported a failed step (exit $server_rc)"
grep -q "^registered: $endpoint" "$work/server.log" || fail "no registration seen"
grep -q "^de-registered: $endpoint" "$work/server.log" || fail "no De-register seen"
echo "demo: OK (registration, read /3/0, 3 temperature notifications, De-register)"
