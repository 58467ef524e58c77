using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Ops;
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
/// Graphs exported in training mode (tests/fixtures/generate_trainmode_fixtures.py): BatchNormalization with batch
/// statistics and Dropout with masks from the seed keep Z-IL equal to backprop, and SGD on them does what
/// torch.optim.SGD does in train mode, running statistics included.
/// </summary>
public sealed class TrainingModeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int BatchSize = 8;
    private const double LearningRate = 0.1;
    private const int Steps = 3;

    private static PcnModel Model(string file, Precision precision, BatchNormStatistics? batchNorm = null, long seed = 0)
    {
        string path = Fixtures.PathOf(file);
        var graph = PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions
        {
            TrainOnLogits = true,
            BatchNorm = batchNorm,
            InputShapes = new Dictionary<string, long[]> { ["x"] = [BatchSize, 3, 8, 8] },
        });
        return new PcnModel(graph, precision, CPU) { DropoutMasks = new DropoutMasks(seed) };
    }

    private static DataSet Data()
    {
        var arrays = Fixtures.Arrays("bn_train.npz");
        return new DataSet("bn_train.npz", "x", arrays["x"], arrays["y"]);
    }

    private static ZilOnnx.Trainer.Training.Trainer Trainer(PcnModel model, ILearningRule rule, bool verify = false)
    {
        var data = Data();
        return new ZilOnnx.Trainer.Training.Trainer(model, rule, new CrossEntropyLoss(), new Sgd(LearningRate, momentum: 0), data,
            new BatchOrder(data.Count, BatchSize, shuffle: false, seed: 0), verify ? new VerificationPolicy(1, double.PositiveInfinity) : new VerificationPolicy(0, 0));
    }

    [Theory]
    [InlineData("bn_train_opset15.onnx", Precision.Float64)]
    [InlineData("bn_train_opset15.onnx", Precision.Float32)]
    [InlineData("bn_train_opset13.onnx", Precision.Float64)]
    [InlineData("bn_dropout_train_opset15.onnx", Precision.Float64)]
    [InlineData("bn_dropout_train_opset15.onnx", Precision.Float32)]
    public void Zil_equals_backprop_step_by_step_in_training_mode(string file, Precision precision)
    {
        using var model = Model(file, precision, seed: 5);
        Assert.Equal(2, model.Graph.Vertices.Count(v => v.Op is BatchNormalizationSpec { Batch: not null }));
        var trainer = Trainer(model, new Zil(), verify: true);
        for (int i = 0; i < Steps; i++)
        {
            var step = trainer.Step();
            // Both rules run the same kernels on the same batch statistics and masks, and Z-IL's local products are
            // autograd's own: bit for bit, in float32 as in float64.
            output.WriteLine($"{file} {precision} step {i + 1}: max relative divergence {step.MaxRelativeDivergence:E3}");
            Assert.Equal(0.0, step.MaxRelativeDivergence);
        }
    }

    [Fact]
    public void Dropout_masks_come_from_the_seed_and_change_from_step_to_step()
    {
        using var model = Model("bn_dropout_train_opset15.onnx", Precision.Float64, seed: 5);
        var dropout = model.Graph.Vertices.Single(v => v.Op is DropoutSpec);
        Assert.Equal(0.5, ((DropoutSpec)dropout.Op).Ratio, 6);
        using var again = new DropoutMasks(5);
        using var other = new DropoutMasks(6);
        model.DropoutMasks!.BeginStep(0);
        again.BeginStep(0);
        other.BeginStep(0);
        var first = model.DropoutMasks.For(dropout, (DropoutSpec)dropout.Op, ScalarType.Float64, CPU);
        Assert.True(Same(first, again.For(dropout, (DropoutSpec)dropout.Op, ScalarType.Float64, CPU)));
        Assert.False(Same(first, other.For(dropout, (DropoutSpec)dropout.Op, ScalarType.Float64, CPU)));
        // Kept elements are scaled by 1 / (1 - ratio) = 2; about half are kept.
        double kept = first.gt(0).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(kept, 0.4, 0.6);
        Assert.Equal(2.0, first.MaxAbs());
        var firstCopy = first.clone();
        model.DropoutMasks.BeginStep(1);
        Assert.False(Same(firstCopy, model.DropoutMasks.For(dropout, (DropoutSpec)dropout.Op, ScalarType.Float64, CPU)));
    }

    [Theory]
    [InlineData("bn_train_opset15.onnx", "bn_train.ce.steps3.expected.npz")]
    [InlineData("bn_train_opset13.onnx", "bn_train.ce.steps3.expected.npz")]
    // Dropout's masks cannot match torch's generator, so the whole network is compared with ratio 0 (a training-mode
    // Dropout that keeps everything); the masks themselves are covered by the exactness test above.
    [InlineData("bn_dropout_ratio0_train_opset15.onnx", "bn_dropout_ratio0.ce.steps3.expected.npz")]
    public void Sgd_in_training_mode_equals_pytorch_train_mode(string file, string expectedFile)
    {
        using var model = Model(file, Precision.Float64);
        var trainer = Trainer(model, new Zil());
        for (int i = 0; i < Steps; i++) trainer.Step();
        var expected = Fixtures.Arrays(expectedFile);

        // Parameters: two float64 implementations summing in different orders agree to ~1e-15 relative (as in
        // PyTorchReferenceTests); 1e-9 leaves room for that and nothing else.
        foreach (var (name, value) in model.Parameters)
            AssertClose(name, value, model.ToTensor(expected[name]), 1e-9);
        // Running statistics: the file stores ONNX momentum 0.7 as float32 (0.699999988), so 1 - momentum differs from
        // torch's 0.3 by 1.2e-8 relative; over three steps that bounds the agreement near 1e-8, and 1e-7 allows it.
        Assert.Equal(4, model.RunningStatistics.Values.Count);
        foreach (var (name, value) in model.RunningStatistics.Values)
        {
            using var initial = model.ToTensor(model.RunningStatistics.Initial[name]);
            Assert.True((value - initial).MaxAbs() > 1e-3, $"{name}: the running statistic did not move");
            AssertClose(name, value, model.ToTensor(expected[name]), 1e-7);
        }
    }

    [Fact]
    public void Bn_frozen_trains_a_training_mode_graph_with_its_running_statistics()
    {
        using var frozen = Model("bn_train_opset15.onnx", Precision.Float64, BatchNormStatistics.Frozen);
        Assert.All(frozen.Graph.Vertices.Where(v => v.Op is BatchNormalizationSpec), v => Assert.Null(((BatchNormalizationSpec)v.Op).Batch));
        Assert.False(frozen.RunningStatistics.Any);
        var trainer = Trainer(frozen, new Zil(), verify: true);
        Assert.Equal(0.0, trainer.Step().MaxRelativeDivergence);
        // Nothing moves the running statistics, so the export writes the file's own.
        var exported = frozen.ExportParameters();
        Assert.DoesNotContain("bn1.running_mean", exported.Keys);
    }

    [Fact]
    public void Bn_batch_turns_an_inference_graph_into_batch_statistics()
    {
        string path = Fixtures.PathOf("cnn_features.onnx");
        var model = OnnxModelFile.Load(path);
        var graph = PcGraphBuilder.Build(model, path, new PcGraphOptions { BatchNorm = BatchNormStatistics.Batch, InputShapes = new Dictionary<string, long[]> { ["x"] = [8, 3, 16, 16] } });
        var bn = (BatchNormalizationSpec)graph.Vertices.Single(v => v.Op is BatchNormalizationSpec).Op;
        Assert.NotNull(bn.Batch);
        Assert.Equal(0.9, bn.Batch!.Momentum, 6);
        var plain = PcGraphBuilder.Build(model, path);
        Assert.Null(((BatchNormalizationSpec)plain.Vertices.Single(v => v.Op is BatchNormalizationSpec).Op).Batch);
    }

    private static bool Same(Tensor a, Tensor b)
    {
        using var difference = a - b;
        return difference.MaxAbs() == 0;
    }

    private void AssertClose(string name, Tensor actual, Tensor expected, double tolerance)
    {
        using var difference = actual - expected;
        double relative = difference.MaxAbs() / expected.MaxAbs();
        output.WriteLine($"{name}: {relative:E3} relative");
        Assert.True(relative <= tolerance, $"{name}: differs from PyTorch's by {relative:E3} relative (tolerance {tolerance:E0})");
    }
}
