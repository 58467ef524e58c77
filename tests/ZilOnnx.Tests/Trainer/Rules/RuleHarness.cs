using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>Runs a rule and BP on the first batch of a fixture and returns the largest relative divergence (NaN if any is NaN).</summary>
internal static class RuleHarness
{
    public const int BatchSize = 8;

    /// <summary>The divergence alone: for rules and ablations that must be far from BP.</summary>
    public static double MaxRelativeDivergence(PcnModel model, ILearningRule rule, string fixture, string loss) =>
        Run(model, rule, fixture, loss, zeroInBackprop: null);

    /// <summary>
    /// The divergence of a rule that must equal BP, after <see cref="AssertBackpropUpdatesAreNonZero"/>: a rule and BP
    /// that both leave a parameter at zero (one cut off from the output, a dead layer) agree without showing anything.
    /// </summary>
    public static double DivergenceOfNonZeroUpdates(PcnModel model, ILearningRule rule, string fixture, string loss, params string[] zeroInBackprop) =>
        Run(model, rule, fixture, loss, zeroInBackprop);

    /// <summary>
    /// BP's update of every parameter is non-zero, except those named in <paramref name="zeroByDesign"/>, which the
    /// caller says (with its reason) must be exactly zero, and are checked to be.
    /// </summary>
    public static void AssertBackpropUpdatesAreNonZero(IReadOnlyDictionary<string, Tensor> backprop, params string[] zeroByDesign)
    {
        Assert.NotEmpty(backprop);
        foreach (string name in zeroByDesign) Assert.True(backprop.ContainsKey(name), $"there is no parameter '{name}' to be zero");
        foreach (var (name, update) in backprop)
        {
            double size = update.MaxAbs();
            if (zeroByDesign.Contains(name)) Assert.True(size == 0, $"{name}: BP's update should be zero, it is {size:E3} at most");
            else Assert.True(size > 0, $"{name}: BP's update is {size:E3} at most, so matching it proves nothing");
        }
    }

    private static double Run(PcnModel model, ILearningRule rule, string fixture, string loss, string[]? zeroInBackprop)
    {
        var batch = FirstBatch(model, fixture, loss);
        var lossFunction = LossFactory.Create(loss);
        using var ruleResult = rule.Compute(model, batch, lossFunction);
        using var bpResult = new Backprop().Compute(model, batch, lossFunction);
        if (zeroInBackprop != null) AssertBackpropUpdatesAreNonZero(bpResult.Updates, zeroInBackprop);
        return ParameterDivergence.Compare(ruleResult.Updates, bpResult.Updates).Select(d => d.MaxRel).LargestOrNaN();
    }

    /// <summary>
    /// Two computations of the same rule's step give the same result bit for bit: loss, output and every update (a
    /// verified step's shared forward pass against the rule computed alone).
    /// </summary>
    public static void AssertSameResult(RuleResult alone, RuleResult shared, string what)
    {
        Assert.Equal(alone.Loss, shared.Loss);
        Assert.True(alone.Output.Equals(shared.Output), $"{what}: the output differs");
        Assert.Equal(alone.Updates.Keys.Order(), shared.Updates.Keys.Order());
        foreach (var (name, expected) in alone.Updates)
            Assert.True(expected.Equals(shared.Updates[name]),
                $"{what}: '{name}' differs by {(expected - shared.Updates[name]).abs().max().ToDouble():E3}");
    }

    /// <summary><paramref name="compute"/> with libtorch's intra-op threads set to <paramref name="threads"/>, then set back.</summary>
    public static T WithThreads<T>(int threads, Func<T> compute)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            return compute();
        }
        finally
        {
            set_num_threads(before);
        }
    }

    /// <summary>The fixture's first batch of <see cref="BatchSize"/> samples, in order, in the model's precision.</summary>
    public static Batch FirstBatch(PcnModel model, string fixture, string loss)
    {
        var data = Fixtures.Data(fixture, loss);
        return data.Take(new BatchOrder(data.Count, BatchSize, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
    }

    public static IEnumerable<object[]> NetworksLossesPrecisions() =>
        from network in Fixtures.Networks
        from loss in network.Losses
        from precision in new[] { Precision.Float64, Precision.Float32 }
        select new object[] { network.Model, loss, precision };

    /// <summary>
    /// Z-IL's update equals backprop's to the last bit on one batch of 8 samples of <paramref name="sampleShape"/>, inputs
    /// and mse targets (of the same shape) drawn from fixed seeds: for graphs built in code around one summing order.
    /// </summary>
    public static void AssertZilEqualsBackpropBitwise(PcGraph graph, Precision precision, params long[] sampleShape)
    {
        using var model = new PcnModel(graph, precision, CPU);
        long[] shape = [BatchSize, .. sampleShape];
        int count = (int)shape.Aggregate(1L, (p, d) => p * d);
        var x = new ZilOnnx.Converter.Tensors.HostTensor(TensorProto.Types.DataType.Float, shape,
            PcGraphBuilderTests.Values(count, 4).Select(v => (double)v).ToArray());
        var y = new ZilOnnx.Converter.Tensors.HostTensor(TensorProto.Types.DataType.Float, shape,
            PcGraphBuilderTests.Values(count, 5).Select(v => (double)v).ToArray());
        var batch = new DataSet("memory", "x", x, y).Take(Enumerable.Range(0, BatchSize).Select(i => (long)i).ToList(), model.DType, CPU);

        using var zil = new Zil().Compute(model, batch, new MeanSquaredErrorLoss());
        using var bp = new Backprop().Compute(model, batch, new MeanSquaredErrorLoss());
        AssertBackpropUpdatesAreNonZero(bp.Updates);
        Assert.All(ParameterDivergence.Compare(zil.Updates, bp.Updates),
            d => Assert.True(d.MaxAbs == 0, $"{precision}: {d.Name} differs from backprop by {d.MaxAbs:E3}"));
    }
}
