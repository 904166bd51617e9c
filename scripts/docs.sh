#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the API reference with Doxygen (Debian's `doxygen`) from the public headers
# (include/) and the task pages (docs/*.md) into OUT/html (default build/docs/html).
# Fails, listing them, on any Doxygen warning: a broken reference, a malformed command or a
# parameter documented under the wrong name, or a public class or member without a comment.
# scripts/test.sh runs it.
#   scripts/docs.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/docs}
command -v doxygen >/dev/null || {
  echo "docs: doxygen is missing: apt-get install doxygen (or scripts/install-deps.sh test)" >&2
  exit 1
}
mkdir -p "$out"
log="$out/warnings.txt"
# Doxyfile settings, with the output place appended (later lines win).
if ! { cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $out"; } | doxygen - >"$log" 2>&1 || [ -s "$log" ]; then
  cat "$log" >&2
  echo "docs: FAILED: $(grep -c . "$log") Doxygen warnings above (whole list: $log)" >&2
  exit 1
fi
echo "docs: API reference in $out/html/index.html, no warnings"
