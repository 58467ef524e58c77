#!/usr/bin/python3
"""Print the benchmark's tables (markdown) from the JSON files bench/run.sh wrote, with the issue's targets.

Run:  /usr/bin/python3 bench/summarize.py [RESULTS_DIR]      (default bench/results)

Reads RESULTS_DIR/<model>.json (`zilonnx bench --json`) and RESULTS_DIR/pytorch.json (bench/pytorch_step.py).
Standard library only.
"""
import json
import os
import statistics
import sys

MODELS = ["lenet5", "vgg6", "rnn", "lstm", "gru", "resmlp"]
RULES = ["bp", "zil", "zil-relaxed", "il", "zil+verify"]


def ms(value):
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def load(folder):
    results = {}
    for model in MODELS:
        path = os.path.join(folder, model + ".json")
        if os.path.exists(path):
            with open(path) as f:
                results[model] = json.load(f)
    pytorch = None
    path = os.path.join(folder, "pytorch.json")
    if os.path.exists(path):
        with open(path) as f:
            pytorch = json.load(f)
    alternating = None
    path = os.path.join(folder, "alternating.json")
    if os.path.exists(path):
        with open(path) as f:
            alternating = json.load(f)
    return results, pytorch, alternating


def alternating_ratios(alternating):
    """Per model: the median over the rounds of TorchSharp bp / PyTorch, each round's two processes run back to back."""
    if not alternating:
        return {}
    return {model: statistics.median(p["zilonnx_bp_ms"] / p["pytorch_ms"] for p in pairs) for model, pairs in alternating["models"].items()}


def alternating_table(alternating):
    ratios = alternating_ratios(alternating)
    lines = ["| model | TorchSharp bp ms, per round | PyTorch ms, per round | median of the rounds' ratios |", "|---|---|---|---:|"]
    for model, pairs in alternating["models"].items():
        lines.append(f"| {model} | {', '.join(ms(p['zilonnx_bp_ms']) for p in pairs)} | {', '.join(ms(p['pytorch_ms']) for p in pairs)} | {ratios[model]:.2f} |")
    return "\n".join(lines)


def step_table(results, pytorch):
    lines = ["| model | depth | " + " | ".join(f"{r} ms (/ bp)" for r in RULES) + " | PyTorch bp ms | bp / PyTorch |",
             "|---|---:|" + "---:|" * len(RULES) + "---:|---:|"]
    for model, r in results.items():
        cells = []
        for rule in RULES:
            x = r["rules"].get(rule)
            if x is None:
                cells.append("-")
            elif rule == "bp":
                cells.append(f"{ms(x['median_ms'])} ({ms(x['p10_ms'])}-{ms(x['p90_ms'])})")
            else:
                cells.append(f"{ms(x['median_ms'])} ({x['ratio_to_bp']:.2f})")
        pt = pytorch["models"].get(model) if pytorch else None
        bp = r["rules"]["bp"]["median_ms"]
        cells.append(ms(pt["median_ms"]) if pt else "-")
        cells.append(f"{bp / pt['median_ms']:.2f}" if pt else "-")
        lines.append(f"| {model} | {r['depth']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def memory_table(results):
    lines = ["| model | " + " | ".join(f"{r} MB (/ bp)" for r in RULES) + " | process peak MB |",
             "|---|" + "---:|" * len(RULES) + "---:|"]
    for model, r in results.items():
        cells = []
        for rule in RULES:
            x = r["rules"].get(rule)
            if x is None or x.get("step_memory_mb") is None:
                cells.append("-")
            elif rule == "bp":
                cells.append(f"{x['step_memory_mb']:.1f}")
            else:
                cells.append(f"{x['step_memory_mb']:.1f} ({x['memory_ratio_to_bp']:.2f})")
        peak = max((x.get("peak_rss_mb") or 0) for x in r["rules"].values())
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {peak:.0f} |")
    return "\n".join(lines)


def ort_table(results):
    lines = ["| model | original ms (p10-p90) | exported ms (p10-p90) | exported / original (p10-p90) |", "|---|---:|---:|---:|"]
    for model, r in results.items():
        o = r.get("onnxruntime")
        if o:
            lines.append(f"| {model} | {ms(o['original_ms'])} ({ms(o['original_p10_ms'])}-{ms(o['original_p90_ms'])}) | "
                         f"{ms(o['exported_ms'])} ({ms(o['exported_p10_ms'])}-{ms(o['exported_p90_ms'])}) | "
                         f"{o['ratio']:.3f} ({o['ratio_p10']:.2f}-{o['ratio_p90']:.2f}) |")
    return "\n".join(lines)


def targets(results, pytorch, alternating=None):
    """One row per target, one column per model: the measured value and whether it meets the target."""
    def cell(value, met, fmt="{:.2f}"):
        return "-" if value is None else fmt.format(value) + (" yes" if met else " **NO**")

    rows = []

    def rule_ratio(r, rule, key="ratio_to_bp"):
        x = r["rules"].get(rule)
        return None if x is None or x.get(key) is None else x[key]

    specs = [
        ("zil / bp step time <= 1.10", lambda m, r: (rule_ratio(r, "zil"), lambda v: v <= 1.10)),
        ("zil / bp step memory <= 1.2", lambda m, r: (rule_ratio(r, "zil", "memory_ratio_to_bp"), lambda v: v <= 1.2)),
        ("zil+verify / bp step time <= 2.2", lambda m, r: (rule_ratio(r, "zil+verify"), lambda v: v <= 2.2)),
        ("zil-relaxed / bp step time <= depth", lambda m, r: (rule_ratio(r, "zil-relaxed"), lambda v: v <= r["depth"])),
        ("exported / original ONNX Runtime latency within 3 %",
         lambda m, r: (r["onnxruntime"]["ratio"] if r.get("onnxruntime") else None, lambda v: abs(v - 1) <= 0.03)),
        ("TorchSharp bp / PyTorch bp step time <= 1" + (" (median of the alternating rounds)" if alternating else ""),
         lambda m, r: (alternating_ratios(alternating).get(m) if alternating else
                       r["rules"]["bp"]["median_ms"] / pytorch["models"][m]["median_ms"] if pytorch and m in pytorch["models"] else None,
                       lambda v: v <= 1.0)),
    ]
    header = "| target | " + " | ".join(results) + " |"
    rows.append(header)
    rows.append("|---|" + "---:|" * len(results))
    for name, spec in specs:
        cells = []
        for model, r in results.items():
            value, test = spec(model, r)
            fmt = "{:.3f}" if "3 %" in name else "{:.2f}"
            cells.append(cell(value, value is not None and test(value), fmt))
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    epoch = results.get("lenet5", {}).get("epoch")
    if epoch and "zil_to_bp" in epoch:
        v = epoch["zil_to_bp"]
        cells = [cell(v, v >= 0.9) if model == "lenet5" else "" for model in results]
        rows.append("| LeNet-5 epoch: zil / bp samples/s >= 0.9 | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    results, pytorch, alternating = load(folder)
    if not results:
        sys.exit(f"no results in {folder}")
    first = next(iter(results.values()))
    machine = first["machine"]
    loads = [f"{m} {r['machine']['load_average_start'][0]:.2f}-{r['machine']['load_average_end'][0]:.2f}"
             for m, r in results.items() if r["machine"].get("load_average_start")]
    quiet = sum(1 for r in results.values() if r.get("jit_quiet"))
    compiled = sum(r.get("jit_compilations_timed", 0) for r in results.values())
    rounds = ", ".join(f"{model} {r['warmup']}" for model, r in results.items())
    warmup = f"rounds {rounds}; quiet in {quiet} of {len(results)} runs, {compiled} methods compiled while timed"
    print(f"Machine: {machine['cpu']}, {machine['cores']} cores; {first['precision']} on {first['device']}, {first['threads']} threads, "
          f"batch {first['batch_size']}, {first['loss']}, {first['optimizer']}, {first['data']} data; "
          f"warm-up until .NET's JIT was quiet ({warmup}), then {first['steps']} timed rounds per model, the rules in alternation.")
    print(f"1-minute load average at the start and end of each model's run: {', '.join(loads)}.")
    if pytorch:
        print(f"PyTorch {pytorch['torch']} ({pytorch['blas']}), {pytorch['threads']} threads, {pytorch['steps']} timed steps; "
              f"load average {pytorch['load_average_start'][0]:.2f}-{pytorch['load_average_end'][0]:.2f}.")
    print()
    print("Step time, median ms (bp: p10-p90; the others: median of the per-round ratio to bp):")
    print()
    print(step_table(results, pytorch))
    print()
    print("Step memory (rise of the resident peak during the rule's steps), MB:")
    print()
    print(memory_table(results))
    print()
    print("ONNX Runtime latency of the exported model against the original (batch of the same size, CPU):")
    print()
    print(ort_table(results))
    epoch = results.get("lenet5", {}).get("epoch")
    if epoch:
        print()
        runs = ", ".join(f"{rule} {epoch[rule]['samples_per_s']:.0f} samples/s ({epoch[rule]['seconds']:.1f} s)" for rule in ("bp", "zil") if rule in epoch)
        print(f"LeNet-5, one epoch of {epoch['data']} ({epoch['samples']} samples, {epoch['steps']} steps of {epoch['batch_size']}): {runs}.")
    if alternating:
        print()
        print(f"TorchSharp's bp step against PyTorch's, the two processes run back to back for each model, {alternating['rounds']} rounds "
              f"({alternating['steps']} timed steps each, medians in ms):")
        print()
        print(alternating_table(alternating))
    print()
    print("Targets:")
    print()
    print(targets(results, pytorch, alternating))


if __name__ == "__main__":
    main()
