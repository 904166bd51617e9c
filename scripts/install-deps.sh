#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing.
# Runs as root (or through sudo when available).
set -euo pipefail

packages=(
  cmake g++ make clang clang-format libclang-rt-14-dev  # toolchain, formatter, libFuzzer runtime
  googletest libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  libcoap3-bin libcoap3-dev                              # independent CoAP peer for interop tests
  libmbedtls-dev                                         # DTLS
  python3 python3-cbor2                                  # CBOR oracle
  gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib       # Cortex-M4 build of the core
  libnewlib-arm-none-eabi
  pkg-config
)

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
