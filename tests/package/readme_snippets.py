#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds README.md's code as printed, against an installed tree.

Every fenced block that follows a line `<!-- snippet: DIR/FILE -->` is written to
WORK/DIR/FILE unchanged. Each DIR with a CMakeLists.txt is then configured with the
installed prefix and built; a DIR/build.sh (a shell block) is run in DIR with
PKG_CONFIG_PATH pointing at the installed pkg-config files. Nothing is run over the network:
the programs are compiled and linked, which is what a reader copying them does first.

usage: readme_snippets.py README BUILD_DIR WORK CC CXX [LDFLAGS]
"""
import os
import re
import shutil
import subprocess
import sys


WARNINGS = "-Wall -Wextra -Werror"


def extract(readme):
    snippets = {}
    lines = open(readme, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.fullmatch(r"<!-- snippet: (\S+) -->", lines[i].strip())
        i += 1
        if not m:
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit(f"README: the marker for {m.group(1)} is not followed by a ``` block")
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        snippets[m.group(1)] = "\n".join(body) + "\n"
    return snippets


def run(what, cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    if subprocess.run(cmd, **kw).returncode != 0:
        sys.exit(f"FAILED: {what}")


def main():
    readme, build_dir, work, cc, cxx = sys.argv[1:6]
    ldflags = sys.argv[6] if len(sys.argv) > 6 else ""
    snippets = extract(readme)
    expected = {"cpp/CMakeLists.txt", "cpp/main.cpp", "cpp/build.sh", "c/CMakeLists.txt",
                "c/main.c", "c/build.sh"}
    missing = expected - snippets.keys()
    if missing:
        sys.exit(f"README has no snippet marked {', '.join(sorted(missing))}")
    shutil.rmtree(work, ignore_errors=True)
    for name, text in snippets.items():
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    prefix = os.path.join(work, "prefix")
    run("install", ["cmake", "--install", build_dir, "--prefix", prefix],
        stdout=subprocess.DEVNULL)
    for d in sorted({n.split("/")[0] for n in snippets}):
        src = os.path.join(work, d)
        if os.path.exists(os.path.join(src, "CMakeLists.txt")):
            run(f"configuring README's {d}/ project",
                ["cmake", "-S", src, "-B", os.path.join(src, "build"),
                 f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCMAKE_C_COMPILER={cc}",
                 f"-DCMAKE_CXX_COMPILER={cxx}", f"-DCMAKE_EXE_LINKER_FLAGS={ldflags}",
                 # A reader's stricter warnings must not trip over the README's code.
                 f"-DCMAKE_C_FLAGS={WARNINGS}", f"-DCMAKE_CXX_FLAGS={WARNINGS}",
                 "--no-warn-unused-cli"])
            run(f"building README's {d}/ project", ["cmake", "--build", os.path.join(src, "build")])
        if os.path.exists(os.path.join(src, "build.sh")):
            if ldflags:
                print(f"{d}/build.sh not run: the library is built with {ldflags}, which the "
                      "printed command does not pass")
                continue
            pc = [r for r, _, fs in os.walk(prefix) if "lwm2m-client.pc" in fs]
            env = dict(os.environ, PKG_CONFIG_PATH=pc[0])
            run(f"README's {d}/build.sh", ["sh", "-e", "build.sh"], cwd=src, env=env)


if __name__ == "__main__":
    main()
