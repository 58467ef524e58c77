#!/usr/bin/env bash
# The main job, end to end: fine-tune the shipped LeNet-5 on Fashion-MNIST with Z-IL, checking every step
# against backprop, export a standard ONNX model, and evaluate it before and after with ONNX Runtime.
# Runs in a few minutes on two CPU cores. Outputs go to out/ (override with OUT=...): the fine-tuned model,
# metrics.jsonl (one line per step) and curves.png (loss, accuracy, divergence from backprop).
# Without the Debian package (and without root to install it) the embedded Fashion-MNIST subset stands in.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-out}
mkdir -p "$out"
scripts/install-packages.sh dataset-fashion-mnist
dotnet build src/Cli -c Release -v quiet -nologo
zilonnx=src/Cli/bin/Release/net10.0/zilonnx

echo "== before: the shipped model on the Fashion-MNIST test set (ONNX Runtime)"
"$zilonnx" eval models/lenet5-fashion.onnx --data fashion-mnist --provider auto | head -2

echo "== fine-tune with Z-IL, every step verified against backprop"
"$zilonnx" finetune models/lenet5-fashion.onnx --data fashion-mnist --rule zil --loss ce --optimizer sgd --lr 0.01 \
    --batch-size 64 --steps 300 --verify-every 1 --val-data fashion-mnist --metrics "$out/metrics.jsonl" --plot "$out/curves.png" \
    -o "$out/lenet5-finetuned.onnx"

echo "== the exported model, re-verified in float64 (tolerance 1e-10)"
"$zilonnx" verify "$out/lenet5-finetuned.onnx" --data fashion-mnist --rule zil --loss ce --batch-size 64 --steps 2 --precision float64 \
    | tail -1

echo "== after: the fine-tuned model on the Fashion-MNIST test set (ONNX Runtime)"
"$zilonnx" eval "$out/lenet5-finetuned.onnx" --data fashion-mnist --provider auto | head -2
