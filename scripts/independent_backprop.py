#!/usr/bin/python3
"""An independent backprop for the acceptance check on CNTK-style models (scripts/acceptance-cntk-check.sh).

Usage: independent_backprop.py MODEL.onnx TUNED.onnx STEPS LR

Interprets the ONNX graph with PyTorch (float64, autograd), for the operators a CNTK MNIST export uses (Conv
with auto_pad, Add, Relu, MaxPool, Reshape, MatMul, Gemm), trains it with plain SGD on the first STEPS
Fashion-MNIST training images one at a time in file order (softmax cross-entropy), and compares the result
with TUNED.onnx (the model zilonnx fine-tuned with the same settings). Prints the largest difference of any
parameter relative to how far training moved it, and the largest output difference on test images.
Needs Debian's python3-torch, python3-onnx and dataset-fashion-mnist. Not part of the tests.
"""
import gzip
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def same_pads(size, kernel, stride, dilation, upper):
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
    small, large = total // 2, total - total // 2
    return (small, large) if upper else (large, small)


def run(model, values):
    env = dict(values)
    for node in model.graph.node:
        a = attributes(node)
        x = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            w = x[1]
            strides, dilations = a.get("strides", [1, 1]), a.get("dilations", [1, 1])
            pads = a.get("pads", [0, 0, 0, 0])
            mode = a.get("auto_pad", b"NOTSET")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            if mode in ("SAME_UPPER", "SAME_LOWER"):
                (t, b), (l, r) = [same_pads(x[0].shape[2 + i], w.shape[2 + i], strides[i], dilations[i], mode == "SAME_UPPER") for i in range(2)]
                pads = [t, l, b, r]
            inp = F.pad(x[0], (pads[1], pads[3], pads[0], pads[2]))
            y = F.conv2d(inp, w, x[2] if len(x) > 2 else None, stride=strides, dilation=dilations, groups=a.get("group", 1))
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Relu":
            y = torch.relu(x[0])
        elif op == "MaxPool":
            pads = a.get("pads", [0, 0, 0, 0])
            y = F.max_pool2d(F.pad(x[0], (pads[1], pads[3], pads[0], pads[2]), value=float("-inf")), a["kernel_shape"], a.get("strides", [1, 1]))
        elif op == "Reshape":
            y = x[0].reshape([int(v) for v in x[1].tolist()])
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * A @ B + (a.get("beta", 1.0) * x[2] if len(x) > 2 else 0)
        else:
            raise SystemExit(f"independent_backprop.py does not know {op}")
        env[node.output[0]] = y
    return env[model.graph.output[0].name]


def main():
    path, tuned_path, steps, lr = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    model, tuned = onnx.load(path), onnx.load(tuned_path)
    inputs = {i.name for i in model.graph.input}
    params, consts = {}, {}
    for t in model.graph.initializer:
        array = numpy_helper.to_array(t)
        if array.dtype.kind == "f":
            params[t.name] = torch.tensor(array.astype(np.float64), requires_grad=True)
        else:
            consts[t.name] = torch.tensor(array)
    data_input = next(i.name for i in model.graph.input if i.name not in params and i.name not in consts)
    shape = [d.dim_value for d in model.graph.input[[i.name for i in model.graph.input].index(data_input)].type.tensor_type.shape.dim]
    images = idx(f"{DATA}/train-images-idx3-ubyte.gz").astype(np.float64) / 255.0
    labels = idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64)
    initial = {k: v.detach().clone() for k, v in params.items()}
    for step in range(steps):
        x = torch.tensor(images[step].reshape(shape))
        logits = run(model, {data_input: x, **params, **consts})
        loss = F.cross_entropy(logits.reshape(1, -1), torch.tensor([labels[step]]))
        grads = torch.autograd.grad(loss, list(params.values()))
        with torch.no_grad():
            for p, g in zip(params.values(), grads):
                p -= lr * g
    worst = 0.0
    ours = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in tuned.graph.initializer}
    for name, p in params.items():
        moved = np.abs(p.detach().numpy() - initial[name].numpy()).max()
        diff = np.abs(ours[name] - p.detach().numpy()).max()
        worst = max(worst, diff / moved if moved > 0 else diff)
    tests = idx(f"{DATA}/t10k-images-idx3-ubyte.gz").astype(np.float64) / 255.0
    out_diff = 0.0
    tuned_params = {k: torch.tensor(v) for k, v in ours.items() if k in params}
    with torch.no_grad():
        for i in range(16):
            x = torch.tensor(tests[i].reshape(shape))
            a = run(model, {data_input: x, **params, **consts})
            b = run(model, {data_input: x, **tuned_params, **consts})
            out_diff = max(out_diff, (a - b).abs().max().item())
    print(f"after {steps} steps: parameters differ by at most {worst:.3e} of their movement; outputs on 16 test images differ by at most {out_diff:.3e}")


if __name__ == "__main__":
    main()
