using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Rules.Reference;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// The reference Z-IL (docs/algorithms.md, "The reference Z-IL") is the specification: the fast rule and backprop are
/// held to it. Bit for bit, because the arithmetic is the same throughout: the reference runs the same kernels on the
/// same values, takes each local product with autograd on a leaf cut from the vertex (what the fast rule's tapes and
/// closed forms give, bitwise, ZilClosedFormTests), hands errors on as its value nodes' literal gamma = 1 update (adding
/// a zero and subtracting one, both exact), and sums the terms of an error and of a shared parameter in the order the
/// fast rule and autograd sum them (schedule order, then vertex order). A difference of even one bit is therefore a
/// difference in the algorithm, not rounding.
/// </summary>
public sealed class ReferenceZilTests
{
    private const string Loss = "ce";

    public static IEnumerable<object[]> Cases() => RuleHarness.NetworksLossesPrecisions();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fast_zil_and_backprop_equal_the_reference_bit_for_bit(string network, string loss, Precision precision)
    {
        using var model = Fixtures.Model(network, loss, precision);
        AssertZilAndBackpropEqualTheReference(model, RuleHarness.FirstBatch(model, network, loss), LossFactory.Create(loss), $"{network}/{loss}/{precision}");
    }

    [Theory]
    [InlineData("lenet5", 2)]
    [InlineData("residual_mlp", 2)]
    [InlineData("rnn_tanh", 1)]
    [InlineData("lstm", 1)]
    public void With_frozen_layers_the_reference_trains_the_head_as_backprop_does(string network, int trainLast)
    {
        using var full = Fixtures.Model(network, Loss, Precision.Float64);
        var frozen = new TrainableSelection([], [], trainLast).FrozenIn(full.Graph);
        using var head = new PcnModel(Fixtures.Graph(network, Loss, frozen: frozen), Precision.Float64, CPU);
        // Vertices computed from data and frozen layers alone are clamped: the schedule ends above them.
        Assert.Contains(head.Graph.Vertices, v => v.FromDataAlone && v.Kind != VertexKind.DataInput);
        AssertZilAndBackpropEqualTheReference(head, RuleHarness.FirstBatch(full, network, Loss), LossFactory.Create(Loss), $"{network} last {trainLast}");
    }

    [Theory]
    [InlineData("bn_train_opset15.onnx")]
    [InlineData("bn_dropout_train_opset15.onnx")]
    public void A_training_mode_batch_norm_is_one_vertex_over_the_batch(string file)
    {
        string path = Fixtures.PathOf(file);
        var graph = PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions
        {
            TrainOnLogits = true,
            InputShapes = new Dictionary<string, long[]> { ["x"] = [RuleHarness.BatchSize, 3, 8, 8] },
        });
        Assert.Contains(graph.Vertices, v => v.Op is BatchNormalizationSpec { Batch: not null });
        using var model = new PcnModel(graph, Precision.Float64, CPU) { DropoutMasks = new DropoutMasks(seed: 5) };
        model.DropoutMasks.BeginStep(0);
        var arrays = Fixtures.Arrays("bn_train.npz");
        var data = new DataSet(path, "x", arrays["x"], arrays["y"]);
        var batch = data.Take(new BatchOrder(data.Count, RuleHarness.BatchSize, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
        AssertZilAndBackpropEqualTheReference(model, batch, LossFactory.Create(Loss), file);
    }

    [Fact]
    public void A_model_with_a_fixed_batch_is_run_in_chunks()
    {
        string path = Fixtures.PathOf("fixed_batch4.onnx");
        using var model = new PcnModel(PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions { TrainOnLogits = true }), Precision.Float64, CPU);
        var arrays = Fixtures.Arrays("fixed_batch4.npz");
        var data = new DataSet(path, "x", arrays["x"], arrays["y"]);
        var batch = data.Take(new BatchOrder(data.Count, 8, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
        AssertZilAndBackpropEqualTheReference(model, batch, LossFactory.Create(Loss), "fixed_batch4", rule => ChunkedRule.For(rule, graphBatch: 4, batchSize: 8));
    }

    /// <summary>
    /// C2's ablation: one step early, a vertex reads its error before its children's errors have reached it, so it is
    /// still 0 (C1). The output's own parameters, whose turn is not moved, keep backprop's update; every other update is
    /// exactly 0, and the rule as a whole is far from backprop.
    /// </summary>
    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet5")]
    [InlineData("residual_mlp")]
    [InlineData("rnn_tanh")]
    public void An_early_schedule_no_longer_equals_backprop(string network)
    {
        using var model = Fixtures.Model(network, Loss, Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, network, Loss);
        var loss = LossFactory.Create(Loss);
        using var early = new ReferenceZil(scheduleShift: -1).Compute(model, batch, loss);
        using var bp = new Backprop().Compute(model, batch, loss);
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);

        var output = model.Graph.TrainingOutput;
        var outputOnly = model.Graph.Parameters.Where(p => p.Readers.All(r => r == output)).Select(p => p.Name).ToHashSet();
        Assert.NotEmpty(outputOnly);
        foreach (var (name, update) in early.Updates)
        {
            if (outputOnly.Contains(name)) AssertBitwise(update, bp.Updates[name], $"{network}/{name}: the output's own parameter");
            else Assert.True(update.MaxAbs() == 0, $"{network}/{name}: a turn before the error arrives should take a zero term, it took {update.MaxAbs():E3}");
        }
        double divergence = ParameterDivergence.Compare(early.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();
        Assert.True(divergence >= Tolerances.AblationBreaks, $"{network}: the early schedule is only {divergence:E3} from backprop");
    }

    [Fact]
    public void A_late_schedule_is_refused()
    {
        using var model = Fixtures.Model("mlp", Loss, Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, "mlp", Loss);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReferenceZil(scheduleShift: 1).Compute(model, batch, LossFactory.Create(Loss)));
    }

    private static void AssertZilAndBackpropEqualTheReference(PcnModel model, Batch batch, ILoss loss, string what, Func<ILearningRule, ILearningRule>? wrap = null)
    {
        wrap ??= rule => rule;
        using var reference = wrap(new ReferenceZil()).Compute(model, batch, loss);
        using var zil = wrap(new Zil()).Compute(model, batch, loss);
        using var bp = wrap(new Backprop()).Compute(model, batch, loss);
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        Assert.Equal(bp.Updates.Keys.Order(), reference.Updates.Keys.Order());
        foreach (var (name, update) in reference.Updates)
        {
            AssertBitwise(zil.Updates[name], update, $"{what}/{name}: zil against the reference");
            AssertBitwise(bp.Updates[name], update, $"{what}/{name}: backprop against the reference");
        }
    }

    private static void AssertBitwise(Tensor actual, Tensor expected, string what)
    {
        using var difference = (actual - expected).abs().max();
        Assert.True(actual.equal(expected).all().item<bool>(), $"{what}: differs by {difference.ToDouble():E3} at most");
    }
}
