#!/usr/bin/python3
"""Export the untrained recurrent demo models that read Fashion-MNIST images row by row.

Run:  /usr/bin/python3 models/generate_row_models.py OUT_DIR [--seed S]

Writes OUT_DIR/rnn-fashion-rows.init.onnx and OUT_DIR/lstm-fashion-rows.init.onnx: an nn.RNN (tanh) and an
nn.LSTM, 28 input features (one image row per time step, 28 steps), hidden size 128, batch-first, with a
Linear(128, 10) head on the last hidden state (h_n). The shipped models in this folder are these exports
fine-tuned by zilonnx itself (see their model cards). Needs Debian's python3-torch and python3-onnx.
"""
import argparse
import os

import onnx
import torch
import torch.nn as nn

HIDDEN = 128


class RowReader(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.recurrent = cell(28, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, 10)

    def forward(self, x):
        _, state = self.recurrent(x)
        h_n = state[0] if isinstance(state, tuple) else state
        return self.head(h_n[-1])


def export(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 28, 28), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=13)
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    ops = sorted({n.op_type for n in graph.graph.node})
    print(f"{path}: {ops}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="folder to write the exports to")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    export(RowReader(nn.RNN), os.path.join(args.out, "rnn-fashion-rows.init.onnx"))
    export(RowReader(nn.LSTM), os.path.join(args.out, "lstm-fashion-rows.init.onnx"))


if __name__ == "__main__":
    main()
