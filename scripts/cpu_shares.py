#!/usr/bin/env python3
"""Where a build's CPU time goes, by who does the work. Stdlib only; needs `perf`.

Samples clean builds of a corpus with `perf record --call-graph dwarf` and
puts each sample in one bucket, reading its stack from the leaf up:

- the crates the project builds on (Tera, syntect with oniguruma,
  pulldown-cmark), if any frame is theirs, allocations and page faults
  made for them included;
- the kernel, split into zeroing fresh memory and the rest (files, faults);
- playbook's own modules, by the innermost `playbook::<module>` frame.

This is the evidence behind "Why 8x hugo at 1,000 is out of reach" in
docs/scaling.md: what is left once our own code is as fast as it can be.

    python3 scripts/cpu_shares.py --corpus /dev/shm/playbook-bench/corpus/playbook-1000

The binary should keep its symbols (the release profile strips them):

    CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=1 \\
        CARGO_TARGET_DIR=/tmp/tgt-prof cargo build --release
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

CRATES = [
    ("tera", re.compile(r"\btera::")),
    ("syntect + oniguruma (highlighting)", re.compile(r"syntect|\bonig|\bmatch_at\b|search_in_range|forward_search")),
    ("pulldown-cmark", re.compile(r"pulldown_cmark")),
]
OURS = re.compile(r"playbook::(\w+)")


def bucket(frames):
    """The bucket of one sample, from its frames, leaf first."""
    for frame in frames:
        for name, pattern in CRATES:
            if pattern.search(frame):
                return ("required crates", name)
    if any("clear_page" in f for f in frames[:3]):
        return ("kernel", "zeroing fresh memory")
    if frames and "[kernel.kallsyms]" in frames[0]:
        return ("kernel", "files, page faults, scheduling")
    for frame in frames:
        m = OURS.search(frame)
        if m:
            return ("playbook", m.group(1))
    return ("other", "libc, std, the allocator outside the above")


def samples(perf_script_output):
    for block in perf_script_output.split("\n\n"):
        lines = [l.strip() for l in block.strip().split("\n")]
        if len(lines) > 1:
            yield lines[1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="a folder with playbooks/ (scripts/bench.py makes them)")
    ap.add_argument("--bin", default="/tmp/tgt-prof/release/playbook", help="a playbook binary with symbols")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--freq", type=int, default=4000, help="samples per second per core")
    args = ap.parse_args()
    if not shutil.which("perf"):
        sys.exit("error: perf is not installed (apt-get install linux-perf)")
    if not os.path.exists(args.bin):
        sys.exit(f"error: {args.bin} not found; see the build command in this script's help")
    counts = collections.Counter()
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as tmp:
        data, out = os.path.join(tmp, "perf.data"), os.path.join(tmp, "site")
        for _ in range(args.runs):
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run(["perf", "record", "-q", "-F", str(args.freq), "--call-graph", "dwarf,16384", "-o", data, "--",
                            args.bin, "--quiet", "build", "--root", args.corpus, "--out", out, "--force"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            script = subprocess.run(["perf", "script", "-i", data], check=True, capture_output=True, text=True).stdout
            counts.update(bucket(frames) for frames in samples(script))
    total = sum(counts.values())
    if not total:
        sys.exit("error: perf recorded no samples")
    groups = collections.Counter()
    for (group, _), n in counts.items():
        groups[group] += n
    print(f"{total} samples over {args.runs} builds of {args.corpus}")
    for group, n in groups.most_common():
        print(f"{100 * n / total:5.1f}%  {group}")
        for (g, name), m in counts.most_common():
            if g == group and 100 * m / total >= 0.5:
                print(f"         {100 * m / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
