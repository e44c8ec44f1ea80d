# Shared by the benchmark scripts (sourced from the package root).

# ballast_binary: prints $BALLAST, or builds the release `ballast` and prints its path.
ballast_binary() {
    if [ -n "${BALLAST:-}" ]; then
        echo "$BALLAST"
        return
    fi
    swift build -c release --product ballast >&2
    echo .build/release/ballast
}

# model_file MODEL: prints MODEL when it is a file, else the cached GGUF of a known model name; fails with what
# to do when there is none.
model_file() {
    local model=$1 path=$1
    if [ ! -f "$path" ]; then
        local cache=${BALLAST_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ballast/models}
        case "$model" in
            smollm2-135m) path="$cache/SmolLM2-135M-Instruct.Q4_1.gguf" ;;
            *) echo "run.sh: no model file $model; give a path or smollm2-135m" >&2; return 1 ;;
        esac
    fi
    [ -f "$path" ] || { echo "run.sh: $path is missing; run \`ballast model pull smollm2-135m\`" >&2; return 1; }
    echo "$path"
}
