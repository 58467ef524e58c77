#!/bin/bash
# The benchmark: builds zilonnx, exports the model set if missing, runs `zilonnx bench --json` on each model
# and PyTorch's own step on the same models (once, then in rounds alternating with zilonnx's bp step), writes
# bench/results/*.json and prints the tables of bench/README.md.
#
#   bench/run.sh                     # 2 threads, batch 64, 30 warm-up rounds at least and 30 timed rounds
#   THREADS=4 STEPS=50 bench/run.sh
#
# Needs the .NET 10 SDK, and for the models and the PyTorch comparison Debian's python3-torch, python3-onnx and
# libopenblas0-pthread (/usr/bin/python3). Takes about 40 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
STEPS=${STEPS:-30}
# The least warm-up: `zilonnx bench` goes on until .NET's JIT has compiled nothing for 2 s, since its background
# compilations take a core from libtorch and slow the steps they overlap.
WARMUP=${WARMUP:-30}
BATCH=${BATCH:-64}
ORT_RUNS=${ORT_RUNS:-300} # the export and the original differ by a few percent at most: many runs to see it
MODELS=(lenet5 vgg6 rnn lstm gru resmlp)
RESULTS=bench/results

dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
ZILONNX=(dotnet src/Cli/bin/Release/net10.0/zilonnx.dll)

for model in "${MODELS[@]}"; do
    if [ ! -f "bench/models/$model.onnx" ]; then
        /usr/bin/python3 bench/generate_models.py bench/models
        break
    fi
done

mkdir -p "$RESULTS"
for model in "${MODELS[@]}"; do
    extra=()
    [ "$model" = lenet5 ] && extra=(--epoch)
    echo "bench $model" >&2
    "${ZILONNX[@]}" bench "bench/models/$model.onnx" --batch-size "$BATCH" --threads "$THREADS" --warmup "$WARMUP" \
        --steps "$STEPS" --ort-runs "$ORT_RUNS" "${extra[@]}" --json >"$RESULTS/$model.json.tmp"
    mv "$RESULTS/$model.json.tmp" "$RESULTS/$model.json"
done

echo "PyTorch" >&2
/usr/bin/python3 bench/pytorch_step.py --batch-size "$BATCH" --threads "$THREADS" --warmup "$WARMUP" --steps 50 --json >"$RESULTS/pytorch.json.tmp"
mv "$RESULTS/pytorch.json.tmp" "$RESULTS/pytorch.json"

echo "TorchSharp and PyTorch in alternation" >&2
/usr/bin/python3 bench/alternate_pytorch.py --rounds "${ROUNDS:-5}" --threads "$THREADS" --batch-size "$BATCH" --warmup "${ALTERNATION_WARMUP:-100}" >"$RESULTS/alternating.json.tmp"
mv "$RESULTS/alternating.json.tmp" "$RESULTS/alternating.json"

/usr/bin/python3 bench/summarize.py "$RESULTS"
