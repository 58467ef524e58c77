#!/usr/bin/env bash
# Your own images, end to end: Fashion-MNIST written out as a folder of 56x56 RGB PNGs (standing in for a user's
# photos: one subfolder per class, train/ and test/ splits), evaluated and fine-tuned with preprocessing options,
# and the exported model evaluated on the folder again with the preprocessing it stored. Outputs go to out/images
# (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-out}/images
mkdir -p "$out"
scripts/install-packages.sh dataset-fashion-mnist
dotnet build src/Cli -c Release -v quiet -nologo
zilonnx=src/Cli/bin/Release/net10.0/zilonnx
idx=/usr/share/datasets/fashion-mnist
[ -d "$idx" ] || idx=models/data/fashion-mnist-subset

echo "== a folder of PNGs from $idx"
/usr/bin/python3 scripts/write_image_folder.py "$idx" "$out/photos" --train 6000 --test 1000 --scale 2

echo "== before: the shipped model on the test images, resized to its 28x28 input"
"$zilonnx" eval models/lenet5-fashion.onnx --data "$out/photos" --resize 28 | head -2

echo "== fine-tune on the training images (resized, randomly shifted by up to 2 pixels), every step verified against backprop"
"$zilonnx" finetune models/lenet5-fashion.onnx --data "$out/photos" --resize 28 --augment crop:2 --seed 1 \
    --rule zil --loss ce --optimizer sgd --lr 0.01 --batch-size 64 --epochs 1 --val-data "$out/photos" \
    -o "$out/lenet5-photos.onnx"

echo "== what the exported model remembers"
"$zilonnx" inspect "$out/lenet5-photos.onnx" | grep -i -A2 -E "preprocess|classes"

echo "== after: the exported model on the test images, with the preprocessing it stored (no options)"
"$zilonnx" eval "$out/lenet5-photos.onnx" --data "$out/photos" | head -2
