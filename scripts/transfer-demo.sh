#!/usr/bin/env bash
# Transfer learning with a frozen backbone, end to end:
#   1. train a freshly initialised LeNet-5 (tests/fixtures/lenet5.onnx, PyTorch's random initialisation) on
#      Fashion-MNIST classes 0-4, all layers, with Z-IL;
#   2. transfer it to classes 5-9: --num-classes 5 puts in a new head, --train-last 2 trains only fc2 and fc3;
#   3. print test accuracy before and after (ONNX Runtime), and the step time of the frozen run against a full one.
# The class subsets are written as .npz files by /usr/bin/python3 with numpy (the demo's only use of Python; zilonnx
# itself does not need it). Outputs go to out/transfer (override with OUT=...). STEPS sets the training steps.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-out/transfer}
steps=${STEPS:-600}
mkdir -p "$out"
scripts/install-packages.sh dataset-fashion-mnist
dotnet build src/Cli -c Release -v quiet -nologo
zilonnx=src/Cli/bin/Release/net10.0/zilonnx

/usr/bin/python3 - "$out" <<'PY'
import gzip, sys, numpy as np
root, out = "/usr/share/datasets/fashion-mnist/", sys.argv[1]
def idx(name, offset):
    with gzip.open(root + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)
for split, prefix in (("train", "train"), ("test", "t10k")):
    x = idx(f"{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(f"{prefix}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    for name, low in (("a", 0), ("b", 5)):
        keep = (y >= low) & (y < low + 5)
        np.savez(f"{out}/{name}-{split}.npz", x=x[keep], y=y[keep] - low)
PY

common=(--rule zil --loss ce --optimizer momentum --lr 0.01 --batch-size 64 --verify-every 50 --seed 1)
echo "== 1. LeNet-5 from PyTorch's initialisation, all layers trained on classes 0-4"
"$zilonnx" finetune tests/fixtures/lenet5.onnx --num-classes 5 --data "$out/a-train.npz" --steps "$steps" "${common[@]}" -o "$out/lenet5-a.onnx" | tail -1
echo "classes 0-4 test accuracy: $("$zilonnx" eval "$out/lenet5-a.onnx" --data "$out/a-test.npz" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["top1"])')"

echo "== 2. transfer to classes 5-9: new head, fc2 and fc3 trained, the convolutions and fc1 frozen"
"$zilonnx" finetune "$out/lenet5-a.onnx" --num-classes 5 --train-last 2 --data "$out/b-train.npz" --steps "$steps" "${common[@]}" -o "$out/lenet5-b.onnx" | tail -1
# "Before": the classes 0-4 model with the new, untrained head (no steps taken), on classes 5-9.
"$zilonnx" finetune "$out/lenet5-a.onnx" --num-classes 5 --train-last 2 --data "$out/b-train.npz" --steps 1 --lr 1e-12 --seed 1 -o "$out/lenet5-b0.onnx" > /dev/null
for model in b0 b; do
    echo "classes 5-9 test accuracy ($model): $("$zilonnx" eval "$out/lenet5-$model.onnx" --data "$out/b-test.npz" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["top1"])')"
done

echo "== 3. step time (median ms, batch 64): all layers against --train-last 2, bp and zil timed in one process each"
for selection in "" "--train-last 2"; do
    "$zilonnx" bench "$out/lenet5-a.onnx" --num-classes 5 $selection --data "$out/b-train.npz" --batch-size 64 --rules bp,zil --json \
        | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print('${selection:-all layers}:', {r: round(v['median_ms'], 2) for r, v in d['rules'].items()})"
done
