#!/usr/bin/env bash
# Checks the product issue's "done when": one full epoch of Fashion-MNIST fine-tuning of the shipped LeNet-5
# with --rule zil reaches the same test accuracy as --rule bp from the same seed (to the printed precision),
# and the exported model's accuracy under ONNX Runtime equals the trainer's own evaluation.
# Not part of the tests (about a minute per rule on two cores). Usage: scripts/acceptance-epoch-check.sh [float32|float64]
set -euo pipefail
cd "$(dirname "$0")/.."
precision=${1:-float32}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
zilonnx=src/Cli/bin/Release/net10.0/zilonnx

declare -A trainer ort
for rule in bp zil; do
    log=$("$zilonnx" finetune models/lenet5-fashion.onnx --data fashion-mnist --rule "$rule" --loss ce --optimizer sgd --lr 0.01 \
        --batch-size 64 --epochs 1 --seed 1 --precision "$precision" --verify-every 0 --val-data fashion-mnist --quiet \
        -o "$out/$rule.onnx")
    echo "$rule: $(echo "$log" | tail -1)"
    trainer[$rule]=$(echo "$log" | tail -1 | sed -n 's/.*held-out top-1 [0-9.]* % -> \([0-9.]* %\).*/\1/p')
    ort[$rule]=$("$zilonnx" eval "$out/$rule.onnx" --data fashion-mnist --provider cpu | sed -n 's/.*top-1 \([0-9.]* %\).*/\1/p')
    echo "$rule: test top-1 by the trainer ${trainer[$rule]}, by ONNX Runtime on the export ${ort[$rule]}"
done

status=0
[ "${trainer[zil]}" = "${trainer[bp]}" ] || { echo "FAIL: zil ${trainer[zil]} != bp ${trainer[bp]}"; status=1; }
for rule in bp zil; do
    [ "${trainer[$rule]}" = "${ort[$rule]}" ] || { echo "FAIL: $rule trainer ${trainer[$rule]} != ONNX Runtime ${ort[$rule]}"; status=1; }
done
[ $status -eq 0 ] && echo "PASSED: zil = bp = ${trainer[zil]} after one epoch ($precision), and ONNX Runtime agrees"
exit $status
