#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file (C, C++, headers, CMake, scripts, Python) starts with the line
#   SPDX-License-Identifier: Apache-2.0
# in its comment syntax: the first line, or the second after a "#!" line.
#
#   scripts/check-spdx.sh [ROOT]         list the files without it; exit 1 if any
#   scripts/check-spdx.sh --fix [ROOT]   add it where it is missing. Idempotent, and safe:
#                                        a file naming another licence is reported, not changed
#   scripts/check-spdx.sh --self-test    prove check and fix on a scratch tree
# Files are those git tracks or would track (untracked, not ignored).
set -euo pipefail

readonly ID="SPDX-License-Identifier: Apache-2.0"

# comment FILE: the SPDX line in FILE's comment syntax; nothing when FILE is not source.
comment() {
  local f=$1 base=${1##*/}
  case "$base" in
    *.c | *.h) echo "/* $ID */" ;;
    *.cpp | *.hpp | *.cc | *.hh | *.hpp.in | *.h.in) echo "// $ID" ;;
    CMakeLists.txt | *.cmake | *.cmake.in | *.sh | *.py | Makefile | *.mk) echo "# $ID" ;;
    *)  # other scripts: anything starting with "#!"
      if [[ -f $f ]] && head -c 2 "$f" | grep -q '^#!'; then echo "# $ID"; fi ;;
  esac
}

# state FILE: "ok", "missing" or "other" (an SPDX identifier for another licence).
state() {
  local top
  if [[ $(head -n 1 "$1") == "#!"* ]]; then top=$(sed -n 2p "$1"); else top=$(head -n 1 "$1"); fi
  if [[ $top == *"$ID"* ]]; then
    echo ok
  elif head -n 5 "$1" | grep -q "SPDX-License-Identifier:"; then
    echo other
  else
    echo missing
  fi
}

# add FILE LINE: LINE first, or second after a "#!" line.
add() {
  local f=$1 line=$2 tmp
  tmp=$(mktemp "$f.spdx.XXXXXX")
  if [[ $(head -n 1 "$f") == "#!"* ]]; then
    { head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$tmp"
  else
    { echo "$line"; cat "$f"; } >"$tmp"
  fi
  chmod --reference="$f" "$tmp"
  mv "$tmp" "$f"
}

run() {
  local fix=$1 root=$2 missing=() other=() checked=0 f line
  cd "$root"
  while IFS= read -r f; do
    [[ -f $f && ! -L $f ]] || continue
    line=$(comment "$f")
    [[ -n $line ]] || continue
    checked=$((checked + 1))
    case $(state "$f") in
      ok) ;;
      other) other+=("$f") ;;
      missing)
        if ((fix)); then add "$f" "$line"; echo "spdx: added to $f"; else missing+=("$f"); fi ;;
    esac
  done < <(git ls-files -co --exclude-standard)
  local rc=0
  if ((${#other[@]})); then
    echo "error: an SPDX line not at the top or for another licence (not changed: move it or check the licence): ${other[*]}" >&2
    rc=1
  fi
  if ((${#missing[@]})); then
    echo "error: no '$ID' line at the top of: ${missing[*]}" >&2
    echo "fix with: scripts/check-spdx.sh --fix" >&2
    rc=1
  fi
  ((rc)) || echo "spdx: $checked files carry the Apache-2.0 line"
  return $rc
}

self_test() {
  local dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  git -C "$dir" init -q
  mkdir -p "$dir/src" "$dir/scripts"
  printf '#include <a.h>\nint x;\n' >"$dir/src/a.cpp"
  printf '/* C */\nint y;\n' >"$dir/src/b.c"
  printf '#!/usr/bin/env bash\necho hi\n' >"$dir/scripts/run"
  printf 'project(x)\n' >"$dir/CMakeLists.txt"
  printf '#!/usr/bin/env python3\nprint(1)\n' >"$dir/tool.py"
  printf '// SPDX-License-Identifier: MIT\nint z;\n' >"$dir/src/vendored.cpp"
  printf 'plain text\n' >"$dir/notes.txt"
  chmod +x "$dir/scripts/run"
  local out
  if out=$(run 0 "$dir" 2>&1); then echo "self-test: the check passed on files without the line" >&2; return 1; fi
  for f in src/a.cpp src/b.c scripts/run CMakeLists.txt tool.py; do
    grep -q "$f" <<<"$out" || { echo "self-test: $f not reported" >&2; return 1; }
  done
  grep -q "another licence.*src/vendored.cpp" <<<"$out" || { echo "self-test: the MIT file not reported" >&2; return 1; }
  rm "$dir/src/vendored.cpp"
  (run 1 "$dir" >/dev/null) || { echo "self-test: --fix failed" >&2; return 1; }
  [[ $(head -n 1 "$dir/src/a.cpp") == "// $ID" ]] || { echo "self-test: a.cpp not fixed" >&2; return 1; }
  [[ $(head -n 1 "$dir/src/b.c") == "/* $ID */" ]] || { echo "self-test: b.c not fixed" >&2; return 1; }
  [[ $(sed -n 2p "$dir/scripts/run") == "# $ID" && -x $dir/scripts/run ]] || { echo "self-test: script not fixed after its #! line" >&2; return 1; }
  [[ $(sed -n 2p "$dir/tool.py") == "# $ID" ]] || { echo "self-test: tool.py not fixed" >&2; return 1; }
  ! grep -q SPDX "$dir/notes.txt" || { echo "self-test: a text file was changed" >&2; return 1; }
  local before after
  before=$(cd "$dir" && cat src/a.cpp src/b.c scripts/run CMakeLists.txt tool.py | md5sum)
  (run 1 "$dir" >/dev/null) || { echo "self-test: a second --fix failed" >&2; return 1; }
  after=$(cd "$dir" && cat src/a.cpp src/b.c scripts/run CMakeLists.txt tool.py | md5sum)
  [[ $before == "$after" ]] || { echo "self-test: --fix is not idempotent" >&2; return 1; }
  (run 0 "$dir" >/dev/null) || { echo "self-test: the check fails after --fix" >&2; return 1; }
  echo "spdx self-test: ok"
}

case "${1:-}" in
  --self-test) self_test ;;
  --fix) run 1 "${2:-$(dirname "$0")/..}" ;;
  -*) echo "usage: $0 [--fix] [ROOT] | --self-test (unknown option '$1')" >&2; exit 2 ;;
  *) run 0 "${1:-$(dirname "$0")/..}" ;;
esac
