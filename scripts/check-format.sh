#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fails when any tracked C/C++ file differs from what clang-format (.clang-format) makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' '*.h' '*.c' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "error: not formatted (fix with: clang-format -i ${bad[*]})" >&2
  exit 1
fi
echo "format: ${#files[@]} files clean"
