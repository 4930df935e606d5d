#!/usr/bin/env bash
# Time `make demo` on a fresh clone (first and second run) and one `brief ask`.
# Usage: scripts/time_demo.sh [WORKDIR]   (default: a new temporary folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
git clone --quiet "$repo" "$work/policybrief"
cd "$work/policybrief"
ln -s "$repo/../shared" ../shared 2>/dev/null || true

seconds() { local start=$SECONDS; "$@" >/dev/null; echo $((SECONDS - start)); }

first=$(seconds make demo)
second=$(seconds make demo)
ask_start=$(date +%s.%N)
.venv/bin/brief ask "How much is Alibaba investing in AI infrastructure?" >/dev/null
ask=$(echo "$(date +%s.%N) - $ask_start" | bc)
echo "make demo, fresh clone: ${first} s"
echo "make demo, second run:  ${second} s"
echo "brief ask (one question, cold process): ${ask} s"
echo "clone kept at $work/policybrief"
