#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Where the responders' CPU goes per response, the runner next to the echo responder (the
# UDP ceiling), in one run of lwm2m_loopback (the two taking turns, 8 requests in flight):
# `perf record` samples every thread with its kernel call chain; each sample counts for the
# system call it is in (sendmmsg: the send and, on loopback, the delivery to the generator;
# recvmmsg; poll, with the sleep and the wake-up in it), for other kernel work, or for user
# space; the samples of a thread times the sampling period, divided by the responses that
# thread served, give microseconds per response. The samples need not add up to the
# thread's CPU clock (lwm2m_loopback's responder_us, printed after the table): read the rows
# as shares. The kernel's rows move from run to run with who sleeps when (a send that wakes
# the generator pays for the wake-up); the user-space row does not.
#
#   bench/loopback-split.sh [BUILD_DIR] [--seconds S]
#
# BUILD_DIR (default build/bench) holds bench/lwm2m_loopback. Needs perf (Debian: linux-perf)
# allowed to sample kernel stacks (kernel.perf_event_paranoid <= 1, or root).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/bench
seconds=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    -*) echo "loopback-split.sh: unknown flag $1 (--seconds S)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
bin="$build/bench/lwm2m_loopback"
if [[ ! -x "$bin" ]]; then
  echo "loopback-split.sh: $bin is missing: build it with" \
    "'cmake --build $build --target lwm2m_loopback' (configured with -DLWM2M_BUILD_BENCH=ON)" >&2
  exit 1
fi
if ! command -v perf >/dev/null; then
  echo "loopback-split.sh: perf is missing: apt-get install linux-perf" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
freq=4000
perf record -q -F "$freq" -g -o "$out/perf.data" -- "$bin" --seconds "$seconds" >"$out/stdout" \
  2>"$out/stderr" || { cat "$out/stderr" >&2; exit 1; }
perf script -i "$out/perf.data" -F tid,ip,sym,dso 2>/dev/null >"$out/script"
python3 - "$out/script" "$out/stdout" "$freq" <<'EOF'
import collections, re, sys
script, stdout, freq = sys.argv[1], sys.argv[2], float(sys.argv[3])
served = {}
for line in open(stdout):
    kind = line.split()[0] if line.strip() else ""
    if kind in ("echo", "runner"):
        served[kind] = int(re.search(r"responses=(\d+)", line).group(1))
cats = collections.defaultdict(collections.Counter)
tid, frames = None, []
def flush():
    if tid is None:
        return
    cat = "user space"
    if frames and frames[0][1]:
        cat = "other kernel"
        for name, _ in frames:
            m = re.match(r"__(?:x64|do)_sys_(\w+)", name)
            if m:
                cat = m.group(1)
                break
    cats[tid][cat] += 1
for line in open(script):
    if not line.strip():
        flush()
        tid, frames = None, []
    elif not line[0].isspace():
        tid = int(line.split()[0])
    else:
        parts = line.split(None, 1)
        if len(parts) == 2:
            frames.append((parts[1].split(" (")[0].split("+")[0], "kernel.kallsyms" in parts[1]))
flush()
# The generator is the main thread (the lowest id); the echo's thread starts before the
# runner's, so of the two busiest others the earlier one is the echo.
busy = sorted(cats, key=lambda t: -sum(cats[t].values()))[:3]
generator = min(busy)
echo, runner = sorted(t for t in busy if t != generator)
order = ["sendmmsg", "recvmmsg", "poll", "other kernel", "user space"]
print("| µs per response (perf, %d Hz) | echo | runner | runner - echo |" % freq)
print("|---|---:|---:|---:|")
total = {"echo": 0.0, "runner": 0.0}
for cat in order + ["other system calls"]:
    row = {}
    for name, t in (("echo", echo), ("runner", runner)):
        n = cats[t][cat] if cat != "other system calls" else sum(
            v for k, v in cats[t].items() if k not in order)
        row[name] = n / freq * 1e6 / served[name]
        total[name] += row[name]
    print(f"| {cat} | {row['echo']:.2f} | {row['runner']:.2f} | {row['runner'] - row['echo']:+.2f} |")
print(f"| **total** | {total['echo']:.2f} | {total['runner']:.2f} | "
      f"{total['runner'] - total['echo']:+.2f} |")
print(f"\nresponses: echo {served['echo']:,}, runner {served['runner']:,}; "
      f"CPU ratio echo / runner {total['echo'] / total['runner']:.3f}")
print("lwm2m_loopback said:")
print(open(stdout).read().rstrip())
EOF
