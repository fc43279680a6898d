#!/usr/bin/env python3
"""Latency of `prodlint server` against `prodlint check --stdin-filename` on one file of a repository.

    python3 scripts/bench_server.py REPO FILE [--runs N] [--bin PATH]

Starts the server in REPO, initializes it, and measures with a stdlib JSON-RPC client:
- open: from `didOpen` of FILE to its first `publishDiagnostics` (the first lint after start);
- warm: from `didSave` (linted at once, no debounce) to the next `publishDiagnostics`, N times;
- change: from `didChange` to `publishDiagnostics`, which includes the 200 ms debounce.
Then the CLI the way editors ran it before: `prodlint check --stdin-filename FILE -` with the
text on stdin, N times. Medians are printed; the machine is shared and noisy, so compare the
numbers of one run with each other rather than across runs.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, binary, repo):
        self.proc = subprocess.Popen([binary, "server"], cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                sys.exit("server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics_for(self, uri):
        while True:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("repo")
    parser.add_argument("file", help="path relative to REPO")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "prodlint"))
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    repo = os.path.abspath(args.repo)
    path = os.path.join(repo, args.file)
    text = open(path, encoding="utf-8").read()
    uri = "file://" + path

    server = Server(args.bin, repo)
    started = time.perf_counter()
    server.request("initialize", {"processId": None, "rootUri": "file://" + repo, "capabilities": {}})
    server.notify("initialized", {})
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "", "version": 1, "text": text}})
    t0 = time.perf_counter()
    found = server.diagnostics_for(uri)
    opened = time.perf_counter() - t0
    since_start = time.perf_counter() - started
    warm = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        server.diagnostics_for(uri)
        warm.append(time.perf_counter() - t0)
    changes = []
    for version in range(2, 2 + min(args.runs, 5)):
        t0 = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text + "\n" * (version % 2)}]})
        server.diagnostics_for(uri)
        changes.append(time.perf_counter() - t0)
    peak_rss = None
    try:
        with open(f"/proc/{server.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak_rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=30)

    cli = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([args.bin, "check", "--output-format", "concise", "--stdin-filename", path, "-"],
                       cwd=repo, input=text.encode(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli.append(time.perf_counter() - t0)

    ms = lambda xs: f"{statistics.median(xs) * 1000:.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f})"
    print(f"{args.file}: {len(found)} diagnostics")
    print(f"server: didOpen -> diagnostics      {opened * 1000:.0f} ms ({since_start * 1000:.0f} ms from spawn)")
    print(f"server: didSave -> diagnostics      {ms(warm)}  [{args.runs} runs]")
    print(f"server: didChange -> diagnostics    {ms(changes)}  [includes the 200 ms debounce]")
    print(f"cli:    check --stdin-filename      {ms(cli)}  [{args.runs} runs]")
    if peak_rss is not None:
        source = sum(os.path.getsize(os.path.join(d, f)) for d, dirs, files in os.walk(repo)
                     if ".git" not in d.split(os.sep) for f in files if not os.path.islink(os.path.join(d, f)))
        print(f"server peak memory {peak_rss / 2**20:.0f} MiB; workspace files {source / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
