using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Converter.Transfer;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.Transfer;

/// <summary>--reinit: every parameter is drawn as torch.nn's reset_parameters draws it for its layer, from the seed.</summary>
public sealed class FreshInitializationTests
{
    [Theory]
    // torch.nn's bounds: 1/sqrt(fan_in) for Conv2d (C_in * kernel) and Linear (in_features), 1/sqrt(hidden_size) for RNN.
    [InlineData("lenet5-fashion.onnx", "conv1.weight:25 conv1.bias:25 conv2.weight:150 conv2.bias:150 fc1.weight:400 fc1.bias:400 " +
        "fc2.weight:120 fc2.bias:120 fc3.weight:84 fc3.bias:84")]
    [InlineData("rnn-fashion-rows.onnx", "onnx::RNN_37:128 onnx::RNN_38:128 onnx::RNN_39:128 head.weight:128 head.bias:128")]
    public void Draws_every_parameter_within_torch_bounds_from_the_seed(string file, string fanIns)
    {
        string path = Repository.PathOf("models", file);
        var original = OnnxModelFile.Load(path);
        var (fresh, drawn, kept) = FreshInitialization.Apply(original, path, seed: 3);

        // NAME:FAN_IN, split at the last colon: exporters' names hold colons of their own (onnx::RNN_37).
        var expected = fanIns.Split(' ').ToDictionary(f => f[..f.LastIndexOf(':')], f => long.Parse(f[(f.LastIndexOf(':') + 1)..]));
        Assert.Equal(expected.Keys.Order(), drawn.Order());
        Assert.Empty(kept);
        foreach (var (name, fanIn) in expected)
        {
            var before = Initializer(original, name, path);
            var after = Initializer(fresh, name, path);
            double bound = 1 / Math.Sqrt(fanIn);
            Assert.Equal(before.Shape, after.Shape);
            Assert.Equal(before.ElementType, after.ElementType);
            Assert.All(after.Values, v => Assert.InRange(Math.Abs(v), 0, bound));
            // A uniform draw of at least 6 values reaches past half the bound unless it is not uniform in the bound at all
            // (the chance that 6 draws all stay inside half is 2^-6); the shipped, trained values are not what came back.
            Assert.True(after.Values.Max(Math.Abs) > 0.5 * bound, $"{name}: largest value {after.Values.Max(Math.Abs)}, bound {bound}");
            Assert.NotEqual(before.Values, after.Values);
        }
        Assert.Equal(original.Graph.Node, fresh.Graph.Node);

        Assert.Equal(Initializer(fresh, drawn[0], path).Values,
            Initializer(FreshInitialization.Apply(original, path, seed: 3).Model, drawn[0], path).Values);
        Assert.NotEqual(Initializer(fresh, drawn[0], path).Values,
            Initializer(FreshInitialization.Apply(original, path, seed: 4).Model, drawn[0], path).Values);
    }

    [Fact]
    public void Resets_batch_normalization_to_unit_scale_zero_shift_and_fresh_statistics()
    {
        string path = Fixtures.PathOf("bn_train_opset13.onnx");
        var original = OnnxModelFile.Load(path);
        var (fresh, _, _) = FreshInitialization.Apply(original, path, seed: 0);
        var batchNorms = fresh.Graph.Node.Where(n => n.OpType == "BatchNormalization").ToList();
        Assert.NotEmpty(batchNorms);
        foreach (var node in batchNorms)
            foreach (var (input, value) in new[] { (1, 1.0), (2, 0.0), (3, 0.0), (4, 1.0) })
                Assert.All(Initializer(fresh, node.Input[input], path).Values, v => Assert.Equal(value, v));
    }

    private static HostTensor Initializer(ModelProto model, string name, string path) =>
        TensorCodec.Decode(model.Graph.Initializer.Single(t => t.Name == name), path);
}
