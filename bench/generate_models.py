#!/usr/bin/python3
"""Export the benchmark's model set (models.py) to ONNX.

Run:  /usr/bin/python3 bench/generate_models.py [OUT_DIR] [NAME ...]      (default bench/models, every model)

Writes OUT_DIR/NAME.onnx for each model whose file is missing (delete a file to export it again): opset 13, input `x`
with a symbolic batch dimension, output `y` (10 logits); the weights are torch.manual_seed(0)'s, so an export is the
same every time. A token model (models.TOKEN_VOCABULARY) also gets OUT_DIR/NAME.npz, 512 samples of random ids `x`
(int64) and class labels `y`, for `zilonnx bench --data`, which does not make up ids. Needs Debian's python3-torch
(PyTorch 1.13), python3-torchvision and python3-onnx; the benchmark's C# side only reads the files.
"""
import os
import sys

import warnings

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import CLASSES, MODELS, SEED, TOKEN_VOCABULARY, build, random_inputs  # noqa: E402

TOKEN_SAMPLES = 512


def export(name, out_dir):
    model, _ = build(name)
    model.eval()
    path = os.path.join(out_dir, name + ".onnx")
    example = random_inputs(name, 2, torch.Generator().manual_seed(SEED))
    # Traced with gradients on: without them PyTorch 1.13 runs an encoder layer as one fused native op
    # (aten::_transformer_encoder_layer_fwd) that ONNX has no export for.
    torch.onnx.export(model, example, path + ".tmp", input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=13, do_constant_folding=True)
    graph = onnx.load(path + ".tmp")
    onnx.checker.check_model(graph)
    os.replace(path + ".tmp", path)
    parameters = sum(p.numel() for p in model.parameters())
    ops = sorted({n.op_type for n in graph.graph.node})
    print(f"{path}: {parameters} parameters, {os.path.getsize(path)} bytes, ops {ops}")


def write_tokens(name, out_dir):
    generator = torch.Generator().manual_seed(SEED)
    x = random_inputs(name, TOKEN_SAMPLES, generator).numpy()
    y = torch.randint(0, CLASSES, (TOKEN_SAMPLES,), generator=generator).numpy()
    path = os.path.join(out_dir, name + ".npz")
    with open(path + ".tmp", "wb") as f:
        np.savez(f, x=x, y=y)
    os.replace(path + ".tmp", path)
    print(f"{path}: {TOKEN_SAMPLES} samples of {x.shape[1]} ids below {TOKEN_VOCABULARY[name]}")


def main():
    warnings.filterwarnings("ignore")
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "models")
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        if not os.path.exists(os.path.join(out_dir, name + ".onnx")):
            export(name, out_dir)
        if name in TOKEN_VOCABULARY and not os.path.exists(os.path.join(out_dir, name + ".npz")):
            write_tokens(name, out_dir)


if __name__ == "__main__":
    main()
