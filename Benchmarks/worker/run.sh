#!/usr/bin/env bash
# Serves one model with `ballast worker`, then with llama.cpp's `llama-server` (never both at once), drives each
# with the same `ballast load` runs (1 and 16 closed-loop streams of chat requests from prompts.txt, alternating,
# ROUNDS times) and prints one JSON object: tokens/s, first-token and inter-token latency of both (each the median
# over the rounds, so a slow spell on a shared machine does not land on one stream count only), and the ratios.
#
#   MODEL       cache name or GGUF path (default smollm2-135m)
#   THREADS     forward-pass threads for both servers (default: all processors)
#   DURATION    length of each load run (default 30s)
#   ROUNDS      load runs at each stream count, alternating with the other count (default 3)
#   MAX_TOKENS  max_tokens of every request (default 128)
#   IGNORE_EOS  1 (default): both servers generate exactly MAX_TOKENS per request, so both do the same work
#   BALLAST     a built ballast binary (default: build .build/release/ballast)
#   LLAMA_CPP_BIN  directory of llama-server and its libraries (default /root/.cache/llama-cpp/bin, built by
#                  /work/shared/tools/build-llama-cpp.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../common.sh
source Benchmarks/common.sh
model=${MODEL:-smollm2-135m}
threads=${THREADS:-$(nproc)}
duration=${DURATION:-30s}
rounds=${ROUNDS:-3}
max_tokens=${MAX_TOKENS:-128}
ignore_eos=${IGNORE_EOS:-1}
streams=16
llama_bin=${LLAMA_CPP_BIN:-/root/.cache/llama-cpp/bin}
prompts=Benchmarks/worker/prompts.txt
ballast=$(ballast_binary)
model_path=$(model_file "$model")
[ -x "$llama_bin/llama-server" ] || { echo "run.sh: no $llama_bin/llama-server; run build-llama-cpp.sh" >&2; exit 1; }
[[ "$duration" =~ s$|m$ ]] || duration="${duration}s"

work=$(mktemp -d)
server_pid=
stop_server() {
    [ -n "$server_pid" ] || return 0
    kill -TERM "$server_pid" 2>/dev/null || true
    # Bounded: a server that does not stop within 60 s is killed, so the next one never runs beside it.
    for _ in $(seq 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready URL LOG: polls URL until it answers 200, for at most 120 s, while the server runs.
wait_ready() {
    for _ in $(seq 1200); do
        kill -0 "$server_pid" 2>/dev/null || { echo "run.sh: the server exited; its log:" >&2; tail -20 "$2" >&2; exit 1; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ] && return 0
        sleep 0.1
    done
    echo "run.sh: $1 did not answer 200 within 120 s; the server's log:" >&2
    tail -20 "$2" >&2
    exit 1
}

# measure NAME URL: the load runs against the server at URL, 1 and 16 streams in turn for each round, into
# $work/NAME-C-R.json.
measure() {
    local flags=(--chat --prompts "$prompts" --max-tokens "$max_tokens" --duration "$duration" --json)
    [ "$ignore_eos" = 1 ] && flags+=(--ignore-eos)
    for r in $(seq "$rounds"); do
        for c in 1 "$streams"; do
            echo "run.sh: $1, round $r of $rounds, $c stream(s) for $duration" >&2
            "$ballast" load "$2" --concurrency "$c" "${flags[@]}" >"$work/$1-$c-$r.json"
        done
    done
}

port=$(free_port)
echo "run.sh: ballast worker ($threads threads) on port $port" >&2
"$ballast" worker --model "$model_path" --version bench --port "$port" --threads "$threads" \
    --max-batch "$streams" --min-batch 1 >"$work/ballast.log" 2>&1 &
server_pid=$!
wait_ready "http://127.0.0.1:$port/ready" "$work/ballast.log"
measure ballast "http://127.0.0.1:$port"
stop_server

port=$(free_port)
echo "run.sh: llama-server ($threads threads, $streams slots) on port $port" >&2
LD_LIBRARY_PATH="$llama_bin" "$llama_bin/llama-server" -m "$model_path" -t "$threads" --parallel "$streams" \
    -c $((streams * 512)) --cont-batching --host 127.0.0.1 --port "$port" >"$work/llama.log" 2>&1 &
server_pid=$!
wait_ready "http://127.0.0.1:$port/health" "$work/llama.log"
measure llama "http://127.0.0.1:$port"
stop_server

python3 - "$work" "$model_path" "$threads" "$duration" "$max_tokens" "$ignore_eos" "$streams" "$rounds" <<'PY'
import json, statistics, sys
work, model, threads, duration, max_tokens, ignore_eos, streams, rounds = sys.argv[1:9]

def one(r):
    return {
        "tokens_per_second": r["tokensPerSecond"], "requests": r["requests"], "succeeded": r["succeeded"],
        "ttft_p50_ms": r["timeToFirstToken"]["p50"] * 1e3, "ttft_p95_ms": r["timeToFirstToken"]["p95"] * 1e3,
        "itl_p50_ms": r["interTokenLatency"]["p50"] * 1e3, "itl_p95_ms": r["interTokenLatency"]["p95"] * 1e3,
        "e2e_p50_ms": r["endToEnd"]["p50"] * 1e3,
    }

def summary(name, c):
    runs = [json.load(open(f"{work}/{name}-{c}-{r}.json")) for r in range(1, int(rounds) + 1)]
    each = [one(r) for r in runs]
    # Every figure is the median over the rounds; requests add up; errors are listed per round.
    out = {key: statistics.median(e[key] for e in each) for key in each[0]}
    out["requests"] = sum(e["requests"] for e in each)
    out["succeeded"] = sum(e["succeeded"] for e in each)
    out["errors"] = [r["errors"] for r in runs]
    out["tokens_per_second_rounds"] = [e["tokens_per_second"] for e in each]
    return out

ours = {c: summary("ballast", c) for c in ("1", streams)}
llama = {c: summary("llama", c) for c in ("1", streams)}

def ratio(a, b):
    return a / b if b else None

print(json.dumps({
    "model": model, "threads": int(threads), "duration": duration, "rounds": int(rounds), "max_tokens": int(max_tokens),
    "ignore_eos": ignore_eos == "1", "streams": [1, int(streams)],
    "ballast": ours, "llama_cpp": llama,
    "ratios": {
        f"ours_{streams}_over_ours_1": ratio(ours[streams]["tokens_per_second"], ours["1"]["tokens_per_second"]),
        f"llama_{streams}_over_llama_1": ratio(llama[streams]["tokens_per_second"], llama["1"]["tokens_per_second"]),
        f"ours_{streams}_over_llama_{streams}": ratio(ours[streams]["tokens_per_second"], llama[streams]["tokens_per_second"]),
        "ours_1_over_llama_1": ratio(ours["1"]["tokens_per_second"], llama["1"]["tokens_per_second"]),
        f"itl_p95_ours_over_llama_{streams}": ratio(ours[streams]["itl_p95_ms"], llama[streams]["itl_p95_ms"]),
        "itl_p95_ours_over_llama_1": ratio(ours["1"]["itl_p95_ms"], llama["1"]["itl_p95_ms"]),
    },
}, indent=2))
PY
