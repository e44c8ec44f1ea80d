#!/usr/bin/env bash
# Measures Ballast's engine beside llama.cpp on the same model file with the same thread count, in one run, and
# prints one JSON object with both and the ratios (ours / llama.cpp).
#
#   MODEL    cache name or GGUF path (default smollm2-135m)
#   THREADS  threads for both (default: all processors)
#   ROUNDS   rounds of `ballast bench engine`; each of its rates is the median over them (default 5)
#   BALLAST  a built ballast binary (default: build .build/release/ballast)
#   LLAMA_CPP_BIN  directory of llama-bench and its libraries (default /root/.cache/llama-cpp/bin, built by
#                  /work/shared/tools/build-llama-cpp.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../common.sh
source Benchmarks/common.sh
model=${MODEL:-smollm2-135m}
threads=${THREADS:-$(nproc)}
rounds=${ROUNDS:-5}
llama_bin=${LLAMA_CPP_BIN:-/root/.cache/llama-cpp/bin}
ballast=$(ballast_binary)
model_path=$(model_file "$model")
[ -x "$llama_bin/llama-bench" ] || { echo "run.sh: no $llama_bin/llama-bench; run build-llama-cpp.sh" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "run.sh: ballast bench engine ($threads threads, $rounds rounds)" >&2
"$ballast" bench engine --model "$model_path" --threads "$threads" --decode-steps 64 --rounds "$rounds" --json \
    >"$work/ours.json"
echo "run.sh: llama-bench -p 512 -n 128 ($threads threads)" >&2
LD_LIBRARY_PATH="$llama_bin" "$llama_bin/llama-bench" -m "$model_path" -t "$threads" -p 512 -n 128 -o json \
    >"$work/llama.json" 2>"$work/llama.err"
: >"$work/batched.jsonl"
if [ -x "$llama_bin/llama-batched-bench" ]; then
    echo "run.sh: llama-batched-bench -npl 1,4,16" >&2
    LD_LIBRARY_PATH="$llama_bin" "$llama_bin/llama-batched-bench" -m "$model_path" -t "$threads" -c 4096 \
        -npp 8 -ntg 64 -npl 1,4,16 --output-format jsonl 2>"$work/batched.err" | grep '^{' >"$work/batched.jsonl" || true
fi

python3 - "$work/ours.json" "$work/llama.json" "$work/batched.jsonl" "$model_path" "$threads" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
runs = json.load(open(sys.argv[2]))
prompt = next(r["avg_ts"] for r in runs if r["n_prompt"] > 0 and r["n_gen"] == 0)
decode = next(r["avg_ts"] for r in runs if r["n_gen"] > 0 and r["n_prompt"] == 0)
batched = {}
for line in open(sys.argv[3]):
    row = json.loads(line)
    batched[int(row["pl"])] = row.get("speed_tg")
our_decode = {d["batch"]: d["tokensPerSecond"] for d in ours["decode"]}
llama = {"prompt_tokens_per_second": prompt, "decode_tokens_per_second": {"1": decode}}
for batch, speed in sorted(batched.items()):
    llama["decode_tokens_per_second"][str(batch)] = speed
ratios = {
    "prompt": ours["promptTokensPerSecond"] / prompt,
    "decode_batch_1": our_decode.get(1, 0) / decode,
    "ours_batch_16_over_batch_1": our_decode.get(16, 0) / our_decode[1] if our_decode.get(1) else None,
}
for batch, speed in sorted(batched.items()):
    if speed and batch in our_decode:
        ratios[f"decode_batch_{batch}_vs_batched_bench"] = our_decode[batch] / speed
print(json.dumps({"model": sys.argv[4], "threads": int(sys.argv[5]), "ballast": ours, "llama_cpp": llama,
                  "ratios": ratios}, indent=2))
PY
