#!/usr/bin/env bash
# Time `make demo` on a fresh clone (first and second run) and one `brief ask`.
# Usage: scripts/time_demo.sh [WORKDIR]   (default: a new temporary folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
git clone --quiet "$repo" "$work/policybrief"
cd "$work/policybrief"
ln -s "$repo/../shared" ../shared 2>/dev/null || true

TIMEFORMAT=%R
seconds() { { time "$@" >/dev/null 2>&1; } 2>&1; }

first=$(seconds make demo)
second=$(seconds make demo)
ask=$(seconds .venv/bin/brief ask "How much is Alibaba investing in AI infrastructure?")
echo "make demo, fresh clone: ${first} s"
echo "make demo, second run:  ${second} s"
echo "brief ask (one question, cold process): ${ask} s"
echo "clone kept at $work/policybrief"
