using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>Targets and inputs are checked against the model's training output before any training.</summary>
public sealed class DataValidationTests
{
    private static DataSet Set(double[] x, long[] xShape, double[] y, long[] yShape, bool labels) => new("data.npz", "x",
        new HostTensor(TensorProto.Types.DataType.Float, xShape, x),
        new HostTensor(labels ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float, yShape, y));

    private static DataSet Labels(params double[] y) => Set(new double[y.Length * 2], [y.Length, 2], y, [y.Length], labels: true);

    [Fact]
    public void Labels_inside_the_class_range_pass()
    {
        DataValidation.Check(Labels(0, 2, 1), [8, 3], "ce");
    }

    [Theory]
    [InlineData(3.0, "label 3 at index 1 is outside 0..2")]
    [InlineData(-1.0, "label -1 at index 1 is outside 0..2")]
    public void A_label_outside_the_classes_is_named_with_its_index(double label, string message)
    {
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(Labels(0, label, 1), [8, 3], "ce"));
        Assert.Contains("data.npz, array 'y': " + message, e.Message);
    }

    [Fact]
    public void Class_labels_with_mse_are_refused_with_the_expected_target_shape()
    {
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(Labels(0, 1), [8, 3], "mse"));
        Assert.Contains("mse needs float targets shaped like the output [3]", e.Message);
    }

    [Fact]
    public void Labels_for_a_sequence_output_need_the_time_axis()
    {
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(Labels(0, 1), [8, 5, 3], "ce"));
        Assert.Contains("takes labels shaped [N, 5]", e.Message);
    }

    [Fact]
    public void Float_targets_must_match_the_output_per_sample()
    {
        var set = Set(new double[4], [2, 2], new double[8], [2, 4], labels: false);
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(set, [8, 3], "mse"));
        Assert.Contains("targets have shape [2, 4] but the model's output is [8, 3]", e.Message);
        DataValidation.Check(set, [8, 4], "mse");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_inputs_are_refused_naming_the_sample_and_the_element(double bad)
    {
        var set = Set([0, 1, bad, 3], [2, 2], [0, 1], [2], labels: true);
        var e = Assert.Throws<DataFormatException>(() => DataValidation.CheckInputs(set));
        Assert.Contains($"array 'x': sample 1 holds {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)} (element 2 of the array)", e.Message);
        DataValidation.CheckInputs(Set([0, 1, 2, 3], [2, 2], [0, 1], [2], labels: true));
    }

    [Fact]
    public void Inputs_are_checked_for_finite_values_in_their_stored_type_without_a_copy()
    {
        // 4 million float32 inputs (16 MB as stored, 32 MB as doubles), a NaN in the last sample.
        var values = new float[4_000_000];
        values[^1] = float.NaN;
        var inputs = new SampleArray<float>(TensorProto.Types.DataType.Float, [1000, 4000], values);
        var labels = SampleArray.FromHostTensor(new HostTensor(TensorProto.Types.DataType.Int64, [1000], new double[1000]));
        var set = new DataSet("big.npy", "x", inputs, labels);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => DataValidation.CheckInputs(set));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("sample 999 holds NaN (element 3999999 of the array)", e.Message);
        Assert.True(allocated < 1_000_000, $"the check allocated {allocated} bytes");
    }

    [Fact]
    public void Labels_from_a_file_of_their_own_are_named_by_that_file()
    {
        var set = new DataSet("train-images-idx3-ubyte", "x", new HostTensor(TensorProto.Types.DataType.Float, [2, 2], new double[4]),
            new HostTensor(TensorProto.Types.DataType.Int64, [2], [0, 7]), targetsFile: "train-labels-idx1-ubyte");
        var e = Assert.Throws<DataFormatException>(() => DataValidation.Check(set, [8, 3], "ce"));
        Assert.StartsWith("train-labels-idx1-ubyte: label 7 at index 1 is outside 0..2", e.Message);
    }
}
