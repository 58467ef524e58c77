#!/usr/bin/env bash
# The core acceptance check on models that are not in the repository: PyTorch exports a LeNet-5 and a residual
# MLP with fresh weights and data (seed $SEED) and trains them with torch.optim.SGD; zilonnx fine-tunes the same
# exports with Z-IL; ONNX Runtime's outputs of the exported models must match PyTorch's within 1e-4, and
# `zilonnx verify` must report float64 divergences of at most 1e-10.
# Needs Debian's python3-torch and python3-onnx (for /usr/bin/python3). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${SEED:-7}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
/usr/bin/python3 tests/fixtures/generate_fixtures.py --out "$work" --seed "$seed" --large-references > "$work/generate.log"
dotnet build src/Cli -c Release -v quiet -nologo
zilonnx=src/Cli/bin/Release/net10.0/zilonnx


for network in lenet5 residual_mlp; do
  for loss in mse ce; do
    for steps in 1 20; do
      out="$work/$network.$loss.$steps.onnx"
      "$zilonnx" finetune "$work/$network.onnx" --data "$work/$network.$loss.npz" --rule zil --loss "$loss" --optimizer sgd \
          --lr 0.05 --batch-size 8 --steps "$steps" --no-shuffle -o "$out" --quiet
      /usr/bin/python3 - "$work" "$network" "$loss" "$steps" <<'PY'
import sys, numpy as np
work, network, loss, steps = sys.argv[1:]
x = np.load(f"{work}/{network}.{loss}.npz")["x"][:8]
np.savez(f"{work}/x8.npz", x=x)
PY
      "$zilonnx" run "$out" --data "$work/x8.npz" -o "$work/ort.npz" --engine ort > /dev/null
      diff=$(/usr/bin/python3 -c "
import numpy as np
a = np.load('$work/ort.npz')['y'].astype(np.float64)
e = np.load('$work/$network.$loss.steps$steps.expected.npz')['__output__']
print(f'{np.abs(a - e).max():.3e}')")
      rel=$("$zilonnx" verify "$work/$network.onnx" --data "$work/$network.$loss.npz" --rule zil --loss "$loss" --lr 0.05 \
          --batch-size 8 --steps "$steps" --no-shuffle --precision float64 --json | /usr/bin/python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['max_rel_divergence']:.3e}\")")
      echo "$network $loss steps=$steps: |ORT - PyTorch SGD| max $diff; verify float64 max relative divergence $rel"
    done
  done
done
