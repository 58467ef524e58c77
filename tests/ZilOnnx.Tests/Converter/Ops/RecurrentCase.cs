using System.Globalization;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// One RNN, LSTM or GRU node to test: its sizes, its attributes (null = attribute absent, so the spec's default
/// applies), which optional inputs it has and which outputs are read. The tensors themselves come from
/// <see cref="Seed"/> (<see cref="RecurrentCaseTensors"/>).
/// </summary>
internal sealed record RecurrentCase
{
    public required RecurrentCell Cell { get; init; }
    public required int Opset { get; init; }
    public int Layout { get; init; }
    public string Direction { get; init; } = "forward";
    public int Steps { get; init; } = 3;
    public int Batch { get; init; } = 2;
    public int InputSize { get; init; } = 3;
    public int Hidden { get; init; } = 2;
    public bool Bias { get; init; }
    public bool InitialH { get; init; }
    public bool InitialC { get; init; }
    /// <summary>The initial states are graph inputs fed with the data rather than initializers.</summary>
    public bool InitialStatesAsData { get; init; }
    public int[]? SequenceLengths { get; init; }
    public float? Clip { get; init; }
    public string[]? Activations { get; init; }
    public float[]? Alphas { get; init; }
    public float[]? Betas { get; init; }
    public int? InputForget { get; init; }
    public bool Peepholes { get; init; }
    public int? LinearBeforeReset { get; init; }
    public bool ReadY { get; init; } = true;
    public bool ReadYh { get; init; } = true;
    public bool ReadYc { get; init; }
    public int Seed { get; init; }

    public string OpType => Cell switch { RecurrentCell.Lstm => "LSTM", RecurrentCell.Gru => "GRU", _ => "RNN" };
    public int Directions => Direction == "bidirectional" ? 2 : 1;
    public int Gates => Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
    public int ActivationsPerDirection => Cell switch { RecurrentCell.Lstm => 3, RecurrentCell.Gru => 2, _ => 1 };

    /// <summary>The activation names in effect, direction by direction (the spec's defaults when the attribute is absent).</summary>
    public string[] EffectiveActivations => Activations ?? [.. Enumerable.Repeat(Cell switch
    {
        RecurrentCell.Lstm => new[] { "Sigmoid", "Tanh", "Tanh" },
        RecurrentCell.Gru => new[] { "Sigmoid", "Tanh" },
        _ => new[] { "Tanh" },
    }, Directions).SelectMany(a => a)];

    /// <summary>
    /// Whether an activation is left without an alpha or beta on which the spec (the ONNX operator's default)
    /// and ONNX Runtime (0) disagree: Affine's alpha, ThresholdedRelu's alpha, ScaledTanh's alpha and beta.
    /// </summary>
    public bool LeavesDisputedDefault
    {
        get
        {
            int alphas = Alphas?.Length ?? 0, betas = Betas?.Length ?? 0;
            foreach (string name in EffectiveActivations)
            {
                bool alphaMissing = name is "LeakyRelu" or "ThresholdedRelu" or "Elu" or "Affine" or "ScaledTanh" or "HardSigmoid" && alphas-- <= 0;
                bool betaMissing = name is "Affine" or "ScaledTanh" or "HardSigmoid" && betas-- <= 0;
                if ((alphaMissing && name is "Affine" or "ThresholdedRelu" or "ScaledTanh") || (betaMissing && name == "ScaledTanh")) return true;
            }
            return false;
        }
    }

    /// <summary>The node's outputs as named in the model: "" for an output that is not read.</summary>
    public string[] OutputNames
    {
        get
        {
            var names = new List<string> { ReadY ? "Y" : "", ReadYh ? "Y_h" : "" };
            if (Cell == RecurrentCell.Lstm && ReadYc) names.Add("Y_c");
            // Trailing unread outputs are left off, as exporters do.
            while (names[^1] == "") names.RemoveAt(names.Count - 1);
            return [.. names];
        }
    }

    public override string ToString()
    {
        static string F(float v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        var parts = new List<string>
        {
            $"{OpType}-{Opset}", Direction, $"layout{Layout}", $"T{Steps} B{Batch} I{InputSize} H{Hidden}",
        };
        if (Bias) parts.Add("bias");
        if (InitialH) parts.Add(InitialStatesAsData ? "h0(data)" : "h0");
        if (InitialC) parts.Add(InitialStatesAsData ? "c0(data)" : "c0");
        if (SequenceLengths is { } lens) parts.Add($"lens[{string.Join(",", lens)}]");
        if (Clip is { } clip) parts.Add($"clip{F(clip)}");
        if (Activations is { } acts) parts.Add($"act[{string.Join(",", acts)}]");
        if (Alphas is { } alphas) parts.Add($"alpha[{string.Join(",", alphas.Select(F))}]");
        if (Betas is { } betas) parts.Add($"beta[{string.Join(",", betas.Select(F))}]");
        if (InputForget is { } inputForget) parts.Add($"input_forget{inputForget}");
        if (Peepholes) parts.Add("peepholes");
        if (LinearBeforeReset is { } lbr) parts.Add($"lbr{lbr}");
        parts.Add($"out[{string.Join(",", OutputNames.Where(n => n != ""))}]");
        parts.Add($"#{Seed}");
        return string.Join(" ", parts);
    }
}
