#!/usr/bin/env bash
# Rerun prodlint on every evaluation repo.
# usage: run.sh <prodlint-binary> <output-dir>
# Produces <out>/<repo>.json, <out>/<repo>.txt (concise), <out>/counts.tsv (repo, code, count),
# <out>/timing.tsv (repo, exit code, wall seconds, max RSS KiB).
set -uo pipefail
bin=$(realpath "${1:?binary path}"); mkdir -p "${2:?output dir}"; out=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
printf 'repo\tcode\tcount\n' > "$out/counts.tsv"
printf 'repo\texit\twall_s\tmax_rss_kib\n' > "$out/timing.tsv"
for dir in "$here"/repos/*/; do
  repo=$(basename "$dir")
  # run from inside the repo so reported paths are repo-relative (compare.py matches on them)
  (cd "$dir" && /usr/bin/time -f '%e %M' -o "$out/$repo.time" \
    "$bin" check . --output-format json -q > "$out/$repo.json" 2> "$out/$repo.stderr")
  rc=$?
  (cd "$dir" && "$bin" check . --output-format concise -q > "$out/$repo.txt" 2>/dev/null)
  read -r wall rss < <(tail -n1 "$out/$repo.time")
  printf '%s\t%s\t%s\t%s\n' "$repo" "$rc" "$wall" "$rss" >> "$out/timing.tsv"
  [ "$rc" -le 1 ] || echo "ERROR: $repo exit $rc (see $out/$repo.stderr)" >&2
  python3 - "$out/$repo.json" "$repo" >> "$out/counts.tsv" <<'PY'
import json, sys, collections
path, repo = sys.argv[1], sys.argv[2]
try:
    data = json.load(open(path))
except Exception:
    sys.exit(0)
items = data if isinstance(data, list) else data.get("findings", data.get("diagnostics", []))
c = collections.Counter(f.get("code") for f in items)
for code, n in sorted(c.items()):
    print(f"{repo}\t{code}\t{n}")
PY
done
echo "done: $out/counts.tsv" >&2
