#!/usr/bin/env bash
# Measures the controller: targets scraped and evaluated per CPU second (goal: at least 2,000 per core) and
# breach -> actuation latency through the real controller loop (goal: within one interval + 100 ms).
# The page servers run in a child process, so the measured process only scrapes and evaluates.
# Usage: Benchmarks/controller/run.sh [TARGETS] [SECONDS]   (default 1000 targets, 10 s). Prints one JSON object.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
targets="${1:-1000}"
seconds="${2:-10}"

echo "building ballast (release)..." >&2
(cd "$root" && nice -n 10 swift build -c release --product ballast >&2)
"$root/.build/release/ballast" bench controller --targets "$targets" --duration "$seconds" --json
