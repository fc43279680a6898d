#!/usr/bin/env python3
"""Compare two prodlint evaluation runs (made by run.sh) rule by rule.

usage: compare.py BEFORE_DIR AFTER_DIR [--judged PATH]

For each rule: findings before/after, and, for the hand-judged findings
(judged.tsv: repo, code, file:line, verdict, ...), how many judged FALSE ones
are gone in AFTER (good) and how many judged TRUE ones are gone (lost true
findings, bad). A finding is matched by (repo, code, file, line).
"""
import argparse
import collections
import csv
import glob
import json
import os
import sys


def load_run(d):
    keys = set()
    counts = collections.Counter()
    repos = set()
    for p in sorted(glob.glob(os.path.join(d, "*.json"))):
        repo = os.path.basename(p)[:-5]
        try:
            data = json.load(open(p))
        except Exception as e:
            print(f"warning: cannot read {p}: {e}", file=sys.stderr)
            continue
        repos.add(repo)
        items = data if isinstance(data, list) else data.get("findings", [])
        for f in items:
            counts[f["code"]] += 1
            keys.add((repo, f["code"], f["path"], int(f["line"])))
    return repos, counts, keys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--judged", default=None, help="judged.tsv (default: BEFORE/judged.tsv)")
    a = ap.parse_args()
    judged_path = a.judged or os.path.join(a.before, "judged.tsv")
    rb, cb, kb = load_run(a.before)
    ra, ca, ka = load_run(a.after)
    if rb != ra:
        print(f"note: repo sets differ: only before {sorted(rb - ra)}, only after {sorted(ra - rb)}", file=sys.stderr)
    judged = collections.defaultdict(lambda: collections.Counter())
    gone_examples = collections.defaultdict(list)
    seen = set()
    for r in csv.DictReader(open(judged_path), delimiter="\t"):
        loc = r["file:line"]
        path, _, line = loc.rpartition(":")
        key = (r["repo"], r["code"], path, int(line))
        if key in seen:
            continue
        seen.add(key)
        v = r["verdict"].upper()
        j = judged[r["code"]]
        j[v] += 1
        if key not in kb:
            j["not-in-before"] += 1
            continue
        if key not in ka:
            j[v + "-gone"] += 1
            if v == "TRUE":
                gone_examples[r["code"]].append(f"{r['repo']} {loc}")
    codes = sorted(set(cb) | set(ca) | set(judged))
    print("| rule | before | after | judged | judged FALSE | FALSE gone | judged TRUE | TRUE gone (lost) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    tot = collections.Counter()
    for c in codes:
        j = judged.get(c, collections.Counter())
        row = [cb[c], ca[c], j["TRUE"] + j["FALSE"], j["FALSE"], j["FALSE-gone"], j["TRUE"], j["TRUE-gone"]]
        for k, v in zip(["b", "a", "j", "f", "fg", "t", "tg"], row):
            tot[k] += v
        print(f"| {c} | " + " | ".join(str(x) for x in row) + " |")
    print("| **total** | " + " | ".join(str(tot[k]) for k in ["b", "a", "j", "f", "fg", "t", "tg"]) + " |")
    missing = sum(j["not-in-before"] for j in judged.values())
    if missing:
        print(f"\nnote: {missing} judged findings are not in BEFORE (judged.tsv/BEFORE mismatch)", file=sys.stderr)
    if gone_examples:
        print("\nLost judged-TRUE findings:")
        for c, ex in sorted(gone_examples.items()):
            for e in ex:
                print(f"- {c}: {e}")


if __name__ == "__main__":
    main()
