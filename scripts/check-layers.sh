#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The layering rules of the developers' guide, checked on #include lines (and clock reads):
#   - core (src/core, include/lwm2m/core) includes no concrete object (lwm2m/objects/...)
#     and no platform code (lwm2m/platform/..., src/platform);
#   - the sans-I/O layers (core, coap, dm, codec) include no socket, thread, process or file
#     header and read no clock (time comes in as a TimePoint);
#   - coap and dm never include codec;
#   - dtls (src/platform/dtls, include/lwm2m/platform/dtls*.hpp) never depends on posix
#     (runner.hpp, udp.hpp, src/platform/posix).
# Prints "file:line: rule: the line" for each breach and exits 1 when there is any.
#
#   scripts/check-layers.sh [ROOT]     check ROOT (default: this repository)
#   scripts/check-layers.sh --self-test  prove each rule fires on a bad include in a scratch tree
set -euo pipefail

check() {
  local root=$1 failed=0
  cd "$root"
  shopt -s nullglob globstar

  # violations RULE PATTERN FILES... : #include lines whose target matches PATTERN (ERE).
  violations() {
    local rule=$1 pattern=$2
    shift 2
    (($#)) || return 0
    local hits
    hits=$(grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)[>\"]" "$@" || true)
    if [[ -n $hits ]]; then
      sed "s|^\([^:]*:[0-9]*\):|\1: $rule: |" <<<"$hits"
      failed=1
    fi
  }

  local core=(src/core/**/*.[ch]pp include/lwm2m/core/**/*.hpp)
  local coap=(src/coap/**/*.[ch]pp include/lwm2m/coap/**/*.hpp)
  local dm=(src/dm/**/*.[ch]pp include/lwm2m/dm/**/*.hpp)
  local codec=(src/codec/**/*.[ch]pp include/lwm2m/codec/**/*.hpp)
  local dtls=(src/platform/dtls/**/*.[ch]pp include/lwm2m/platform/dtls*.hpp)

  violations "core includes a concrete object" '(lwm2m/)?objects/[^">]*' "${core[@]}"
  violations "core includes platform code" '(lwm2m/)?platform/[^">]*' "${core[@]}"

  local io='thread|mutex|shared_mutex|condition_variable|future|stop_token|semaphore|latch|barrier'
  io+='|fstream|iostream|filesystem|cstdio|stdio\.h|pthread\.h|unistd\.h|fcntl\.h|poll\.h|netdb\.h'
  io+='|sys/[^">]*|netinet/[^">]*|arpa/[^">]*|net/[^">]*'
  violations "sans-I/O layer includes I/O or threads" "$io" "${core[@]}" "${coap[@]}" "${dm[@]}" \
    "${codec[@]}"
  local files=("${core[@]}" "${coap[@]}" "${dm[@]}" "${codec[@]}")
  if ((${#files[@]})); then
    local clocks
    clocks=$(grep -HnE '(steady|system|high_resolution|utc|file)_clock' "${files[@]}" || true)
    if [[ -n $clocks ]]; then
      sed "s|^\([^:]*:[0-9]*\):|\1: sans-I/O layer reads a clock: |" <<<"$clocks"
      failed=1
    fi
  fi

  violations "coap includes codec" '(lwm2m/)?codec/[^">]*' "${coap[@]}"
  violations "dm includes codec" '(lwm2m/)?codec/[^">]*' "${dm[@]}"

  violations "dtls includes posix" '([^">]*/)?(runner|udp)\.hpp|([^">]*/)?posix/[^">]*' "${dtls[@]}"

  return $failed
}

# A scratch tree with one clean file per layer; then, for each rule, one bad include added
# to a copy of it must make the check fail and name that rule.
self_test() {
  local tmp status=0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/clean"/{src/core,src/coap,src/dm,src/codec,src/platform/dtls,src/platform/posix}
  mkdir -p "$tmp/clean"/include/lwm2m/{core,coap,dm,codec,objects,platform}
  printf '#include "lwm2m/dm/registry.hpp"\n#include "codec/dispatch.hpp"\n#include <chrono>\n' \
    >"$tmp/clean/src/core/client.cpp"
  printf '#include "lwm2m/records.hpp"\n#include <cstdint>\n' >"$tmp/clean/include/lwm2m/dm/registry.hpp"
  printf '#include "lwm2m/sink.hpp"\n' >"$tmp/clean/src/coap/engine.cpp"
  printf '#include "lwm2m/records.hpp"\n' >"$tmp/clean/src/codec/tlv.cpp"
  printf '#include "lwm2m/platform/secure_channel.hpp"\n#include <mbedtls/ssl.h>\n' \
    >"$tmp/clean/src/platform/dtls/dtls_session.cpp"
  printf '#include <thread>\n#include <sys/socket.h>\n' >"$tmp/clean/src/platform/posix/runner.cpp"
  if ! out=$(check "$tmp/clean" 2>&1); then
    echo "self-test: the clean tree fails:" >&2
    echo "$out" >&2
    return 1
  fi

  local cases=(
    'src/core/client.cpp|#include "lwm2m/objects/security.hpp"|core includes a concrete object'
    'include/lwm2m/core/client.hpp|#include "lwm2m/objects/server.hpp"|core includes a concrete object'
    'src/core/client.cpp|#include "lwm2m/platform/runner.hpp"|core includes platform code'
    'src/core/client.cpp|#include <thread>|sans-I/O layer includes I/O or threads'
    'src/dm/registry.cpp|#  include <sys/socket.h>|sans-I/O layer includes I/O or threads'
    'src/codec/tlv.cpp|#include <fstream>|sans-I/O layer includes I/O or threads'
    'src/core/client.cpp|auto t = std::chrono::steady_clock::now();|sans-I/O layer reads a clock'
    'include/lwm2m/coap/engine.hpp|#include "lwm2m/codec/content_format.hpp"|coap includes codec'
    'src/dm/registry.cpp|#include "codec/decoder.hpp"|dm includes codec'
    'include/lwm2m/dm/registry.hpp|#include "lwm2m/codec/sink.hpp"|dm includes codec'
    'src/platform/dtls/dtls_session.cpp|#include "lwm2m/platform/runner.hpp"|dtls includes posix'
    'include/lwm2m/platform/dtls_channel.hpp|#include "lwm2m/platform/udp.hpp"|dtls includes posix'
    'src/platform/dtls/secure_channel.cpp|#include "platform/posix/udp_socket.hpp"|dtls includes posix'
  )
  local c file line rule n=0
  for c in "${cases[@]}"; do
    IFS='|' read -r file line rule <<<"$c"
    rm -rf "$tmp/bad"
    cp -r "$tmp/clean" "$tmp/bad"
    mkdir -p "$(dirname "$tmp/bad/$file")"
    printf '%s\n' "$line" >>"$tmp/bad/$file"
    if out=$(check "$tmp/bad" 2>&1); then
      echo "self-test: not caught: '$line' in $file" >&2
      status=1
    elif ! grep -qF "$file:" <<<"$out" || ! grep -qF "$rule" <<<"$out"; then
      echo "self-test: '$line' in $file reported as: $out" >&2
      status=1
    fi
    n=$((n + 1))
  done
  ((status == 0)) && echo "layers self-test: clean tree passes, $n bad includes caught"
  return $status
}

if [[ ${1:-} == --self-test ]]; then
  self_test
  exit
fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
if check "$root"; then
  echo "layers: clean"
else
  exit 1
fi
