#!/usr/bin/python3
"""Export the benchmark's model set (models.py) to ONNX.

Run:  /usr/bin/python3 bench/generate_models.py [OUT_DIR]      (default bench/models)

Writes OUT_DIR/{lenet5,vgg6,rnn,lstm,gru,resmlp}.onnx: opset 13, input `x` with a symbolic batch dimension,
output `y` (10 logits). Needs Debian's python3-torch (PyTorch 1.13) and python3-onnx; the benchmark's C# side
only reads the files.
"""
import os
import sys

import warnings

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import MODELS, build  # noqa: E402


def export(name, out_dir):
    model, shape = build(name)
    model.eval()
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(model, torch.zeros((2,) + shape), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=13, do_constant_folding=True)
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    parameters = sum(p.numel() for p in model.parameters())
    ops = sorted({n.op_type for n in graph.graph.node})
    print(f"{path}: {parameters} parameters, {os.path.getsize(path)} bytes, ops {ops}")


def main():
    warnings.filterwarnings("ignore")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
    os.makedirs(out_dir, exist_ok=True)
    for name in MODELS:
        export(name, out_dir)


if __name__ == "__main__":
    main()
