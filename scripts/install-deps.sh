#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages a task needs, only those missing. Runs as root (or through
# sudo when available).
#   scripts/install-deps.sh demo   what scripts/demo.sh needs: a compiler, CMake and libcoap
#                                  for the test server (a few hundred MB)
#   scripts/install-deps.sh test   everything scripts/test.sh needs (the default): also the
#                                  test and benchmark libraries, clang for the fuzzers, the
#                                  Cortex-M4 toolchain and emulator, mbedTLS, Doxygen
# The library alone needs only cmake, g++ and make (libmbedtls-dev adds DTLS).
set -euo pipefail

demo=(
  cmake g++ make pkg-config  # toolchain
  libcoap3-dev               # the test server
)
test=(
  "${demo[@]}"
  clang clang-format libclang-rt-14-dev                  # fuzzers (libFuzzer), formatter
  googletest libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  libcoap3-bin                                           # independent CoAP peer for interop tests
  libmbedtls-dev                                         # DTLS
  python3 python3-cbor2                                  # CBOR oracle
  gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib       # Cortex-M4 build of the core
  libnewlib-arm-none-eabi
  qemu-system-arm                                        # RAM measured on an emulated Cortex-M4
  doxygen                                                # API reference (scripts/docs.sh)
)

case "${1:-test}" in
  demo) packages=("${demo[@]}") ;;
  test) packages=("${test[@]}") ;;
  *) echo "usage: $0 [demo|test]  (got '$1': 'demo' for scripts/demo.sh, 'test' for everything)" >&2
     exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "Installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: run as root to install ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
