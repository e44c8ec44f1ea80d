#!/usr/bin/env bash
# Measures Ballast's Prometheus text parser against Go's expfmt on the same page, in one run.
# Prints one JSON object: {"page": ..., "ballast": {...}, "expfmt": {...}, "ratio": ballast MB/s / expfmt MB/s,
# "cpuRatio": the same per CPU second, steadier on a shared machine and fair to Go's concurrent collector}.
# Usage: Benchmarks/promtext/run.sh [ITERATIONS] [PAGE_FILE]
# Without PAGE_FILE it measures Ballast's built-in ~1 MB vLLM + node-exporter page. Builds offline.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
iterations="${1:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building ballast (release)..." >&2
(cd "$root" && nice -n 10 swift build -c release --product ballast >&2)
ballast="$root/.build/release/ballast"

echo "building the expfmt reference (offline, GOPATH mode)..." >&2
# Debian's golang-github-prometheus-common-dev puts expfmt and its dependencies in /usr/share/gocode;
# GOPATH mode with modules off reads them from there with no network.
(cd "$root/Benchmarks/promtext/expfmt-reference" &&
    GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE="$work/gocache" go build -o "$work/expfmt-reference" .)

page="${2:-$work/page.txt}"
if [ -z "${2:-}" ]; then
    "$ballast" bench promtext --write-page "$page"
fi

ours="$("$ballast" bench promtext --page "$page" --iterations "$iterations" --json)"
theirs="$("$work/expfmt-reference" -page "$page" -iterations "$iterations")"

python3 - "$ours" "$theirs" "$page" <<'PY'
import json, sys
ours, theirs, page = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
print(json.dumps({
    "page": page,
    "ballast": ours,
    "expfmt": theirs,
    "ratio": round(ours["mbPerSecond"] / theirs["mbPerSecond"], 2),
    "cpuRatio": round(ours["mbPerCPUSecond"] / theirs["mbPerCPUSecond"], 2),
}, sort_keys=True))
PY
