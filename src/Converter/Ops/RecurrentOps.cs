using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// The fused recurrent operators RNN, LSTM and GRU, unrolled over time: one vertex per step and direction
/// holding the recurrent state (<see cref="RecurrentStepSpec"/>), plus vertices for the outputs Y, Y_h, Y_c
/// that assemble those states. W, R, B and P are read by every step: shared parameters whose per-step terms
/// the rules accumulate (docs/algorithms.md rule 3). The exported graph keeps the fused node; only its initializers change.
/// </summary>
public sealed class RecurrentMapping(RecurrentCell cell) : IOperatorMapping, IGraphExpansion, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members => Enum.GetValues<RecurrentCell>().Select(c => new RecurrentMapping(c));

    private static readonly HashSet<string> KnownActivations =
        ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"];

    /// <summary>
    /// The most time steps a recurrence is unrolled into (one vertex per step and direction). The sequence length is a
    /// dimension the file declares, so without a bound a few bytes could ask for billions of vertices.
    /// </summary>
    public const long MaxUnrolledSteps = 65_536;

    public string OpType => cell switch { RecurrentCell.Lstm => "LSTM", RecurrentCell.Gru => "GRU", _ => "RNN" };

    public IReadOnlyList<int> SinceVersions { get; } = cell == RecurrentCell.Gru ? [1, 3, 7, 14, 22] : [1, 7, 14, 22];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 4 ? InputRole.Static : InputRole.Differentiable;

    public OpSpec Map(NodeContext node) => throw node.Fail("a recurrent node is unrolled into steps, not mapped to one vertex");

    public IReadOnlyList<Operand> Expand(NodeContext node, VertexSink vertices)
    {
        var a = node.Attributes;
        int layout = node.SinceVersion >= 14 ? (int)a.Int("layout", 0) : 0;
        if (layout is not (0 or 1)) throw node.Fail($"layout {layout} is not 0 or 1");
        string direction = a.String("direction", "forward");
        int directions = direction switch
        {
            "forward" or "reverse" => 1,
            "bidirectional" => 2,
            _ => throw node.Fail($"direction '{direction}' is not forward, reverse or bidirectional"),
        };
        double? clip = a.Has("clip") ? a.Float("clip", 0) : null;
        bool inputForget = cell == RecurrentCell.Lstm && a.Int("input_forget", 0) != 0;
        bool linearBeforeReset = cell == RecurrentCell.Gru && node.SinceVersion >= 3 && a.Int("linear_before_reset", 0) != 0;
        // Before opset 7 `output_sequence` only said whether Y is worth computing; Y is produced when it is read.
        if (node.SinceVersion < 7) a.Ignore("output_sequence");
        var activations = Activations(node, directions);

        long[] x = node.InputShape(0) ?? throw node.Fail("input X is required");
        long[] r = node.InputShape(2) ?? throw node.Fail("input R is required");
        if (x.Length != 3) throw node.Fail($"X must be 3-D, got {ShapeMath.Format(x)}");
        long hidden = a.Int("hidden_size", r.Length == 3 ? r[2] : 0);
        if (hidden < 1 || r.Length != 3 || r[2] != hidden) throw node.Fail($"hidden_size {hidden} does not match R {ShapeMath.Format(r)}");
        if (node.HasInput(1) && node.InputShape(1)![0] != directions)
            throw node.Fail($"W has {node.InputShape(1)![0]} directions, direction '{direction}' needs {directions}");
        if (node.HasInput(4) && node.Operands[4] is not Operand.FromConstant)
            throw node.Fail("sequence_lens must be a constant (lengths that come with the data are not supported)");
        a.RejectUnknown();

        long steps = layout == 0 ? x[0] : x[1];
        if (steps > MaxUnrolledSteps)
            throw node.Fail($"X {ShapeMath.Format(x)} has {steps} time steps; a recurrence is unrolled into one vertex per step, "
                + $"and at most {MaxUnrolledSteps} are supported");
        vertices.Reserve(steps * directions + node.Node.Output.Count);
        // A length outside [0, T] has no meaning; ONNX Runtime fails on it at run time, so it is refused here,
        // where the constant is known, rather than silently read as T (or as 0).
        if (node.HasInput(4) && ((Operand.FromConstant)node.Operands[4]).Value.ToInt64Array()
                .Where(l => l < 0 || l > steps).Select(l => (long?)l).FirstOrDefault() is { } bad)
            throw node.Fail($"sequence_lens holds {bad}, outside [0, {steps}] (the sequence length of X)");
        int gatesPerDirection = cell switch { RecurrentCell.Lstm => 3, RecurrentCell.Gru => 2, _ => 1 };
        string baseName = node.Node.Output.FirstOrDefault(o => o != "") is { } first ? first : node.Node.Name;
        var last = new Vertex[directions];
        var sequence = new List<Operand>();
        for (int d = 0; d < directions; d++)
        {
            bool reverse = direction == "reverse" || d == 1;
            var spec = new RecurrentStepSpec(cell, hidden, d, 0, layout,
                activations.Skip(d * gatesPerDirection).Take(gatesPerDirection).ToList(), clip, inputForget, linearBeforeReset);
            var byTime = new Vertex[steps];
            Vertex? previous = null;
            for (long i = 0; i < steps; i++)
            {
                long t = reverse ? steps - 1 - i : i;
                var operands = new Operand[RecurrentSlots.Count];
                operands[RecurrentSlots.X] = Input(node, 0);
                operands[RecurrentSlots.W] = Input(node, 1);
                operands[RecurrentSlots.R] = Input(node, 2);
                operands[RecurrentSlots.B] = Input(node, 3);
                operands[RecurrentSlots.SequenceLengths] = Input(node, 4);
                operands[RecurrentSlots.P] = Input(node, 7);
                // The first step starts from the initial state; every later one from the step before it.
                operands[RecurrentSlots.PreviousState] = previous == null ? Operand.Absent.Instance : new Operand.FromVertex(previous);
                operands[RecurrentSlots.InitialH] = previous == null ? Input(node, 5) : Operand.Absent.Instance;
                operands[RecurrentSlots.InitialC] = previous == null ? Input(node, 6) : Operand.Absent.Instance;
                previous = vertices.Add($"{baseName}#d{d}t{t}", spec with { Time = t }, operands);
                byTime[t] = previous;
            }
            last[d] = previous!;
            sequence.AddRange(byTime.Select(v => new Operand.FromVertex(v)));
        }
        if (node.HasInput(4)) sequence.Add(Input(node, 4));
        // Y_h and Y_c read the last states, and the lengths: ONNX Runtime gives zeros, not the initial state, for
        // a sequence of length 0.
        Operand[] finalOperands = [.. last.Select(v => new Operand.FromVertex(v)),
            .. node.HasInput(4) ? [node.Operands[4]] : Array.Empty<Operand>()];

        var outputs = new Operand[node.Node.Output.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            string name = node.Node.Output[i];
            outputs[i] = name == "" ? Operand.Absent.Instance : i switch
            {
                0 => new Operand.FromVertex(vertices.Add(name, new RecurrentSequenceSpec(hidden, directions, steps, layout), sequence)),
                1 => new Operand.FromVertex(vertices.Add(name, new RecurrentFinalStateSpec(hidden, directions, layout, CellPart: false),
                    finalOperands)),
                2 when cell == RecurrentCell.Lstm => new Operand.FromVertex(vertices.Add(name, new RecurrentFinalStateSpec(hidden,
                    directions, layout, CellPart: true), finalOperands)),
                _ => throw node.Fail($"output {i} does not exist"),
            };
        }
        return outputs;
    }

    private static Operand Input(NodeContext node, int index) => node.HasInput(index) ? node.Operands[index] : Operand.Absent.Instance;

    /// <summary>
    /// The activations of every direction with their alpha/beta: the spec's defaults when none are given;
    /// activation_alpha/beta are consumed in order by the activations that take them.
    /// </summary>
    private List<RecurrentActivation> Activations(NodeContext node, int directions)
    {
        var a = node.Attributes;
        string[] defaults = cell switch
        {
            RecurrentCell.Lstm => ["Sigmoid", "Tanh", "Tanh"],
            RecurrentCell.Gru => ["Sigmoid", "Tanh"],
            _ => ["Tanh"],
        };
        string[]? given = a.Strings("activations");
        string[] names = given ?? [.. Enumerable.Range(0, directions).SelectMany(_ => defaults)];
        if (names.Length != defaults.Length * directions)
            throw node.Fail($"'activations' has {names.Length} entries; {OpType} with {directions} direction(s) needs " +
                $"{defaults.Length * directions}");
        var alphas = new Queue<float>(a.Floats("activation_alpha") ?? []);
        var betas = new Queue<float>(a.Floats("activation_beta") ?? []);
        var result = new List<RecurrentActivation>();
        foreach (string name in names)
        {
            if (!KnownActivations.Contains(name))
                throw node.Fail($"activation '{name}' is not supported (supported: {string.Join(", ", KnownActivations.Order())})");
            // Defaults of the corresponding ONNX operators. Where ONNX Runtime does not apply that default (it
            // uses 0 for Affine's alpha, ThresholdedRelu's alpha and both of ScaledTanh's, which has none in the
            // spec), a value left out would make the PCN and the served model differ: it must be given (null).
            var (usesAlpha, alpha, usesBeta, beta) = name switch
            {
                "Affine" => (true, (double?)null, true, (double?)0.0),
                "LeakyRelu" => (true, 0.01, false, 0.0),
                "ThresholdedRelu" => (true, null, false, 0.0),
                "ScaledTanh" => (true, null, true, null),
                "HardSigmoid" => (true, 0.2, true, 0.5),
                "Elu" => (true, 1.0, false, 0.0),
                _ => (false, 0.0, false, 0.0),
            };
            if (usesAlpha && alphas.Count > 0) alpha = alphas.Dequeue();
            if (usesBeta && betas.Count > 0) beta = betas.Dequeue();
            if (alpha is null || beta is null)
                throw node.Fail($"activation '{name}' needs an explicit " +
                    $"{(alpha is null ? "activation_alpha" : "activation_beta")} value: " +
                    "ONNX Runtime uses 0 where the ONNX operator's default differs, so the result would depend on the runtime");
            result.Add(new RecurrentActivation(name, alpha.Value, beta.Value));
        }
        return result;
    }
}
