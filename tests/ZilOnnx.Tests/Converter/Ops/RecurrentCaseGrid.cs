using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The recurrent cases checked against ONNX Runtime: a seeded random sample over every attribute (so that each
/// value meets many others), plus corner cases chosen by hand.
/// </summary>
internal static class RecurrentCaseGrid
{
    public const int SampleSize = 300;

    public static readonly string[] PlainActivations = ["Relu", "Tanh", "Sigmoid"];

    /// <summary>The activations that take alpha (and for the last three, beta) or none, beyond the plain three.</summary>
    public static readonly string[] ParameterisedActivations =
        ["LeakyRelu", "ThresholdedRelu", "Elu", "Softsign", "Softplus", "Affine", "ScaledTanh", "HardSigmoid"];

    public static readonly int[] Opsets = [7, 13, 14, 22];

    public static IReadOnlyList<RecurrentCase> All { get; } = [.. Sample(), .. Corners()];

    private static IEnumerable<RecurrentCase> Sample()
    {
        var random = new Random(20250611);
        T Pick<T>(params T[] values) => values[random.Next(values.Length)];
        bool Chance(double p) => random.NextDouble() < p;
        for (int i = 0; i < SampleSize; i++)
        {
            var cell = Pick(RecurrentCell.Rnn, RecurrentCell.Lstm, RecurrentCell.Gru);
            int opset = Pick(Opsets);
            string direction = Pick("forward", "reverse", "bidirectional");
            int steps = random.Next(1, 6), batch = random.Next(1, 4);
            bool lstm = cell == RecurrentCell.Lstm;
            var c = new RecurrentCase
            {
                Cell = cell,
                Opset = opset,
                Layout = opset >= 14 && Chance(0.5) ? 1 : 0,
                Direction = direction,
                Steps = steps,
                Batch = batch,
                InputSize = random.Next(2, 5),
                Hidden = random.Next(2, 5),
                Bias = Chance(0.5),
                InitialH = Chance(0.5),
                InitialC = lstm && Chance(0.5),
                InitialStatesAsData = Chance(0.25),
                SequenceLengths = Chance(0.4) ? Lengths(random, steps, batch) : null,
                Clip = Chance(0.3) ? Pick(0.5f, 1.25f) : null,
                InputForget = lstm ? Pick<int?>(null, 0, 1) : null,
                Peepholes = lstm && Chance(0.5),
                LinearBeforeReset = cell == RecurrentCell.Gru ? Pick<int?>(null, 0, 1) : null,
                Seed = i,
            };
            c = WithActivations(c, random, random.Next(3));
            // Outputs: Y only, Y_h only, Y_c only (LSTM), or all.
            c = random.Next(lstm ? 4 : 3) switch
            {
                0 => c with { ReadY = true, ReadYh = false, ReadYc = false },
                1 => c with { ReadY = false, ReadYh = true, ReadYc = false },
                2 => c with { ReadY = true, ReadYh = true, ReadYc = true },
                _ => c with { ReadY = false, ReadYh = false, ReadYc = true },
            };
            yield return c;
        }
    }

    /// <summary>
    /// One length per batch entry in [1, T]; with two or more entries, both 1 and T occur; with three, now and
    /// then an empty sequence (length 0, which ONNX Runtime accepts).
    /// </summary>
    private static int[] Lengths(Random random, int steps, int batch)
    {
        var lengths = Enumerable.Range(0, batch).Select(_ => random.Next(1, steps + 1)).ToArray();
        if (batch >= 2)
        {
            int shortest = random.Next(batch), longest = (shortest + 1 + random.Next(batch - 1)) % batch;
            lengths[shortest] = batch == 3 && random.Next(3) == 0 ? 0 : 1;
            lengths[longest] = steps;
        }
        return lengths;
    }

    /// <summary>kind 0: attribute absent (defaults); 1: plain Relu/Tanh/Sigmoid; 2: any activation, alpha/beta given or defaulted.</summary>
    public static RecurrentCase WithActivations(RecurrentCase c, Random random, int kind)
    {
        if (kind == 0) return c with { Activations = null, Alphas = null, Betas = null };
        int count = c.ActivationsPerDirection * c.Directions;
        string[] pool = kind == 1 ? PlainActivations : [.. PlainActivations, .. ParameterisedActivations, .. ParameterisedActivations];
        string[] names = [.. Enumerable.Range(0, count).Select(_ => pool[random.Next(pool.Length)])];
        if (kind == 1 || random.NextDouble() < 0.3) return c with { Activations = names };
        // Values away from the defaults, so that a default used in place of a given value shows.
        var alphas = names.Where(n => n is "LeakyRelu" or "ThresholdedRelu" or "Elu" or "Affine" or "ScaledTanh" or "HardSigmoid")
            .Select(n => n switch { "ThresholdedRelu" => 0.1f, "LeakyRelu" => 0.3f, "Elu" => 0.7f, "HardSigmoid" => 0.35f, "Affine" => 0.8f, _ => 1.3f }).ToArray();
        var betas = names.Where(n => n is "Affine" or "ScaledTanh" or "HardSigmoid")
            .Select(n => n switch { "Affine" => 0.25f, "HardSigmoid" => 0.45f, _ => 0.7f }).ToArray();
        return c with { Activations = names, Alphas = alphas.Length > 0 ? alphas : null, Betas = betas.Length > 0 ? betas : null };
    }

    /// <summary>Corners the sample may miss: one step, every sequence ended early, all features at once, each activation in each role.</summary>
    private static IEnumerable<RecurrentCase> Corners()
    {
        int seed = 10_000;
        foreach (var cell in new[] { RecurrentCell.Rnn, RecurrentCell.Lstm, RecurrentCell.Gru })
        {
            bool lstm = cell == RecurrentCell.Lstm;
            foreach (string direction in new[] { "forward", "reverse", "bidirectional" })
            {
                // A single step, a single sequence.
                yield return new RecurrentCase { Cell = cell, Opset = 14, Direction = direction, Steps = 1, Batch = 1, Seed = seed++, ReadYc = lstm };
                // Every length 1 and every length T, with initial states, which the ended entries must keep.
                yield return new RecurrentCase
                {
                    Cell = cell, Opset = 13, Direction = direction, Steps = 4, Batch = 3, SequenceLengths = [1, 1, 1],
                    InitialH = true, InitialC = lstm, Bias = true, ReadYc = lstm, Seed = seed++,
                };
                yield return new RecurrentCase
                {
                    Cell = cell, Opset = 22, Direction = direction, Steps = 4, Batch = 2, SequenceLengths = [4, 4],
                    InitialH = true, InitialC = lstm, ReadYc = lstm, Seed = seed++,
                };
                // Empty sequences beside full and partial ones: zeros in Y, Y_h and Y_c, whatever the initial state.
                yield return new RecurrentCase
                {
                    Cell = cell, Opset = 14, Layout = 1, Direction = direction, Steps = 3, Batch = 3, SequenceLengths = [0, 3, 2],
                    InitialH = true, InitialC = lstm, Bias = true, ReadYc = lstm, Seed = seed++,
                };
                // Everything at once, in both layouts.
                foreach (int layout in new[] { 0, 1 })
                    yield return new RecurrentCase
                    {
                        Cell = cell, Opset = 22, Layout = layout, Direction = direction, Steps = 5, Batch = 3, InputSize = 4, Hidden = 3,
                        Bias = true, InitialH = true, InitialC = lstm, SequenceLengths = [3, 1, 5], Clip = 0.5f,
                        Peepholes = lstm, InputForget = lstm ? 1 : null, LinearBeforeReset = cell == RecurrentCell.Gru ? 1 : null,
                        ReadYc = lstm, Seed = seed++,
                    };
            }
            // Each activation in each role of the cell, with its default alpha/beta and with given ones.
            foreach (string activation in ParameterisedActivations.Concat(PlainActivations))
                for (int role = 0; role < (lstm ? 3 : cell == RecurrentCell.Gru ? 2 : 1); role++)
                    foreach (bool given in PlainActivations.Contains(activation) ? [true] : new[] { false, true })
                    {
                        var c = new RecurrentCase { Cell = cell, Opset = 14, Direction = "bidirectional", Bias = true, InitialH = true, ReadYc = lstm, Seed = seed++ };
                        string[] names = c.EffectiveActivations;
                        names[role] = activation;
                        names[c.ActivationsPerDirection + role] = activation;
                        var withAlpha = WithActivations(c, new Random(seed), 2) with { Activations = names };
                        yield return given ? GivenParameters(withAlpha) : withAlpha with { Alphas = null, Betas = null };
                    }
        }
    }

    private static RecurrentCase GivenParameters(RecurrentCase c)
    {
        var alphas = c.Activations!.Where(n => n is "LeakyRelu" or "ThresholdedRelu" or "Elu" or "Affine" or "ScaledTanh" or "HardSigmoid").Select(_ => 0.4f).ToArray();
        var betas = c.Activations!.Where(n => n is "Affine" or "ScaledTanh" or "HardSigmoid").Select(_ => 0.6f).ToArray();
        return c with { Alphas = alphas.Length > 0 ? alphas : null, Betas = betas.Length > 0 ? betas : null };
    }
}
