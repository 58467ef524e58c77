using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Freezing reads the frozen initializers as constants, so Z-IL's schedule ends at the deepest trainable vertex. That
/// truncated schedule must give the trainable parameters bitwise the updates of the full schedule, equal BP's (which
/// differentiates only the trainable parameters), and follow PyTorch's SGD with requires_grad=False on the backbone.
/// </summary>
public sealed class FrozenExactnessTests
{
    public static IEnumerable<object[]> Cases() =>
        from c in new (string Network, int TrainLast)[] { ("lenet5", 2), ("lenet5", 1), ("residual_mlp", 2), ("cnn_features", 1), ("rnn_tanh", 1), ("lstm", 1), ("gru", 1) }
        from precision in new[] { Precision.Float64, Precision.Float32 }
        select new object[] { c.Network, c.TrainLast, precision };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Truncated_schedule_equals_the_full_schedule_bitwise_and_backprop(string network, int trainLast, Precision precision)
    {
        const string loss = "ce";
        using var full = Fixtures.Model(network, loss, precision);
        var frozen = new TrainableSelection([], [], trainLast).FrozenIn(full.Graph);
        using var head = new PcnModel(Fixtures.Graph(network, loss, frozen: frozen), precision, CPU);
        Assert.NotEmpty(frozen);
        Assert.True(head.Graph.MaxDepth < full.Graph.MaxDepth, $"{network}: the schedule should stop before depth {full.Graph.MaxDepth}, it reaches {head.Graph.MaxDepth}");

        var batch = RuleHarness.FirstBatch(full, network, loss);
        var lossFunction = LossFactory.Create(loss);
        using var fullZil = new Zil().Compute(full, batch, lossFunction);
        using var headZil = new Zil().Compute(head, batch, lossFunction);
        using var headBp = new Backprop().Compute(head, batch, lossFunction);

        var trainable = full.Graph.Parameters.Select(p => p.Name).Except(frozen).Order(StringComparer.Ordinal);
        Assert.Equal(trainable, headZil.Updates.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, update) in headZil.Updates)
            Assert.True(update.equal(fullZil.Updates[name]).all().item<bool>(), $"{network}/{precision}/{name}: the truncated schedule's update differs from the full schedule's");
        RuleHarness.AssertBackpropUpdatesAreNonZero(headBp.Updates);
        double divergence = ParameterDivergence.Compare(headZil.Updates, headBp.Updates).Select(d => d.MaxRel).LargestOrNaN();
        // The tolerance verify applies by default (1e-10 float64, 1e-4 float32): rounding, not a wrong schedule (order 1).
        Assert.True(divergence <= precision.DefaultTolerance(), $"{network}/{precision}: Z-IL differs from BP by {divergence:E3}");
    }

    [Fact]
    public void Frozen_backbone_follows_pytorch_sgd_with_requires_grad_false()
    {
        string path = Fixtures.PathOf("squeeze_head.onnx");
        var arrays = Fixtures.Arrays("squeeze_head.ce.npz");
        var data = new DataSet(path, "x", arrays["x"], arrays["y"]);
        var onnx = OnnxModelFile.Load(path);
        var options = new PcGraphOptions { TrainOnLogits = true, InputShapes = new Dictionary<string, long[]> { ["x"] = [RuleHarness.BatchSize, 1, 12, 12] } };
        var frozen = new TrainableSelection(["conv1.*"], [], null).FrozenIn(PcGraphBuilder.Build(onnx, path, options));
        Assert.Equal(["conv1.bias", "conv1.weight"], frozen.Order(StringComparer.Ordinal));
        using var model = new PcnModel(PcGraphBuilder.Build(onnx, path, options with { Frozen = frozen }), Precision.Float64, CPU);

        // The fixture's settings (generate_transfer_fixtures.py): SGD lr 0.05, batches of 8 in file order, 5 steps.
        var trainer = new ZilOnnx.Trainer.Training.Trainer(model, new Zil(), LossFactory.Create("ce"), new Sgd(0.05, momentum: 0), data,
            new BatchOrder(data.Count, RuleHarness.BatchSize, shuffle: false, seed: 0), new VerificationPolicy(1, Precision.Float64.DefaultTolerance()));
        for (int i = 0; i < 5; i++) trainer.Step();

        var expected = Fixtures.Arrays("squeeze_head.frozen.ce.steps5.expected.npz");
        Assert.Equal(expected.Keys.Except(frozen).Order(StringComparer.Ordinal), model.Parameters.Keys.Order(StringComparer.Ordinal));
        // torch left the frozen initializers where they were, as zilonnx (which never holds them as parameters) does.
        foreach (string name in frozen)
            Assert.Equal(expected[name].Values, TensorCodec.Decode(onnx.Graph.Initializer.Single(t => t.Name == name), path).Values);
        double relative = TrajectoryHarness.RelativeToUpdate(model.Parameters, model.Parameters.Keys.ToDictionary(k => k, k => model.ToTensor(expected[k])), model);
        // Two float64 implementations summing in different orders: ~1e-15 of the movement; 1e-9 as PyTorchReferenceTests.
        Assert.True(relative <= 1e-9, $"the trainable parameters differ from PyTorch's by {relative:E3} of the update");
    }
}
