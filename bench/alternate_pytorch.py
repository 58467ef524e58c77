#!/usr/bin/python3
"""TorchSharp's bp step against PyTorch's, each process run in turn, several rounds: the cross-process comparison.

Run:  /usr/bin/python3 bench/alternate_pytorch.py [--rounds 5] [--threads 2] [--batch-size 64] [--device cpu|cuda] > RESULTS/alternating.json

The two steps cannot share a process, and on a shared or virtual machine the speed of one process differs from the
next by more than the difference being measured. So each round runs, for every model, `zilonnx bench MODEL --rules bp`
and then bench/pytorch_step.py on the same model (the one that goes first changes every round), and the ratio is
taken per round, within a few seconds of each other; summarize.py reports the median over the rounds. Needs the
build bench/run.sh makes and the models it exports. Standard library only, besides those two programs.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# run.sh says which zilonnx it ran (a GPU build made elsewhere, say); by default the build it makes.
ZILONNX = os.environ.get("ZILONNX_COMMAND", "dotnet " + os.path.join(ROOT, "src/Cli/bin/Release/net10.0/zilonnx.dll")).split()
MODELS = ["lenet5", "vgg6", "rnn", "lstm", "gru", "resmlp"]


def data_option(model):
    """A token model's ids (generate_models.py writes them beside it): `zilonnx bench` does not make up ids."""
    path = os.path.join(HERE, "models", model + ".npz")
    return ["--data", path] if os.path.exists(path) else []


def zilonnx_bp(model, args):
    out = subprocess.run(ZILONNX + ["bench", os.path.join(HERE, "models", model + ".onnx"), "--rules", "bp", "--ort-runs", "0",
                                    "--batch-size", str(args.batch_size), "--threads", str(args.threads),
                                    "--warmup", str(args.warmup), "--steps", str(args.steps), "--device", args.device, "--json"]
                         + data_option(model),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["rules"]["bp"]["median_ms"]


def pytorch(model, args):
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "pytorch_step.py"), "--models", model, "--batch-size", str(args.batch_size),
                          "--threads", str(args.threads), "--warmup", str(args.warmup), "--steps", str(args.steps), "--device", args.device,
                          "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["models"][model]["median_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    # Both processes get the same untimed steps at least; zilonnx goes on until .NET's JIT is quiet.
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--device", default="cpu", help="cpu, or cuda[:N]: both steps on the GPU")
    args = parser.parse_args()
    pairs = {model: [] for model in args.models.split(",")}
    for round_ in range(args.rounds):
        for model in pairs:
            print(f"round {round_ + 1}/{args.rounds}: {model}", file=sys.stderr)
            if round_ % 2 == 0:
                ours = zilonnx_bp(model, args)
                theirs = pytorch(model, args)
            else:
                theirs = pytorch(model, args)
                ours = zilonnx_bp(model, args)
            pairs[model].append({"zilonnx_bp_ms": ours, "pytorch_ms": theirs})
            # On stderr as well, so a run stopped early still leaves the pairs it measured.
            print(f"round {round_ + 1}/{args.rounds}: {model}: zilonnx bp {ours} ms, PyTorch {theirs} ms", file=sys.stderr)
    print(json.dumps({"rounds": args.rounds, "threads": args.threads, "batch_size": args.batch_size, "steps": args.steps, "device": args.device,
                      "models": pairs}, indent=2))


if __name__ == "__main__":
    main()
