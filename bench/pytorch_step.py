#!/usr/bin/python3
"""Time PyTorch's own backprop training step on the benchmark's models, for comparison with `zilonnx bench`'s bp.

Run:  /usr/bin/python3 bench/pytorch_step.py [--batch-size 64] [--threads 2] [--warmup 3] [--steps 50] [--device cpu|cuda] [--json]

The step is what `zilonnx bench` times for rule bp: forward pass, softmax cross-entropy (batch mean) on random
labels, backward pass, torch.optim.SGD step (lr 0.01), on random inputs in [0, 1) of the model's input shape (random
ids below the vocabulary for a token model), with the batches made beforehand (4 distinct ones, cycled). Needs Debian's python3-torch (PyTorch 1.13), which
runs on the system BLAS: install libopenblas0-pthread first, or it is several times slower. With --device cuda the
model and the batches live on the GPU and each step ends with the loss read back to the host, which waits for the
GPU as `zilonnx bench`'s step does.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import CLASSES, MODELS, build, random_inputs  # noqa: E402


def time_model(name, batch_size, warmup, steps, device):
    model, _ = build(name)
    model.to(device)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    batches = [(random_inputs(name, batch_size, generator).to(device),
                torch.randint(0, CLASSES, (batch_size,), generator=generator).to(device)) for _ in range(4)]

    def step(k):
        x, y = batches[k % len(batches)]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for k in range(warmup):
        step(k)
    times = []
    for k in range(steps):
        start = time.perf_counter()
        step(k)
        times.append((time.perf_counter() - start) * 1000)
    p10, p90 = np.percentile(times, [10, 90])
    return {"median_ms": round(statistics.median(times), 4), "p10_ms": round(float(p10), 4), "p90_ms": round(float(p90), 4),
            "samples_per_s": round(batch_size / (statistics.median(times) / 1000), 1)}


def blas():
    """The BLAS torch was built for and the library the process really loaded (Debian's torch calls the system one)."""
    built = next((part.split("=", 1)[1] for part in torch.__config__.show().replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?")
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    with open("/proc/self/maps") as f:
        loaded = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    return f"BLAS_INFO={built}, loaded: {', '.join(os.path.basename(os.path.dirname(p)) + '/' + os.path.basename(p) for p in loaded) or 'none'}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--device", default="cpu", help="cpu, or cuda[:N] for the GPU")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open("/proc/loadavg") as f:
        load_start = [float(v) for v in f.read().split()[:3]]
    device = torch.device(args.device)
    results = {name: time_model(name, args.batch_size, args.warmup, args.steps, device) for name in args.models.split(",")}
    with open("/proc/loadavg") as f:
        load_end = [float(v) for v in f.read().split()[:3]]
    report = {"torch": torch.__version__, "blas": blas(), "threads": torch.get_num_threads(), "batch_size": args.batch_size,
              "device": args.device, "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
              "warmup": args.warmup, "steps": args.steps, "load_average_start": load_start, "load_average_end": load_end,
              "models": results}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"PyTorch {report['torch']} ({report['blas']}), {report['threads']} threads, batch {args.batch_size}")
        for name, r in results.items():
            print(f"{name:8} median {r['median_ms']:8.2f} ms  p10 {r['p10_ms']:8.2f}  p90 {r['p90_ms']:8.2f}")


if __name__ == "__main__":
    main()
