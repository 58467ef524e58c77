using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Many-to-many: a loss on every time step of the output. The mse case has PyTorch references (see the
/// fixture lists); here `ce` with one label per step, [batch, T], whose classes are the output's last axis.
/// </summary>
public sealed class SequenceLossTests
{
    [Theory]
    [InlineData("zil", Precision.Float64)]
    [InlineData("zil", Precision.Float32)]
    [InlineData("zil-relaxed", Precision.Float64)]
    [InlineData("zil-relaxed", Precision.Float32)]
    public void Per_step_cross_entropy_on_a_many_to_many_lstm_equals_backprop(string rule, Precision precision)
    {
        using var model = Fixtures.Model("lstm_many_to_many", "mse", precision);
        var x = Fixtures.Data("lstm_many_to_many", "mse").Inputs;
        var random = new Random(5);
        var labels = new HostTensor(TensorProto.Types.DataType.Int64, [x.Shape[0], x.Shape[1]],
            Enumerable.Range(0, (int)(x.Shape[0] * x.Shape[1])).Select(_ => (double)random.Next(10)).ToArray());
        var data = new DataSet("per-step labels", "x", x, SampleArray.FromHostTensor(labels));
        var batch = data.Take(new BatchOrder(data.Count, 8, false, 0).IndicesOf(0), model.DType, model.Device);

        using var result = RuleFactory.Create(rule).Compute(model, batch, new CrossEntropyLoss());
        using var bp = new Backprop().Compute(model, batch, new CrossEntropyLoss());
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        double divergence = ParameterDivergence.Compare(result.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();
        Assert.True(divergence <= Tolerances.Exactness(precision), $"{rule}/{precision}: {divergence:E3}");
    }
}
