#!/usr/bin/env python3
"""Benchmark playbook builds at scale (issue 6, "Speed at scale"). Stdlib only.

Generates corpora with scripts/gen_corpus.py (cached under --work), then times
clean full builds of the same content with playbook, `cp -r` (the floor: just
copying the Markdown) and, when they are on PATH, hugo, zola and mdbook. The
output folder is removed before each run (not timed). Runs are interleaved
across tools so that load from other processes hits every tool alike.

Per tool and size it reports the median wall time (and the fastest run), CPU
time (user+sys from os.wait4's rusage of the child), peak RSS (ru_maxrss),
HTML pages written and pages per second, the output's size and its ratio to
the Markdown input, then a warm no-change rebuild (build twice into the same
output folder; the second is timed). The load average is printed because
timings on a shared machine are only as good as the machine was idle.

Not part of `cargo test`. Benchmarks a private copy of target/release/playbook
(`cargo build --release` first, or pass --build), or with --rev, commits built
from a clean `git archive`.

  python3 scripts/bench.py                          # 1,000 and 10,000 playbooks, 5 runs, tmpfs
  python3 scripts/bench.py --sizes 1000 --runs 3 --json /tmp/bench.json
  python3 scripts/bench.py --disk                   # also with the output on disk
  python3 scripts/bench.py --rev HEAD~1,HEAD --tools playbook   # two commits, interleaved
"""
import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(REPO, "scripts", "gen_corpus.py")
DEFAULT_BIN = os.path.join(REPO, "target", "release", "playbook")
SEED = 1
SSGS = ("hugo", "zola", "mdbook")
# playbook's whole-handbook files: the ones that grow with the handbook, not per page.
KEY_FILES = ("assets/search-index.js", "assets/nav.js", "print/index.html", "map/index.html",
             "frameworks/index.html", "exit-games/index.html", "index.html")


# ---------------------------------------------------------------- helpers

def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def tree_stats(path, suffix=None):
    """(bytes, files, files ending in suffix) of every regular file under path."""
    total = files = matching = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            p = os.path.join(dirpath, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            total += st.st_size
            files += 1
            if suffix and name.endswith(suffix):
                matching += 1
    return total, files, matching


def largest_files(path, k=5, suffix=""):
    sizes = []
    for dirpath, _, names in os.walk(path):
        for name in names:
            p = os.path.join(dirpath, name)
            if name.endswith(suffix) and os.path.isfile(p) and not os.path.islink(p):
                sizes.append((os.path.getsize(p), os.path.relpath(p, path)))
    return [{"path": p, "bytes": b} for b, p in sorted(sizes, reverse=True)[:k]]


def fs_type(path):
    """Filesystem type of the mount holding path (from /proc/mounts)."""
    path = os.path.realpath(path)
    best, kind = "", "?"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    mnt = parts[1].replace("\\040", " ")
                    if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                        best, kind = mnt, parts[2]
    except OSError:
        pass
    return kind


def rm(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.exists(path):
        shutil.rmtree(path)


def run_timed(cmd, env=None, cwd=None):
    """Runs cmd; returns wall seconds, rusage of the child, exit status, stderr text."""
    errf = open(os.path.join(TMP_LOG_DIR, "stderr.txt"), "w+b")
    outf = open(os.devnull, "wb")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=outf, stderr=errf, env=env, cwd=cwd)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    outf.close()
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    errf.close()
    return wall, ru, proc.returncode, err


TMP_LOG_DIR = "/tmp"


def version_of(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def git_describe():
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src", "templates", "Cargo.toml"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def newest_mtime(*dirs):
    newest = 0.0
    for d in dirs:
        for dirpath, _, names in os.walk(d):
            for n in names:
                try:
                    newest = max(newest, os.path.getmtime(os.path.join(dirpath, n)))
                except OSError:
                    pass
    return newest


def build_rev(rev, rev_dir):
    """Builds commit `rev` from a clean export; returns (short sha, binary path).

    Every revision shares one target folder (dependencies compile once), and
    its binary is kept as bin/playbook-<sha>. `git archive` stamps files with
    the commit's time, which cargo could take for older than the last build of
    another revision, so the sources are touched before building."""
    sha = subprocess.run(["git", "-C", REPO, "rev-parse", "--verify", rev + "^{commit}"],
                         capture_output=True, text=True, check=True).stdout.strip()[:12]
    binary = os.path.join(rev_dir, "bin", "playbook-" + sha)
    if os.path.exists(binary):
        return sha, binary
    src = os.path.join(rev_dir, "src-" + sha)
    rm(src + ".tmp")
    if not os.path.isdir(src):
        os.makedirs(src + ".tmp")
        archive = subprocess.run(["git", "-C", REPO, "archive", sha], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", src + ".tmp"], input=archive, check=True)
        os.rename(src + ".tmp", src)
    now = time.time()
    for dirpath, _, names in os.walk(src):
        for name in names:
            os.utime(os.path.join(dirpath, name), (now, now))
    target = os.path.join(rev_dir, "target")
    log(f"building {rev} ({sha}) in {src}")
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "playbook"], cwd=src,
                   env=dict(os.environ, CARGO_TARGET_DIR=target), check=True)
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    shutil.copy2(os.path.join(target, "release", "playbook"), binary)
    return sha, binary


# ---------------------------------------------------------------- corpora

def corpus(work, flavor, n):
    """Generates (or reuses) a corpus; returns (site dir, markdown dir)."""
    with open(GEN, "rb") as f:
        key = hashlib.sha256(f.read()).hexdigest()[:16] + f"-n{n}-seed{SEED}-{flavor}"
    base = os.path.join(work, "corpus", f"{flavor}-{n}")
    stamp = base + ".stamp"
    if flavor == "playbook":
        site, gen_out, md = base, os.path.join(base, "playbooks"), os.path.join(base, "playbooks")
    else:
        sub = {"hugo": "content", "zola": "content", "mdbook": "src"}[flavor]
        site, gen_out, md = base, base, os.path.join(base, sub)
    fresh = os.path.exists(stamp) and open(stamp).read().strip() == key and os.path.isdir(md)
    if not fresh:
        log(f"generating {flavor} corpus of {n} -> {gen_out}")
        rm(base)
        os.makedirs(os.path.dirname(gen_out), exist_ok=True)
        subprocess.run([sys.executable, GEN, "--n", str(n), "--out", gen_out, "--seed", str(SEED),
                        "--flavor", flavor], check=True, stdout=subprocess.DEVNULL)
        with open(stamp, "w") as f:
            f.write(key + "\n")
    return site, md


# ---------------------------------------------------------------- tools

class Tool:
    """A way to build a site: name, corpus flavor, and command for (site, out)."""

    def __init__(self, name, flavor, cmd, version, pages_suffix=".html"):
        self.name, self.flavor, self.cmd, self.version = name, flavor, cmd, version
        self.pages_suffix = pages_suffix


def tools(args):
    found = []
    for name, label, bin_ in args.bins:
        found.append(Tool(name, "playbook",
                          lambda site, md, out, b=bin_: [b, "--quiet", "build", "--root", site, "--out", out, "--force"],
                          version_of([bin_, "--version"]) + f" ({label}; binary sha256 {sha256_of(bin_)[:12]}, "
                          f"built {time.strftime('%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(bin_)))})"))
    # The floor: copying the Markdown, no parsing or rendering. `SRC/.` works
    # whether OUT exists or not, so the warm run copies over the first.
    found.append(Tool("cp -r", "playbook", lambda site, md, out: ["cp", "-r", md + "/.", out],
                      version_of(["cp", "--version"]), pages_suffix=".md"))
    wanted = set(args.tools.split(",")) if args.tools else None
    if shutil.which("hugo"):
        found.append(Tool("hugo", "hugo",
                          lambda site, md, out: ["hugo", "--source", site, "--destination", out, "--quiet"],
                          version_of(["hugo", "version"])))
    if shutil.which("zola"):
        help_text = subprocess.run(["zola", "build", "--help"], capture_output=True, text=True).stdout
        force = ["--force"] if "--force" in help_text else []
        found.append(Tool("zola", "zola",
                          lambda site, md, out: ["zola", "--root", site, "build", "--output-dir", out] + force,
                          version_of(["zola", "--version"])))
    if shutil.which("mdbook"):
        found.append(Tool("mdbook", "mdbook", lambda site, md, out: ["mdbook", "build", site, "-d", out],
                          version_of(["mdbook", "--version"])))
    if wanted:
        found = [t for t in found if t.name in wanted or t.name.split()[0].split("@")[0] in wanted]
    return found


# ---------------------------------------------------------------- measuring

def parse_stages(err):
    stages = {}
    for line in err.splitlines():
        if line.startswith("timing:"):
            parts = line.split()
            try:
                stages[parts[1]] = float(parts[2])
            except (IndexError, ValueError):
                pass
    return stages


def measure(tool, site, md, out, env):
    wall, ru, code, err = run_timed(tool.cmd(site, md, out), env=env)
    if code != 0:
        raise RuntimeError(f"{tool.name} failed (exit {code}): {' '.join(tool.cmd(site, md, out))}\n{err[-2000:]}")
    return {"wall_s": round(wall, 4), "user_s": round(ru.ru_utime, 4), "sys_s": round(ru.ru_stime, 4),
            "cpu_s": round(ru.ru_utime + ru.ru_stime, 4), "maxrss_kb": ru.ru_maxrss,
            "minflt": ru.ru_minflt, "majflt": ru.ru_majflt,
            "stages_ms": parse_stages(err)}


def summarize(runs):
    med = lambda k: statistics.median(r[k] for r in runs)
    s = {"runs": runs, "median_wall_s": round(med("wall_s"), 4),
         "min_wall_s": round(min(r["wall_s"] for r in runs), 4),
         "median_cpu_s": round(med("cpu_s"), 4), "median_user_s": round(med("user_s"), 4),
         "median_sys_s": round(med("sys_s"), 4), "median_maxrss_kb": int(med("maxrss_kb")),
         "median_minflt": int(med("minflt")),
         "max_maxrss_kb": max(r["maxrss_kb"] for r in runs)}
    stage_names = [k for r in runs for k in r["stages_ms"]]
    if stage_names:
        # What PLAYBOOK_TIMINGS does not cover (writing, freeing, process
        # start and exit), per run: medians of different runs do not add up.
        for r in runs:
            r["stages_ms"]["write+exit"] = round(max(0.0, r["wall_s"] * 1000 - sum(
                v for k, v in r["stages_ms"].items() if k != "write+exit")), 1)
        s["median_stages_ms"] = {k: round(statistics.median(r["stages_ms"].get(k, 0.0) for r in runs), 1)
                                 for k in dict.fromkeys(stage_names + ["write+exit"])}
    return s


def bench(args):
    os.makedirs(args.work, exist_ok=True)
    global TMP_LOG_DIR
    TMP_LOG_DIR = args.work
    if not args.bins:
        if not os.path.exists(args.bin):
            sys.exit(f"error: {args.bin} not found; run `cargo build --release` first (or pass --build)")
        if newest_mtime(os.path.join(REPO, "src"), os.path.join(REPO, "templates")) > os.path.getmtime(args.bin):
            log(f"warning: {args.bin} is older than src/ or templates/; pass --build to rebuild it")
        # A private copy, so that a `cargo build` elsewhere cannot swap the binary mid-run.
        pinned = os.path.join(args.work, "bin", "playbook")
        os.makedirs(os.path.dirname(pinned), exist_ok=True)
        shutil.copy2(args.bin, pinned)
        label = "working tree " + git_describe() if os.path.abspath(args.bin) == DEFAULT_BIN else args.bin
        args.bins = [("playbook", label, pinned)]
    missing = [s for s in SSGS if not shutil.which(s)]
    if missing:
        log(f"not on PATH, skipped: {', '.join(missing)}")
    ts = tools(args)

    env = dict(os.environ, PLAYBOOK_TIMINGS="1", CI="1", NO_COLOR="1")
    # Linux carries the forking process's resident size into the child's
    # ru_maxrss (fork copies it; exec keeps the high-water mark), so a peak
    # at or below that of `true` is this script's size, not the tool's.
    floor_kb = max(run_timed(["true"])[1].ru_maxrss for _ in range(3))
    media = [("tmpfs", os.path.join(args.work, "out"))]
    if args.disk:
        media.append(("disk", os.path.join(args.disk, "out")))
    sizes = [int(s) for s in args.sizes.split(",") if s]

    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S %z"), "host": platform.node(),
            "kernel": platform.release(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_start": loadavg(), "maxrss_floor_kb": floor_kb, "runs": args.runs, "sizes": sizes, "seed": SEED,
            "tools": {t.name: t.version for t in ts},
            "command": " ".join([os.path.relpath(sys.argv[0], REPO)] + sys.argv[1:])}
    results = []
    for n in sizes:
        corpora = {t.flavor: corpus(args.work, t.flavor, n) for t in ts}
        in_bytes = {f: tree_stats(md, ".md")[0] for f, (_, md) in corpora.items()}
        for medium, out_root in media:
            os.makedirs(out_root, exist_ok=True)
            outs = {t.name: os.path.join(out_root, re.sub(r"[^A-Za-z0-9@.-]+", "_", t.name) + f"-{n}") for t in ts}
            rows = {t.name: {"tool": t.name, "n": n, "medium": medium, "fs": fs_type(out_root),
                             "load_before": loadavg()} for t in ts}
            clean = {t.name: [] for t in ts}
            log(f"clean builds: n={n} on {medium} ({fs_type(out_root)}), {args.runs} runs, load {loadavg()}")
            for i in range(args.runs):
                for t in ts:  # interleaved: run i of every tool, then run i+1
                    rm(outs[t.name])
                    if medium == "disk":
                        os.sync()
                    site, md = corpora[t.flavor]
                    clean[t.name].append(measure(t, site, md, outs[t.name], env))
            for t in ts:
                site, md = corpora[t.flavor]
                out_bytes, files, pages = tree_stats(outs[t.name], t.pages_suffix)
                row = rows[t.name]
                row.update(summarize(clean[t.name]))
                row.update({"in_bytes": in_bytes[t.flavor], "out_bytes": out_bytes, "out_files": files,
                            "pages": pages, "out_in_ratio": round(out_bytes / max(1, in_bytes[t.flavor]), 2),
                            "pages_per_s": round(pages / row["median_wall_s"], 1)})
                if t.name.startswith("playbook"):
                    row["largest_files"] = largest_files(outs[t.name])
                    # Issue 6: no page's size may depend on the number of playbooks.
                    row["largest_pages"] = largest_files(outs[t.name], 3, ".html")
                    row["key_files"] = {k: os.path.getsize(os.path.join(outs[t.name], k))
                                        for k in KEY_FILES if os.path.isfile(os.path.join(outs[t.name], k))}
                    # What one search loads is a few of these parts, not all of them.
                    parts_dir = os.path.join(outs[t.name], "assets", "search")
                    if os.path.isdir(parts_dir):
                        sizes = [os.path.getsize(os.path.join(parts_dir, f)) for f in os.listdir(parts_dir)]
                        row["search_parts"] = {"count": len(sizes), "bytes": sum(sizes), "largest": max(sizes, default=0)}
                # Warm no-change rebuild: the output of the last clean run is
                # still there; build again `runs` times, median of those.
                warm = [measure(t, site, md, outs[t.name], env) for _ in range(args.runs)]
                row["warm"] = summarize(warm)
                row["load_after"] = loadavg()
                results.append(row)
            if not args.keep:
                for o in outs.values():
                    rm(o)
    meta["load_end"] = loadavg()
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    return {"meta": meta, "results": results}


# ---------------------------------------------------------------- report

def mb(b):
    return f"{b / 1e6:.1f}"


def peak(kb, floor_kb):
    """Peak RSS in MB, or `<=X` when it is not above this script's own size."""
    return f"<={floor_kb / 1024:.0f}" if kb <= floor_kb * 1.1 else f"{kb / 1024:.1f}"


def compare(name, pb, by, n, medium):
    """Lines comparing one playbook binary with the floor and the other generators."""
    lines, bits = [], []
    cp = by.get(("cp -r", n, medium))
    if cp:
        bits.append(f"{name} = {pb['median_wall_s'] / cp['median_wall_s']:.1f}x the cp -r floor")
    rivals = [by[(s, n, medium)] for s in SSGS if (s, n, medium) in by]
    for r in rivals:
        bits.append(f"{r['median_wall_s'] / pb['median_wall_s']:.2f}x faster than {r['tool']} "
                    f"(peak {r['median_maxrss_kb'] / 1024:.0f} MB vs {pb['median_maxrss_kb'] / 1024:.0f} MB)")
    fast = [r for r in rivals if r["tool"] in ("hugo", "zola")]
    if fast:
        best = min(fast, key=lambda r: r["median_wall_s"])
        bits.append(f"speed-up vs fastest of hugo/zola ({best['tool']}): "
                    f"{best['median_wall_s'] / pb['median_wall_s']:.2f}x")
    else:
        bits.append("no hugo or zola measured")
    bits.append(f"peak memory {pb['median_maxrss_kb'] / 1024:.0f} MB")
    lines.append(f"  {name} N={n} {medium}: " + "; ".join(bits))
    lines.append(f"    cpu: user {pb['median_user_s']:.2f}s, sys {pb['median_sys_s']:.2f}s, "
                 f"{pb['median_minflt']:,} minor page faults; warm rebuild {pb['warm']['median_wall_s']:.3f}s "
                 f"(clean {pb['median_wall_s']:.3f}s)")
    if pb.get("median_stages_ms"):
        lines.append("    stages (median ms, PLAYBOOK_TIMINGS): "
                     + ", ".join(f"{k} {v:.0f}" for k, v in pb["median_stages_ms"].items()))
    if pb.get("key_files"):
        lines.append("    whole-handbook files: " + ", ".join(
            f"{k} {v / 1e6:.2f} MB" for k, v in pb["key_files"].items()))
    if pb.get("search_parts"):
        s = pb["search_parts"]
        lines.append(f"    search index: {s['count']} parts in assets/search/, {s['bytes'] / 1e6:.2f} MB in all, "
                     f"the largest {s['largest'] / 1e6:.2f} MB")
    if pb.get("largest_pages"):
        lines.append("    largest pages: " + ", ".join(
            f"{f['path']} {f['bytes'] / 1e6:.2f} MB" for f in pb["largest_pages"]))
    return lines


def report(data):
    m = data["meta"]
    lines = [f"playbook bench  {m['started']}  {m['host']}  {m['cpus']} cpus  kernel {m['kernel']}",
             f"command: {m['command']}",
             f"load average (1/5/15 min) at start {m['load_start']}, at end {m['load_end']}; "
             f"{m['runs']} runs per cell, seed {m['seed']}"]
    for name, v in m["tools"].items():
        lines.append(f"  {name:<9} {v}")
    w = max([9] + [len(r["tool"]) for r in data["results"]])
    head = (f"{'tool':<{w}} {'N':>6} {'out':<5} {'wall med':>9} {'min':>7} {'cpu':>7} {'cpu/wall':>8} "
            f"{'peak MB':>8} {'pages':>6} {'pages/s':>8} {'out MB':>7} {'out/in':>6} {'warm':>7} {'load':>5}")
    lines += ["", head, "-" * len(head)]
    for r in data["results"]:
        lines.append(
            f"{r['tool']:<{w}} {r['n']:>6} {r['medium']:<5} {r['median_wall_s']:>8.3f}s {r['min_wall_s']:>6.3f}s "
            f"{r['median_cpu_s']:>6.2f}s {r['median_cpu_s'] / max(r['median_wall_s'], 1e-9):>8.2f} "
            f"{peak(r['median_maxrss_kb'], m['maxrss_floor_kb']):>8} {r['pages']:>6} {r['pages_per_s']:>8.0f} "
            f"{mb(r['out_bytes']):>7} {r['out_in_ratio']:>6.1f} {r['warm']['median_wall_s']:>6.3f}s "
            f"{r['load_before'][0] if r['load_before'] else '?':>5}")
    lines.append("(wall med = median wall time of clean builds, min = fastest run; pages = .html files "
                 "written (.md for cp -r); warm = median no-change rebuild; load = 1-min load before the cell;")
    lines.append(f"peak MB = median ru_maxrss; `<={m['maxrss_floor_kb'] / 1024:.0f}` means no more than what a "
                 "child inherits from this script (ru_maxrss of `true`)")

    by = {(r["tool"], r["n"], r["medium"]): r for r in data["results"]}
    keys = sorted({(r["n"], r["medium"]) for r in data["results"]}, key=lambda k: (k[1] != "tmpfs", k[0]))
    lines.append("")
    pbs = [t for t in dict.fromkeys(r["tool"] for r in data["results"]) if t.startswith("playbook")]
    for n, medium in keys:
        for name in pbs:
            pb = by.get((name, n, medium))
            if pb:
                lines += compare(name, pb, by, n, medium)
        if len(pbs) > 1 and all((t, n, medium) in by for t in pbs):
            base = by[(pbs[0], n, medium)]
            lines.append(f"  N={n} {medium}: against {pbs[0]}: " + "; ".join(
                f"{t} wall {by[(t, n, medium)]['median_wall_s'] / base['median_wall_s']:.2f}x, "
                f"cpu {by[(t, n, medium)]['median_cpu_s'] / base['median_cpu_s']:.2f}x, "
                f"peak {by[(t, n, medium)]['median_maxrss_kb'] / base['median_maxrss_kb']:.2f}x" for t in pbs[1:]))
    floor = m["maxrss_floor_kb"]
    ns = sorted({r["n"] for r in data["results"]})
    if len(ns) >= 2:
        lines.append("")
        lines.append("scaling (larger / smaller corpus):")
        for medium in sorted({r["medium"] for r in data["results"]}, key=lambda m: m != "tmpfs"):
            for tool in dict.fromkeys(r["tool"] for r in data["results"]):
                for a, b in zip(ns, ns[1:]):
                    ra, rb = by.get((tool, a, medium)), by.get((tool, b, medium))
                    if ra and rb:
                        lines.append(
                            f"  {tool:<{w}} {medium:<5} {a}->{b} ({b / a:.0f}x input): "
                            f"time {rb['median_wall_s'] / ra['median_wall_s']:.1f}x, "
                            f"cpu {rb['median_cpu_s'] / ra['median_cpu_s']:.1f}x, "
                            f"output {rb['out_bytes'] / ra['out_bytes']:.1f}x, "
                            + (f"peak memory {rb['median_maxrss_kb'] / ra['median_maxrss_kb']:.1f}x"
                               if ra["median_maxrss_kb"] > floor * 1.1 else "peak memory at the floor"))
                        if ra.get("key_files") and rb.get("key_files"):
                            lines.append("            " + ", ".join(
                                f"{k} {rb['key_files'][k] / ra['key_files'][k]:.1f}x"
                                for k in ra["key_files"] if rb["key_files"].get(k) and ra["key_files"][k]))
                        if ra.get("largest_pages") and rb.get("largest_pages"):
                            big_a, big_b = ra["largest_pages"][0]["bytes"], rb["largest_pages"][0]["bytes"]
                            lines.append(f"            largest page {big_b / max(1, big_a):.1f}x "
                                         f"({big_a / 1e6:.2f} -> {big_b / 1e6:.2f} MB)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[1:]))
    ap.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool and size (default 5)")
    ap.add_argument("--work", default="/dev/shm/playbook-bench",
                    help="cache of corpora and tmpfs output folder (default /dev/shm/playbook-bench)")
    ap.add_argument("--disk", nargs="?", const="/var/tmp/playbook-bench", default=None, metavar="DIR",
                    help="also build with the output on disk, under DIR (default /var/tmp/playbook-bench)")
    ap.add_argument("--json", metavar="FILE", help="write every measurement as JSON")
    ap.add_argument("--bin", default=DEFAULT_BIN, help="playbook binary (default target/release/playbook)")
    ap.add_argument("--build", action="store_true", help="run `cargo build --release` first")
    ap.add_argument("--rev", help="benchmark this commit instead of target/release/playbook: `git archive` it and "
                    "build it under --rev-dir, away from the working tree. Several, comma-separated "
                    "(--rev HEAD~3,HEAD), are run interleaved as playbook@REV, to compare them under the same load")
    ap.add_argument("--rev-dir", default="/var/tmp/playbook-bench/rev",
                    help="where --rev builds (default /var/tmp/playbook-bench/rev; the first build compiles every crate)")
    ap.add_argument("--tools", help="only these tools, comma-separated (playbook,cp,hugo,zola,mdbook)")
    ap.add_argument("--keep", action="store_true", help="keep the output folders for inspection")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.bins = []
    if args.rev:
        revs = [r for r in args.rev.split(",") if r]
        for rev in revs:
            sha, binary = build_rev(rev, args.rev_dir)
            name = "playbook" if len(revs) == 1 else f"playbook@{rev}"
            args.bins.append((name, f"rev {sha}", binary))
    elif args.build:
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    try:
        data = bench(args)
    except RuntimeError as e:
        sys.exit(f"error: {e}")
    text = report(data)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
