#!/usr/bin/env bash
# Flash and static RAM of a minimal bare-metal client on a Cortex-M4 (bench/footprint/main.cpp:
# Security, Server and Device objects, UDP through the sans-I/O API), linked with -Os,
# --gc-sections, newlib-nano and no system calls. Two builds:
#   full    every content format (the default library);
#   common  LwM2M's common set: text, opaque, TLV, CBOR, SenML CBOR, link format (the
#           SenML JSON, LwM2M JSON and LwM2M CBOR options off).
# flash = text + data (initial values are stored in flash), static RAM = data + bss. The
# image's bss includes the bump arena the client's tables come from (FOOTPRINT_HEAP_BYTES);
# bench/README.md gives how much of it a client uses.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

build() {  # name, extra cmake arguments...
  local dir=build/cortex-m4-$1
  shift
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi-cortex-m4.cmake \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DLWM2M_BUILD_TESTS=OFF -DLWM2M_BUILD_BENCH=OFF \
    -DLWM2M_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" --target lwm2m_footprint -j"$JOBS" >/dev/null
}

build full
build common -DLWM2M_WITH_SENML_JSON=OFF -DLWM2M_WITH_LWM2M_JSON=OFF -DLWM2M_WITH_LWM2M_CBOR=OFF

printf '%-8s %8s %8s %8s %12s %14s\n' build text data bss "flash(t+d)" "static RAM(d+b)"
for name in full common; do
  elf=build/cortex-m4-$name/bench/footprint/lwm2m_footprint.elf
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
  printf '%-8s %8d %8d %8d %12d %14d\n' "$name" "$text" "$data" "$bss" $((text + data)) \
    $((data + bss))
done
