#!/bin/bash
# The benchmark: builds zilonnx, exports the model set if missing, runs `zilonnx bench --json` on each model
# and PyTorch's own step on the same models (once, then in rounds alternating with zilonnx's bp step), writes
# bench/results/*.json and prints the tables of bench/README.md.
#
#   bench/run.sh                     # both sets: 2 threads, 30 warm-up rounds at least and 30 timed rounds
#   THREADS=4 STEPS=50 bench/run.sh
#   SETS=finetune bench/run.sh       # only the models people fine-tune
#   ROUNDS=1 ALTERNATION_WARMUP=10 ALTERNATION_STEPS=10 bench/run.sh   # a shorter PyTorch alternation
#   DEVICE=cuda bench/run.sh         # on an NVIDIA GPU: builds with the CUDA libtorch, PyTorch steps on the GPU too,
#                                    # results in bench/results/cuda (README, On an NVIDIA GPU)
#   DEVICE=cuda ZILONNX=out/zilonnx-gpu/zilonnx bench/run.sh   # a zilonnx built elsewhere (no build here)
#
# The small set (LeNet-5 ... the residual MLP) is timed at batch $BATCH with every rule; the fine-tuning set
# (torchvision's CNNs and ViT, two text classifiers) at batch $FINETUNE_BATCH with bp, zil and zil+verify only: the relaxed
# dynamics and IL redo work that grows with the square of the depth, which on a DenseNet-121 is hours. A model whose
# bench fails leaves its error in bench/results/MODEL.error.txt and is left out of the PyTorch comparison.
#
# Needs the .NET 10 SDK, and for the models and the PyTorch comparison Debian's python3-torch, python3-torchvision,
# python3-onnx and libopenblas0-pthread (/usr/bin/python3). The small set takes about 40 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
STEPS=${STEPS:-30}
# The least warm-up: `zilonnx bench` goes on until .NET's JIT has compiled nothing for 2 s, since its background
# compilations take a core from libtorch and slow the steps they overlap.
WARMUP=${WARMUP:-30}
JIT_QUIET=${JIT_QUIET:-2} # seconds without a JIT compilation that end the warm-up (0: the rounds alone)
BATCH=${BATCH:-64}
FINETUNE_BATCH=${FINETUNE_BATCH:-8}
FINETUNE_RULES=${FINETUNE_RULES:-bp,zil,zil+verify} # the verified step is what finetune runs by default
ORT_RUNS=${ORT_RUNS:-300} # the export and the original differ by a few percent at most: many runs to see it
SETS=${SETS:-small finetune}
SMALL_MODELS=(lenet5 vgg6 rnn lstm gru resmlp)
FINETUNE_MODELS=(resnet18 mobilenet_v2 squeezenet1_1 shufflenet_v2_x0_5 efficientnet_b0 densenet121 vit_tiny transformer_text gru_text)
DEVICE=${DEVICE:-cpu}
case $DEVICE in
    cpu) RESULTS=${RESULTS:-bench/results} ;;
    cuda*) RESULTS=${RESULTS:-bench/results/cuda} ;;
    *) echo "error: DEVICE: '$DEVICE' is not cpu, cuda or cuda:N" >&2; exit 2 ;;
esac

if [ -n "${ZILONNX:-}" ]; then
    ZILONNX=("$ZILONNX")
else
    # The libtorch the build links: the CUDA package for a GPU run (docs/development.md, A CUDA libtorch).
    dotnet build src/Cli -c Release -v quiet -nologo -p:TorchDevice="$([ "$DEVICE" = cpu ] && echo cpu || echo cuda)" >/dev/null
    ZILONNX=(dotnet src/Cli/bin/Release/net10.0/zilonnx.dll)
fi
export ZILONNX_COMMAND="${ZILONNX[*]}" # for the alternation
mkdir -p "$RESULTS"

# bench_set NAME BATCH RULES MODEL...: zilonnx bench on each model, then PyTorch's step once and in alternation
# on those that ran. A token model's ids (bench/models/MODEL.npz) are its --data: bench does not make up ids.
bench_set() {
    local set=$1 batch=$2 rules=$3
    shift 3
    /usr/bin/python3 bench/generate_models.py bench/models "$@"
    local ran=()
    for model in "$@"; do
        local extra=()
        [ "$model" = lenet5 ] && extra+=(--epoch)
        [ -f "bench/models/$model.npz" ] && extra+=(--data "bench/models/$model.npz")
        echo "bench $model" >&2
        rm -f "$RESULTS/$model.error.txt"
        if "${ZILONNX[@]}" bench "bench/models/$model.onnx" --device "$DEVICE" --batch-size "$batch" --rules "$rules" --threads "$THREADS" \
            --warmup "$WARMUP" --jit-quiet "$JIT_QUIET" --steps "$STEPS" --ort-runs "$ORT_RUNS" "${extra[@]}" --json \
            >"$RESULTS/$model.json.tmp" 2>"$RESULTS/$model.stderr.tmp"; then
            mv "$RESULTS/$model.json.tmp" "$RESULTS/$model.json"
            ran+=("$model")
        else
            echo "bench $model failed: $(grep -m1 '^error:' "$RESULTS/$model.stderr.tmp" || tail -n1 "$RESULTS/$model.stderr.tmp")" >&2
            mv "$RESULTS/$model.stderr.tmp" "$RESULTS/$model.error.txt"
            rm -f "$RESULTS/$model.json" "$RESULTS/$model.json.tmp"
        fi
        rm -f "$RESULTS/$model.stderr.tmp"
    done
    [ ${#ran[@]} -gt 0 ] || return 0
    local models suffix
    models=$(IFS=,; echo "${ran[*]}")
    suffix=$([ "$set" = small ] && echo "" || echo "-$set")

    echo "PyTorch ($set)" >&2
    /usr/bin/python3 bench/pytorch_step.py --models "$models" --batch-size "$batch" --threads "$THREADS" --warmup "$WARMUP" --steps 50 --device "$DEVICE" --json \
        >"$RESULTS/pytorch$suffix.json.tmp"
    mv "$RESULTS/pytorch$suffix.json.tmp" "$RESULTS/pytorch$suffix.json"

    echo "TorchSharp and PyTorch in alternation ($set)" >&2
    /usr/bin/python3 bench/alternate_pytorch.py --models "$models" --rounds "${ROUNDS:-5}" --threads "$THREADS" --batch-size "$batch" \
        --warmup "${ALTERNATION_WARMUP:-100}" --steps "${ALTERNATION_STEPS:-30}" --device "$DEVICE" >"$RESULTS/alternating$suffix.json.tmp"
    mv "$RESULTS/alternating$suffix.json.tmp" "$RESULTS/alternating$suffix.json"
}

for set in $SETS; do
    case $set in
        small) bench_set small "$BATCH" bp,zil,zil-relaxed,il,zil+verify "${SMALL_MODELS[@]}" ;;
        finetune) bench_set finetune "$FINETUNE_BATCH" "$FINETUNE_RULES" "${FINETUNE_MODELS[@]}" ;;
        *) echo "error: SETS: unknown set '$set' (small, finetune)" >&2; exit 2 ;;
    esac
done

/usr/bin/python3 bench/summarize.py "$RESULTS"
