#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds and runs every test: format check, SPDX licence lines, API reference (Doxygen, no
# warnings), layering check, each fuzzer for a bounded time, an ASan+UBSan build, a
# Cortex-M4 build of the core, a replay in QEMU measuring a client's RAM against its
# budget, and a release build. Installs missing Debian packages first.
#   FUZZ_SECONDS=N   time per fuzzer (default 20)
#   JOBS=N           parallel build jobs (default: nproc)
#   MBEDTLS_SOURCE=F mbedTLS 3.x source archive for the release build's DTLS (default:
#                    ../shared/vendor/mbedtls-3.6.6.tar.xz); the other builds use Debian's
#                    mbedTLS 2.28, so the DTLS tests run on both. CI=true: a missing archive
#                    fails the release stage.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
MBEDTLS_SOURCE=${MBEDTLS_SOURCE:-../shared/vendor/mbedtls-3.6.6.tar.xz}
# The OMA object definitions (DDF XML) the generator's tests check the descriptors against.
DDF=()
if [ -d ../shared/ddf ]; then DDF=(-DLWM2M_DDF_DIR="$(cd ../shared/ddf && pwd)"); fi

scripts/install-deps.sh test
scripts/check-format.sh
scripts/check-spdx.sh
scripts/docs.sh build/docs
scripts/check-layers.sh

echo "== fuzz: clang + libFuzzer, ${FUZZ_SECONDS}s per target"
cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DLWM2M_BUILD_FUZZ=ON -DLWM2M_BUILD_TESTS=OFF \
  -DLWM2M_BUILD_BENCH=OFF -DLWM2M_BUILD_TOOLS=OFF -DLWM2M_BUILD_EXAMPLES=OFF -DLWM2M_FUZZ_SECONDS="$FUZZ_SECONDS" \
  -DLWM2M_WERROR=ON >/dev/null
cmake --build build/fuzz -j"$JOBS"
ctest --test-dir build/fuzz --output-on-failure

echo "== asan+ubsan build"
# Tests labelled benchmark (10,000 lwm2m-fleet clients: minutes) run with ctest -L benchmark.
# Tests and tools ON (not AUTO): a missing dependency fails here instead of shrinking the suite.
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DLWM2M_SANITIZE=address,undefined \
  -DLWM2M_WERROR=ON -DLWM2M_BUILD_BENCH=OFF -DLWM2M_BUILD_TESTS=ON -DLWM2M_BUILD_TOOLS=ON "${DDF[@]}" >/dev/null
cmake --build build/asan -j"$JOBS"
ctest --test-dir build/asan --output-on-failure -j"$JOBS" -LE benchmark

echo "== Cortex-M4 build of the core (-Os, no exceptions, no RTTI)"
scripts/embedded-build.sh

echo "== RAM of a client on an emulated Cortex-M4 (qemu-system-arm, mps2-an386)"
scripts/qemu-ram.sh

mbedtls_option=()
if [ -e "$MBEDTLS_SOURCE" ]; then
  mbedtls_option=(-DLWM2M_MBEDTLS_SOURCE="$(realpath "$MBEDTLS_SOURCE")")
  echo "== release build (DTLS on mbedTLS from $MBEDTLS_SOURCE)"
elif [ "${CI:-}" = true ]; then
  echo "error: release build: $MBEDTLS_SOURCE is missing; CI runs the DTLS tests on" \
    "mbedTLS 3.6 from that archive. Put it there (../shared/vendor/) or set MBEDTLS_SOURCE." >&2
  exit 1
else
  echo "== release build (DTLS on the system mbedTLS: $MBEDTLS_SOURCE not found)"
fi
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLWM2M_WERROR=ON \
  -DLWM2M_BUILD_TESTS=ON -DLWM2M_BUILD_TOOLS=ON -DLWM2M_BUILD_BENCH=ON "${mbedtls_option[@]}" "${DDF[@]}" >/dev/null
cmake --build build/release -j"$JOBS"
ctest --test-dir build/release --output-on-failure -j"$JOBS" -LE benchmark
