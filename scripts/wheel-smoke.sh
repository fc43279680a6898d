#!/usr/bin/env bash
# Builds the wheel from this checkout into a fresh virtualenv (pip fetches maturin from PyPI)
# and runs the installed prodlint on the bundled example repository: what a user of
# `pip install .` gets. Takes a release build (minutes); not part of .ci/run for that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet .
"$venv/bin/prodlint" --version
status=0
"$venv/bin/prodlint" check --output-format concise fixtures/repos/sentinel > "$venv/../out.txt" || status=$?
tail -n 1 "$venv/../out.txt"
# The example repository has findings: exit 1 is the expected result.
if [ "$status" -ne 1 ]; then
  echo "expected exit 1 from the example repository, got $status" >&2
  exit 1
fi
