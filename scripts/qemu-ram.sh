#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# RAM of a client measured on an emulated Cortex-M4: builds the replay images (bench/qemu:
# the common feature set, the small and the tiny profile of bench/profiles.hpp), runs them in
# qemu-system-arm on the mps2-an386 board with semihosting, and prints its static RAM,
# the arena its tables took, the heap and the stack's high-water mark. Fails when the
# replay does not complete, when the self-test image (which expects a value the client
# never sends) does not fail, or when a total exceeds its budget.
#   QEMU_RAM_BUDGET=N       bytes allowed per client, small profile (default below: today's
#                           figure plus a margin, a regression guard; the target is printed
#                           beside it)
#   QEMU_RAM_BUDGET_TINY=N  the same for the tiny profile
#   CI=true            a missing qemu-system-arm is an error instead of a skip
# The library is built as a device maker would configure it for this device: the common
# feature tier, Security slots sized for PSK (URI 64 bytes, identity 32, key 32, no server
# certificate), CoAP messages of 16 options (enough for every LwM2M request) and rollback
# room for one Server instance (the device has one Server slot), in build/cortex-m4-device
# (scripts/footprint.sh measures flash with the default sizes).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
readonly TARGET=4096                        # issue 11: common tier, static + arena + stack
readonly BUDGET=${QEMU_RAM_BUDGET:-5550}    # measured 5,275 B on 2026-12-07, plus ~5 %
readonly BUDGET_TINY=${QEMU_RAM_BUDGET_TINY:-4096}  # measured 3,881 B: the target itself
readonly DIR=build/cortex-m4-device
readonly IMAGES=$DIR/bench/qemu

if ! command -v qemu-system-arm >/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "error: qemu-ram: qemu-system-arm not found; CI measures RAM in it." \
      "Install it: scripts/install-deps.sh test (Debian package qemu-system-arm)." >&2
    exit 1
  fi
  echo "qemu-ram: skipped: qemu-system-arm not found (scripts/install-deps.sh test installs it)"
  exit 0
fi

cmake -S . -B "$DIR" -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi-cortex-m4.cmake \
  -DCMAKE_BUILD_TYPE=MinSizeRel -DLWM2M_BUILD_TESTS=OFF -DLWM2M_BUILD_BENCH=OFF \
  -DLWM2M_WERROR=ON -DLWM2M_TIER=common -DLWM2M_SECURITY_URI_MAX=64 \
  -DLWM2M_SECURITY_IDENTITY_MAX=32 -DLWM2M_SECURITY_SERVER_KEY_MAX=0 \
  -DLWM2M_SECURITY_SECRET_MAX=32 -DLWM2M_COAP_MAX_OPTIONS=16 -DLWM2M_SERVER_ROLLBACK_MAX=1 \
  >/dev/null
cmake --build "$DIR" -j"$JOBS" \
  --target lwm2m_qemu_replay lwm2m_qemu_replay_tiny lwm2m_qemu_replay_self_test >/dev/null

# run IMAGE: the image's console output; its exit status is QEMU's (0: replay complete).
run() {
  timeout 20 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$IMAGES/$1.elf" 2>&1
}

if out=$(run lwm2m_qemu_replay_self_test); then
  echo "error: qemu-ram: the self-test image passed although it expects a value the client" \
    "never sends: the replay's checks do not work" >&2
  exit 1
fi
if ! grep -q 'replay: FAILED' <<<"$out"; then
  echo "error: qemu-ram: the self-test image did not report its failure:" >&2
  echo "$out" >&2
  exit 1
fi

figure() { awk -v k="ram.$2" '$1 == k {print $2}' <<<"$1"; }
declare -A total
for image in lwm2m_qemu_replay lwm2m_qemu_replay_tiny; do
  if ! out=$(run "$image") || ! grep -q '^replay: complete' <<<"$out"; then
    echo "error: qemu-ram: $image: the replay did not complete:" >&2
    echo "$out" >&2
    exit 1
  fi
  total[$image]=$(figure "$out" total)
  printf '== %s: replay complete (%s steps)\n' "$image" "$(grep -c '^replay: ok' <<<"$out")"
  printf '%-34s %6s\n' "static RAM (.data + .bss, device)" "$(figure "$out" static)" \
    "arena used (client tables)" "$(figure "$out" arena_used)" \
    "heap (_sbrk)" "$(figure "$out" heap)" \
    "stack high-water mark" "$(figure "$out" stack_high_water)" \
    "total per client" "${total[$image]}"
  echo "arena allocations, in order: $(awk '$1 == "ram.arena_allocations" {$1=""; print}' <<<"$out")"
done

echo "== largest RAM symbols of lwm2m_qemu_replay (.data and .bss; arena and stack apart)"
arm-none-eabi-nm -S -C -t d --size-sort "$IMAGES/lwm2m_qemu_replay.elf" |
  awk '$3 ~ /^[bBdD]$/ {printf "%6d  %s\n", $2, substr($0, index($0, $4))}' | sort -rn | head -12

# check NAME IMAGE BUDGET VARIABLE: the total of IMAGE against the target and its budget.
failed=0
check() {
  local sum=${total[$2]}
  if ((sum <= TARGET)); then
    echo "RAM per client, $1 profile: $sum B (budget $3 B); target $TARGET B: met"
  else
    echo "RAM per client, $1 profile: $sum B (budget $3 B); target $TARGET B: not met," \
      "$((sum - TARGET)) B over"
  fi
  if ((sum > $3)); then
    echo "error: qemu-ram: RAM per client ($1 profile) $sum B exceeds the budget of $3 B;" \
      "find what grew in the figures above, or raise $4 in scripts/qemu-ram.sh if it is" \
      "meant" >&2
    failed=1
  fi
}
check small lwm2m_qemu_replay "$BUDGET" QEMU_RAM_BUDGET
check tiny lwm2m_qemu_replay_tiny "$BUDGET_TINY" QEMU_RAM_BUDGET_TINY
exit "$failed"
