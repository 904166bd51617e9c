#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flash and static RAM of a minimal bare-metal client on a Cortex-M4 (bench/footprint/main.cpp:
# Security, Server and Device objects, UDP through the sans-I/O API), linked with -Os,
# --gc-sections, newlib-nano and no system calls, once per feature tier (LWM2M_TIER, README.md
# "Feature tiers"):
#   minimal  TLV, text, opaque, link format; one server; no bootstrap, observe, block-wise
#   common   minimal + bootstrap, observe, block-wise, CBOR, SenML CBOR, Send, queue mode
#   full     every feature (the default library)
# All use the small exact number conversion (LWM2M_COMPACT_FLOAT and LWM2M_SMALL_FLOAT, both
# ON when cross-compiling).
# flash = text + data (initial values are stored in flash), static RAM = data + bss less
# the bump arena the client's construction-time tables come from (FOOTPRINT_HEAP_BYTES,
# printed apart; the tables' size per profile is measured by bench/client_bench.cpp).
#
# Each tier is built twice: as the library is by default, and with link-time optimisation
# (LWM2M_LTO=ON: the library and the image compiled for -flto, as firmware that links with
# the same compiler can; rows "<tier>-lto").
# Each row's flash is checked against bench/footprint/budgets: the budget is a regression
# guard (the figure measured when it was set plus a small margin), the target is the
# project's goal; the script fails when a tier exceeds its budget and prints the gap to
# the target either way. The full build shares build/cortex-m4 with scripts/embedded-build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
TIERS=(minimal common full minimal-lto common-lto full-lto)
BUDGETS=bench/footprint/budgets

dir_of() { if [ "$1" = full ]; then echo build/cortex-m4; else echo "build/cortex-m4-$1"; fi; }

build() {  # row: a tier, with "-lto" for the link-time optimised build
  local dir lto=OFF
  dir=$(dir_of "$1")
  if [[ $1 == *-lto ]]; then lto=ON; fi
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi-cortex-m4.cmake \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DLWM2M_BUILD_TESTS=OFF -DLWM2M_BUILD_BENCH=OFF \
    -DLWM2M_WERROR=ON -DLWM2M_TIER="${1%-lto}" -DLWM2M_LTO="$lto" >/dev/null
  cmake --build "$dir" --target lwm2m_footprint -j"$JOBS" >/dev/null
}

for tier in "${TIERS[@]}"; do build "$tier"; done

# budget_of TIER FIELD: field 2 is the budget, 3 the target (bytes of flash).
budget_of() { awk -v t="$1" -v f="$2" '$1 == t {print $f}' "$BUDGETS"; }

status=0
printf '%-11s %8s %6s %6s %11s %16s %6s %8s %8s %s\n' tier text data bss flash=t+d \
  "static RAM=d+b-a" arena budget target "vs target"
for tier in "${TIERS[@]}"; do
  elf=$(dir_of "$tier")/bench/footprint/lwm2m_footprint.elf
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
  arena=$((16#$(arm-none-eabi-nm -S -C "$elf" | awk '/::g_heap$/ {print $2}')))
  flash=$((text + data))
  budget=$(budget_of "$tier" 2)
  target=$(budget_of "$tier" 3)
  if [ -z "$budget" ] || [ -z "$target" ]; then
    echo "footprint: no budget for tier '$tier' in $BUDGETS (add a line: $tier BUDGET TARGET)" >&2
    exit 1
  fi
  gap=$((flash - target))
  if ((gap > 0)); then vs="misses by $gap"; else vs="met (${gap#-} to spare)"; fi
  printf '%-11s %8d %6d %6d %11d %16d %6d %8d %8d %s\n' "$tier" "$text" "$data" "$bss" "$flash" \
    $((data + bss - arena)) "$arena" "$budget" "$target" "$vs"
  if ((flash > budget)); then
    echo "footprint: the $tier tier's flash grew to $flash B, over its budget of $budget B" \
      "($BUDGETS): find what grew with the linker map" \
      "$(dir_of "$tier")/bench/footprint/lwm2m_footprint.elf.map, or raise the budget" \
      "there if the growth is wanted" >&2
    status=1
  fi
done
exit $status
