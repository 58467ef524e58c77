using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// docs/algorithms.md rules 3 and 4 on small graphs: a weight used twice (each use a copy with its own step, terms
/// accumulated) and weights behind parameter-only transforms (updates mapped back to the stored tensor).
/// </summary>
public sealed class SharedParameterTests
{
    /// <summary>y = W · tanh(W · x): one weight, two copies at different depths.</summary>
    private static ModelProto SharedWeight() => new ModelBuilder()
        .Input("x", 8, 5).Output("y", 8, 5)
        .Initializer("W", [5, 5], PcGraphBuilderTests.Values(25, 3))
        .Node("MatMul", ["x", "W"], ["h"], "first_use")
        .Node("Tanh", ["h"], ["t"], "tanh")
        .Node("MatMul", ["t", "W"], ["y"], "second_use")
        .Build();

    public static IEnumerable<object[]> Cases() =>
        from model in new[] { "shared", "transformed" }
        from rule in new[] { "zil", "zil-relaxed" }
        from precision in new[] { Precision.Float64, Precision.Float32 }
        select new object[] { model, rule, precision };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_equals_backprop(string modelName, string ruleName, Precision precision)
    {
        var onnx = modelName == "shared" ? SharedWeight() : PcGraphBuilderTests.TransformedParameters();
        var graph = PcGraphBuilder.Build(onnx, modelName + ".onnx");
        using var model = new PcnModel(graph, precision, CPU);
        long outputs = modelName == "shared" ? 5 : 2, inputs = modelName == "shared" ? 5 : 6;
        var x = new ZilOnnx.Converter.Tensors.HostTensor(TensorProto.Types.DataType.Float, [8, inputs], PcGraphBuilderTests.Values((int)(8 * inputs), 4).Select(v => (double)v).ToArray());
        var y = new ZilOnnx.Converter.Tensors.HostTensor(TensorProto.Types.DataType.Float, [8, outputs], PcGraphBuilderTests.Values((int)(8 * outputs), 5).Select(v => (double)v).ToArray());
        var data = new DataSet("memory", "x", x, y);
        var batch = data.Take(Enumerable.Range(0, 8).Select(i => (long)i).ToList(), model.DType, CPU);

        using var rule = RuleFactory.Create(ruleName).Compute(model, batch, new MeanSquaredErrorLoss());
        using var bp = new Backprop().Compute(model, batch, new MeanSquaredErrorLoss());
        foreach (var (name, update) in rule.Updates) Assert.Equal(model.Parameters[name].shape, update.shape);
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        double divergence = ParameterDivergence.Compare(rule.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();
        Assert.True(divergence <= Tolerances.Exactness(precision), $"{modelName}/{ruleName}/{precision}: {divergence:E3}");
        if (modelName == "shared") Assert.Equal(2, graph.Parameters.Single().Readers.Count);
    }

    /// <summary>
    /// y = (h + b) * (tanh(h) + b) + b with h = x W: one bias read by three vertices, two of which take their turn at the
    /// same inference step (as an exporter's merged zero biases are read by a ResNet's conv2 and its downsample). Backprop
    /// adds the three terms one at a time, in the order its engine runs the readers (here the last reader first); so must
    /// Z-IL, to the last bit.
    /// </summary>
    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_adds_the_terms_of_readers_at_one_step_in_backprops_order(Precision precision)
    {
        var onnx = new ModelBuilder()
            .Input("x", 8, 5).Output("y", 8, 5)
            .Initializer("W", [5, 5], PcGraphBuilderTests.Values(25, 3))
            .Initializer("b", [5], PcGraphBuilderTests.Values(5, 6))
            .Node("MatMul", ["x", "W"], ["h"], "matmul")
            .Node("Add", ["h", "b"], ["p"], "first_reader")
            .Node("Tanh", ["h"], ["t"], "tanh")
            .Node("Add", ["t", "b"], ["q"], "second_reader")
            .Node("Mul", ["p", "q"], ["s"], "product")
            .Node("Add", ["s", "b"], ["y"], "third_reader")
            .Build();
        var graph = PcGraphBuilder.Build(onnx, "shared_bias.onnx");
        Assert.Equal(graph.Vertices.Single(v => v.Name == "p").Depth, graph.Vertices.Single(v => v.Name == "q").Depth);
        RuleHarness.AssertZilEqualsBackpropBitwise(graph, precision, 5);
    }

    /// <summary>
    /// y = A + B, each branch (x W1 + b, tanh, W2, + b): one bias read twice on each of two branches that the schedule meets
    /// level by level, A and B side by side, while autograd runs the branch created last to its end before the other
    /// (ShuffleNetV2's branches, which share one merged bias). Backprop adds the four terms in its engine's order, B's two
    /// before A's; so must Z-IL, to the last bit.
    /// </summary>
    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_adds_the_terms_of_readers_on_parallel_branches_in_backprops_order(Precision precision)
    {
        const int width = 16;
        var builder = new ModelBuilder().Input("x", 8, width).Output("y", 8, width)
            .Initializer("b", [width], PcGraphBuilderTests.Values(width, 6));
        foreach (var (branch, seed) in new[] { ("a", 7), ("b", 11) })
            builder.Initializer($"{branch}_w1", [width, width], PcGraphBuilderTests.Values(width * width, seed))
                .Initializer($"{branch}_w2", [width, width], PcGraphBuilderTests.Values(width * width, seed + 1))
                .Node("MatMul", ["x", $"{branch}_w1"], [$"{branch}_h"])
                .Node("Add", [$"{branch}_h", "b"], [$"{branch}_first_reader"])
                .Node("Tanh", [$"{branch}_first_reader"], [$"{branch}_t"])
                .Node("MatMul", [$"{branch}_t", $"{branch}_w2"], [$"{branch}_g"])
                .Node("Add", [$"{branch}_g", "b"], [$"{branch}_second_reader"]);
        var graph = PcGraphBuilder.Build(builder.Node("Add", ["a_second_reader", "b_second_reader"], ["y"]).Build(), "branches.onnx");
        RuleHarness.AssertZilEqualsBackpropBitwise(graph, precision, width);
    }
}
