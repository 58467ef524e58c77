#!/usr/bin/python3
"""Print the benchmark's tables (markdown) from the JSON files bench/run.sh wrote, with the issue's targets.

Run:  /usr/bin/python3 bench/summarize.py [RESULTS_DIR]      (default bench/results)

Reads RESULTS_DIR/<model>.json (`zilonnx bench --json`), RESULTS_DIR/<model>.error.txt (a model whose bench failed:
its error), RESULTS_DIR/pytorch*.json (bench/pytorch_step.py) and RESULTS_DIR/alternating*.json
(bench/alternate_pytorch.py), and RESULTS_DIR/verify-beside/<model>.json where present (`--verify-beside`). The models are grouped by batch size, a group of tables each; a PyTorch file counts
for the group of its batch size. Standard library only.
"""
import json
import os
import statistics
import sys

MODELS = ["lenet5", "vgg6", "rnn", "lstm", "gru", "resmlp",
          "resnet18", "mobilenet_v2", "squeezenet1_1", "shufflenet_v2_x0_5", "efficientnet_b0", "densenet121", "vit_tiny",
          "transformer_text", "gru_text"]
RULES = ["bp", "zil", "zil-relaxed", "il", "zil+verify"]


def ms(value):
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def load(folder):
    results, failures = {}, {}
    for model in MODELS:
        path = os.path.join(folder, model + ".json")
        if os.path.exists(path):
            with open(path) as f:
                results[model] = json.load(f)
        path = os.path.join(folder, model + ".error.txt")
        if os.path.exists(path):
            with open(path) as f:
                failures[model] = f.read().strip()
    others = {}
    for kind in ("pytorch", "alternating"):
        others[kind] = []
        for name in sorted(os.listdir(folder)):
            if name.startswith(kind) and name.endswith(".json"):
                with open(os.path.join(folder, name)) as f:
                    others[kind].append(json.load(f))
    return results, failures, others["pytorch"], others["alternating"]


def for_batch(files, batch_size):
    """The first file measured at this batch size, or None."""
    return next((f for f in files if f["batch_size"] == batch_size), None)


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


def rules_of(results):
    """The rules some model of the group was timed with, in RULES' order."""
    return [rule for rule in RULES if any(rule in r["rules"] for r in results.values())]


def step_table(results, pytorch):
    rules = rules_of(results)
    lines = ["| model | depth | " + " | ".join(f"{r} ms (/ bp)" for r in rules) + " | PyTorch bp ms | bp / PyTorch |",
             "|---|---:|" + "---:|" * len(rules) + "---:|---:|"]
    for model, r in results.items():
        cells = []
        for rule in rules:
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
    rules = rules_of(results)
    lines = ["| model | " + " | ".join(f"{r} MB (/ bp)" for r in rules) + " | process peak MB |",
             "|---|" + "---:|" * len(rules) + "---:|"]
    for model, r in results.items():
        cells = []
        for rule in rules:
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
        ("zil / bp step time <= 1.05", lambda m, r: (rule_ratio(r, "zil"), lambda v: v <= 1.05)),
        ("zil / bp step memory <= 1.2", lambda m, r: (rule_ratio(r, "zil", "memory_ratio_to_bp"), lambda v: v <= 1.2)),
        ("zil+verify / bp step time <= 1.6", lambda m, r: (rule_ratio(r, "zil+verify"), lambda v: v <= 1.6)),
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
        if any(c != "-" for c in cells):  # a rule no model of the group was timed with has no row
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
    epoch = results.get("lenet5", {}).get("epoch")
    if epoch and "zil_to_bp" in epoch:
        v = epoch["zil_to_bp"]
        cells = [cell(v, v >= 0.9) if model == "lenet5" else "" for model in results]
        rows.append("| LeNet-5 epoch: zil / bp samples/s >= 0.9 | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def summarize(results, pytorch, alternating):
    """The tables of one group of models measured at the same batch size."""
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


def beside_table(results, beside):
    """Each model's verified step one after the other (the main run) and side by side (`--verify-beside`)."""
    lines = ["| model | batch | bp ms | zil+verify ms (/ bp), one after the other | side by side: bp ms | zil+verify ms (/ bp) "
             "| step memory / bp: one after the other | side by side |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for model, b in beside.items():
        one, side = results[model]["rules"], b["rules"]
        lines.append(f"| {model} | {b['batch_size']} | {ms(one['bp']['median_ms'])} | {ms(one['zil+verify']['median_ms'])} "
                     f"({one['zil+verify']['ratio_to_bp']:.2f}) | {ms(side['bp']['median_ms'])} | {ms(side['zil+verify']['median_ms'])} "
                     f"({side['zil+verify']['ratio_to_bp']:.2f}) | {one['zil+verify']['memory_ratio_to_bp']:.2f} "
                     f"| {side['zil+verify']['memory_ratio_to_bp']:.2f} |")
    return "\n".join(lines)


def load_beside(folder, results):
    """RESULTS_DIR/verify-beside/<model>.json (`zilonnx bench --rules bp,zil+verify --verify-beside --json`) of the models
    whose main run timed zil+verify too."""
    beside = {}
    for model in MODELS:
        path = os.path.join(folder, "verify-beside", model + ".json")
        if os.path.exists(path) and "zil+verify" in results.get(model, {}).get("rules", {}):
            with open(path) as f:
                beside[model] = json.load(f)
    return beside


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    results, failures, pytorch, alternating = load(folder)
    if not results and not failures:
        sys.exit(f"no results in {folder}")
    batch_sizes = list(dict.fromkeys(r["batch_size"] for r in results.values()))
    for k, batch_size in enumerate(batch_sizes):
        if k > 0:
            print()
        group = {m: r for m, r in results.items() if r["batch_size"] == batch_size}
        summarize(group, for_batch(pytorch, batch_size), for_batch(alternating, batch_size))
    beside = load_beside(folder, results)
    if beside:
        print()
        print("The verified step one after the other (the runs above) and side by side (`--verify-beside`, verify-beside/MODEL.json):")
        print()
        print(beside_table(results, beside))
        largest = max(b["rules"]["zil+verify"].get("max_divergence", float("nan")) for b in beside.values())
        print()
        print(f"Largest divergence of a side-by-side step from backprop's: {largest:g}.")
    if failures:
        print()
        print("Models whose bench failed (the first error line):")
        print()
        for model, error in failures.items():
            line = next((l for l in error.splitlines() if l.startswith("error:")), error.splitlines()[-1] if error else "")
            print(f"- {model}: `{line}`")


if __name__ == "__main__":
    main()
