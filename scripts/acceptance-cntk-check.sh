#!/usr/bin/env bash
# Acceptance check for models no PyTorch wrote: a CNTK-style MNIST CNN (the ONNX model zoo's layout: IR 3, opset 8,
# batch fixed at 1; give the path of a real CNTK export as $MODEL, or a fresh one is generated with seed $SEED) is
# fine-tuned on Fashion-MNIST with `--rule zil --batch-size 1 --no-shuffle` for 1 and 32 steps and compared with an
# independent backprop implementation (scripts/independent_backprop.py: PyTorch interpreting the same graph in
# float64). Needs Debian's python3-torch, python3-onnx and dataset-fashion-mnist. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
model=${MODEL:-}
if [ -z "$model" ]; then
  /usr/bin/python3 tests/fixtures/generate_foreign_fixtures.py --out "$work" --seed "${SEED:-5}" > /dev/null
  model="$work/cntk_style_cnn.onnx"
fi
dotnet build src/Cli -c Release -v quiet -nologo > /dev/null
zilonnx=src/Cli/bin/Release/net10.0/zilonnx
lr=${LR:-0.01}
for steps in 1 32; do
  "$zilonnx" finetune "$model" --data fashion-mnist --rule zil --loss ce --optimizer sgd --lr "$lr" --batch-size 1 \
      --steps "$steps" --no-shuffle -o "$work/tuned.$steps.onnx" --quiet
  /usr/bin/python3 scripts/independent_backprop.py "$model" "$work/tuned.$steps.onnx" "$steps" "$lr"
done
