#!/usr/bin/env bash
# How long a fresh install takes: a new venv and `pip install -e ".[test]"`, as `make` does it.
#   bash benchmarks/install_time.sh
# Prints the seconds and the venv's size, and writes them to benchmarks/results/install_time.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
end=$(date +%s.%N)
seconds=$(python3 -c "print(f'{$end - $start:.0f}')")
size=$(du -sh "$tmp/venv" | cut -f1)
echo "fresh install: ${seconds} s, venv ${size}"
mkdir -p benchmarks/results
printf '| what | value |\n|---|---|\n| fresh install (venv + pip install -e .[test]) | %s s |\n| venv size | %s |\n' "$seconds" "$size" > benchmarks/results/install_time.md
