#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flash and static RAM of a minimal bare-metal client on a Cortex-M4 (bench/footprint/main.cpp:
# Security, Server and Device objects, UDP through the sans-I/O API), linked with -Os,
# --gc-sections, newlib-nano and no system calls. Two builds:
#   full    every content format (the default library);
#   common  LwM2M's common set: text, opaque, TLV, CBOR, SenML CBOR, link format (the
#           SenML JSON, LwM2M JSON and LwM2M CBOR options off).
# Both use the compact number conversion (LWM2M_COMPACT_FLOAT, ON when cross-compiling).
# flash = text + data (initial values are stored in flash), static RAM = data + bss less
# the bump arena the client's construction-time tables come from (FOOTPRINT_HEAP_BYTES,
# printed apart; the tables' size per profile is measured by bench/client_bench.cpp).
# The full build shares build/cortex-m4 with scripts/embedded-build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

dir_of() { if [ "$1" = full ]; then echo build/cortex-m4; else echo "build/cortex-m4-$1"; fi; }

build() {  # name, extra cmake arguments...
  local dir
  dir=$(dir_of "$1")
  shift
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi-cortex-m4.cmake \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DLWM2M_BUILD_TESTS=OFF -DLWM2M_BUILD_BENCH=OFF \
    -DLWM2M_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" --target lwm2m_footprint -j"$JOBS" >/dev/null
}

build full
build common -DLWM2M_WITH_SENML_JSON=OFF -DLWM2M_WITH_LWM2M_JSON=OFF -DLWM2M_WITH_LWM2M_CBOR=OFF

printf '%-7s %8s %6s %6s %11s %16s %6s\n' build text data bss flash=t+d "static RAM=d+b-a" arena
for name in full common; do
  elf=$(dir_of "$name")/bench/footprint/lwm2m_footprint.elf
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
  arena=$((16#$(arm-none-eabi-nm -S -C "$elf" | awk '/::g_heap$/ {print $2}')))
  printf '%-7s %8d %6d %6d %11d %16d %6d\n' "$name" "$text" "$data" "$bss" $((text + data)) \
    $((data + bss - arena)) "$arena"
done
