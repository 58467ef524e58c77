using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Rules.Local;

namespace ZilOnnx.Tests.Trainer.Rules.Local;

/// <summary>
/// The strategy each vertex of the fast Z-IL takes its local product by, chosen from the graph alone: the choice decides
/// which operations form the products (ZilClosedFormTests and ResidualSumExactnessTests hold them to backprop's bits),
/// so it is checked here on its own, on the residual-sums graph, which has one vertex of every kind.
/// </summary>
public sealed class LocalStrategiesTests
{
    [Fact]
    public void Each_vertex_takes_the_strategy_its_structure_calls_for()
    {
        var graph = PcGraphBuilder.Build(ResidualSumExactnessTests.Model(), "residual-sums.onnx");
        var strategies = LocalStrategies.For(graph);
        ILocalStrategy Of(string name) => strategies[graph.Vertices.Single(v => v.Name == name)];

        Assert.Same(PassWhole.Sum, Of("s1"));               // two free terms of its shape
        Assert.Same(PassWhole.Sum, Of("s2"));               // a free term and a data term of its shape
        Assert.IsType<ClosedFormStrategy>(Of("s3"));        // broadcasts: the closed form sums the error to each term's shape
        Assert.IsType<ClosedFormStrategy>(Of("h1"));        // Gemm with alpha = beta = 1
        Assert.IsType<ClosedFormStrategy>(Of("r"));         // Relu: libtorch's threshold_backward
        Assert.DoesNotContain(graph.Vertices.Single(v => v.Kind == VertexKind.DataInput), strategies.Keys);
        var copies = graph.Vertices.Where(v => v.Kind == VertexKind.Levelling).ToList();
        Assert.NotEmpty(copies);
        Assert.All(copies, v => Assert.DoesNotContain(v, strategies.Keys)); // folded into their sources by the sweep
        // Chosen once per graph.
        Assert.Same(strategies, LocalStrategies.For(graph));
    }

    /// <summary>An operator without a closed form (windowed average pooling) keeps its autograd tape; max pooling and global
    /// average pooling take their closed forms.</summary>
    [Fact]
    public void A_vertex_without_a_closed_form_keeps_its_tape()
    {
        using var model = Fixtures.Model("cnn_features", "mse", Precision.Float32);
        var strategies = LocalStrategies.For(model.Graph);
        var pools = model.Graph.Vertices.Where(v => v.Op is PoolSpec { Kind: PoolKind.Average } && strategies.ContainsKey(v)).ToList();
        Assert.NotEmpty(pools);
        Assert.All(pools, v => Assert.Same(AutogradTape.Instance, strategies[v]));
        var globalPools = model.Graph.Vertices.Where(v => v.Op is GlobalAveragePoolSpec && strategies.ContainsKey(v)).ToList();
        Assert.NotEmpty(globalPools);
        Assert.All(globalPools, v => Assert.IsType<ClosedFormStrategy>(strategies[v]));

        using var lenet = Fixtures.Model("lenet5", "mse", Precision.Float32);
        var maxPools = lenet.Graph.Vertices.Where(v => v.Op is PoolSpec { Kind: PoolKind.Max }).ToList();
        Assert.NotEmpty(maxPools);
        Assert.All(maxPools, v => Assert.IsType<MaxPoolClosedForm>(((ClosedFormStrategy)LocalStrategies.For(lenet.Graph)[v]).Keeping));
    }
}
