#!/usr/bin/env bash
# The acceptance checks on models that are not in the repository: PyTorch exports feed-forward networks
# (LeNet-5, a residual MLP) and recurrent ones (RNN, LSTM, GRU many-to-one, an unrolled RNN) with fresh weights
# and data (seed $SEED) and trains them with torch.optim.SGD; zilonnx fine-tunes the same exports with Z-IL for
# 1 and 20 steps. ONNX Runtime's outputs of the exported models must match PyTorch's within 1e-4, `zilonnx
# verify` must report float64 divergences of at most 1e-10, and the exports must keep every node of the
# original graph (fused RNN/LSTM/GRU included) with only initializer values changed.
# Needs Debian's python3-torch and python3-onnx (for /usr/bin/python3). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${SEED:-7}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
/usr/bin/python3 tests/fixtures/generate_fixtures.py --out "$work" --seed "$seed" --large-references > "$work/generate.log"
/usr/bin/python3 tests/fixtures/generate_rnn_fixtures.py --out "$work" --seed "$seed" >> "$work/generate.log"
dotnet build src/Cli -c Release -v quiet -nologo
zilonnx=src/Cli/bin/Release/net10.0/zilonnx

for network in ${NETWORKS:-lenet5 residual_mlp rnn_tanh lstm gru rnn_unrolled}; do
  for loss in mse ce; do
    for steps in 1 20; do
      out="$work/$network.$loss.$steps.onnx"
      "$zilonnx" finetune "$work/$network.onnx" --data "$work/$network.$loss.npz" --rule zil --loss "$loss" --optimizer sgd \
          --lr 0.05 --batch-size 8 --steps "$steps" --no-shuffle -o "$out" --quiet > /dev/null
      /usr/bin/python3 -c "
import numpy as np
np.savez('$work/x8.npz', x=np.load('$work/$network.$loss.npz')['x'][:8])"
      "$zilonnx" run "$out" --data "$work/x8.npz" -o "$work/ort.npz" --engine ort > /dev/null
      report=$(/usr/bin/python3 -c "
import numpy as np, onnx
from onnx import numpy_helper
a = np.load('$work/ort.npz')['y'].astype(np.float64)
e = np.load('$work/$network.$loss.steps$steps.expected.npz')['__output__']
before, after = onnx.load('$work/$network.onnx'), onnx.load('$out')
same_nodes = list(before.graph.node) == list(after.graph.node)  # compared as messages: packed and unpacked encodings are equal
old = {t.name: numpy_helper.to_array(t) for t in before.graph.initializer}
new = {t.name: numpy_helper.to_array(t) for t in after.graph.initializer}
fused = [n for n in after.graph.node if n.op_type in ('RNN', 'LSTM', 'GRU')]
changed = all(not np.array_equal(old[w], new[w]) for n in fused for w in list(n.input)[1:4] if w in old)
kept = ' '.join(sorted({n.op_type for n in fused})) or 'none'
print(f'|ORT - PyTorch SGD| max {np.abs(a - e).max():.3e}; nodes unchanged {same_nodes}; fused nodes {kept}, W/R/B updated {changed}')")
      rel=$("$zilonnx" verify "$work/$network.onnx" --data "$work/$network.$loss.npz" --rule zil --loss "$loss" --lr 0.05 \
          --batch-size 8 --steps "$steps" --no-shuffle --precision float64 --json | /usr/bin/python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['max_rel_divergence']:.3e}\")")
      echo "$network $loss steps=$steps: $report; verify float64 max relative divergence $rel"
    done
  done
done
