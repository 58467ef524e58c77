using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using static TorchSharp.torch;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Tests.Trainer.Losses;

/// <summary>Settings that do not apply or are out of range, and targets that do not fit, are refused with a message naming them.</summary>
public sealed class LossValidationTests
{
    [Theory]
    [InlineData("mse", 1, null, "classAxis applies to loss ce only")]
    [InlineData("bce", null, 0.1, "labelSmoothing applies to loss ce only")]
    [InlineData("l1", null, 0.0, "labelSmoothing applies to loss ce only")]
    [InlineData("ce", null, 1.0, "labelSmoothing 1 is not in [0, 1)")]
    [InlineData("ce", null, -0.1, "labelSmoothing -0.1 is not in [0, 1)")]
    [InlineData("ce", 0, null, "classAxis 0 is not 1 or more")]
    [InlineData("hinge", null, null, "loss 'hinge' is not one of mse, ce, bce, l1")]
    public void Settings_that_do_not_apply_are_refused(string loss, int? classAxis, double? smoothing, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new LossSettings(loss, LossReduction.Mean, classAxis, smoothing).Create());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_class_axis_outside_the_output_is_refused_naming_the_rank()
    {
        var ce = new CrossEntropyLoss(classAxis: 4);
        using var output = zeros(2, 3, 4, 4);
        using var labels = zeros([2, 4, 4], ScalarType.Int64);
        var e = Assert.Throws<SettingException>(() => ce.Value(output, labels));
        Assert.Contains("classAxis 4 is outside the output's rank 4", e.Message);
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 4, 5 }, null, new long[] { 2, 4, 5 }, true)]   // segmentation: classes on axis 1
    [InlineData(new long[] { 2, 3, 4, 5 }, null, new long[] { 2, 3, 4 }, false)]  // the last axis is not the default for rank 4
    [InlineData(new long[] { 2, 3, 4, 5 }, 3, new long[] { 2, 3, 4 }, true)]      // unless asked for
    [InlineData(new long[] { 2, 1000, 1, 1 }, null, new long[] { 2 }, true)]      // a classifier's [N, C, 1, 1]
    [InlineData(new long[] { 2, 1000, 1, 1 }, null, new long[] { 2, 1, 1 }, true)]
    [InlineData(new long[] { 2, 10, 2, 2 }, null, new long[] { 2 }, false)]
    [InlineData(new long[] { 2, 7, 10 }, null, new long[] { 2, 7 }, true)]         // [B, T, C] sequences as before
    [InlineData(new long[] { 2, 10 }, null, new long[] { 2 }, true)]
    public void Labels_fit_the_output_without_its_class_axis(long[] output, int? classAxis, long[] labels, bool fits) =>
        Assert.Equal(fits, new CrossEntropyLoss(classAxis: classAxis).FitsLabels(output, labels));

    [Fact]
    public void Labels_that_do_not_fit_are_named_with_the_shape_they_need()
    {
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(Labels([4, 3, 4]), [4, 3, 4, 5], "ce"));
        Assert.Contains("labels have shape [4, 3, 4]", e.Message);
        Assert.Contains("takes labels shaped [N, 4, 5] (class axis 1)", e.Message);
    }

    [Fact]
    public void Bce_targets_outside_zero_to_one_are_refused_naming_the_value()
    {
        var set = new DataSet("t.npz", "x", new HostTensor(TensorProto.Types.DataType.Float, [2, 1], [0, 0]),
            new HostTensor(TensorProto.Types.DataType.Float, [2, 3], [0, 1, 0.5, 1, 1.5, 0]));
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(set, [2, 3], "bce"));
        Assert.Contains("target 1.5 at index 4 is outside [0, 1]", e.Message);
        var labels = Assert.Throws<DataFormatException>(() => DataValidation.Check(Labels([2]), [2, 3], "bce"));
        Assert.Contains("bce needs float targets shaped like the output [3]", labels.Message);
    }

    [Fact]
    public void Targets_of_another_shape_are_named_with_the_output_shape()
    {
        using var output = zeros(2, 3);
        using var target = zeros(2, 4);
        foreach (string loss in new[] { "mse", "l1", "bce" })
        {
            var e = Assert.Throws<ArgumentException>(() => LossFactory.Create(loss).Value(output, target));
            Assert.Contains($"{loss}: targets [2, 4] must have the output's shape [2, 3]", e.Message);
        }
    }

    private static DataSet Labels(long[] shape) =>
        new("t.npz", "x", new HostTensor(TensorProto.Types.DataType.Float, [shape[0], 1], new double[shape[0]]),
            new HostTensor(TensorProto.Types.DataType.Int64, shape, new double[HostTensor.ElementCount(shape)]));
}
