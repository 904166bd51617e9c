#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds lwm2m::core for a Cortex-M4 with -Os -fno-exceptions -fno-rtti and prints the code
# size of each object file (unlinked, every feature: not a footprint), then the linked
# footprint of a minimal client image in each feature tier, with and without link-time
# optimisation, checked against its budget (scripts/footprint.sh; figures in bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
cmake -S . -B build/cortex-m4 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi-cortex-m4.cmake \
  -DCMAKE_BUILD_TYPE=MinSizeRel -DLWM2M_BUILD_TESTS=OFF -DLWM2M_BUILD_BENCH=OFF \
  -DLWM2M_WERROR=ON -DLWM2M_TIER=full >/dev/null
cmake --build build/cortex-m4 --target lwm2m_core -j"$JOBS"
arm-none-eabi-size -t build/cortex-m4/src/liblwm2m_core.a | sed 's|build/cortex-m4/src/||'
echo "== linked footprint of a minimal client (bench/footprint, -Os, --gc-sections, newlib-nano)"
scripts/footprint.sh
