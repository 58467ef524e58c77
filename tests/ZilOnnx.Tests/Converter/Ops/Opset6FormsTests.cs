using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The opset-6 forms the conformance data does not reach (Add's axis in the middle, Gemm's broadcast = 0,
/// per-activation BatchNormalization, the test-mode flags), checked against values worked out by hand from the spec.
/// Shapes that do not fit are refused when the PCN is built, before any data flows.
/// </summary>
public sealed class Opset6FormsTests
{
    [Fact]
    public void Add_6_aligns_B_with_A_starting_at_axis()
    {
        // A (2, 3, 4) + B (3) with axis = 1: B[j] is added to every A[i, j, k].
        var model = new SingleNodeModel("Add", 6, [2, 3, 4], Floats("B", [3], 10, 20, 30)).Int("broadcast", 1).Int("axis", 1).Build();
        var x = Enumerable.Range(0, 24).Select(i => (double)i).ToArray();

        double[] y = Forward(model, [2, 3, 4], x);

        for (int i = 0; i < 24; i++) Assert.Equal(x[i] + 10 * (i / 4 % 3 + 1), y[i]);
    }

    [Fact]
    public void Add_6_aligns_B_with_the_trailing_dimensions_by_default()
    {
        var model = new SingleNodeModel("Add", 6, [2, 3], Floats("B", [3], 10, 20, 30)).Int("broadcast", 1).Build();

        Assert.Equal([10, 21, 32, 13, 24, 35], Forward(model, [2, 3], [0, 1, 2, 3, 4, 5]));
    }

    [Fact]
    public void Add_6_without_broadcast_refuses_different_shapes()
    {
        var model = new SingleNodeModel("Add", 6, [2, 3], Floats("B", [3], 1, 2, 3)).Build();

        var e = Assert.Throws<ModelConversionException>(() => Forward(model, [2, 3], new double[6]));
        Assert.Contains("without broadcast = 1 the operands must have the same shape", e.Message);
    }

    [Fact]
    public void Add_6_refuses_B_that_does_not_fit_at_axis()
    {
        var model = new SingleNodeModel("Add", 6, [2, 3], Floats("B", [2], 1, 2)).Int("broadcast", 1).Int("axis", 1).Build();

        var e = Assert.Throws<ModelConversionException>(() => Forward(model, [2, 3], new double[6]));
        Assert.Contains("dimension 0 of the second operand (2) does not match axis 1 of the first (3)", e.Message);
    }

    [Fact]
    public void Add_6_refuses_a_negative_axis_at_conversion()
    {
        var model = new SingleNodeModel("Add", 6, [2, 3], Floats("B", [3], 1, 2, 3)).Int("broadcast", 1).Int("axis", -1).Build();

        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "add6.onnx"));
        Assert.Contains("legacy broadcast 'axis' = -1 is negative", e.Message);
    }

    [Fact]
    public void Gemm_6_without_broadcast_needs_C_of_the_output_shape()
    {
        var model = new SingleNodeModel("Gemm", 6, [1, 2], Floats("B", [2, 2], 1, 0, 0, 1), Floats("C", [2], 5, 6)).Build();

        var e = Assert.Throws<ModelConversionException>(() => Forward(model, [1, 2], [1, 2]));
        Assert.Contains("must have the output's shape", e.Message);
    }

    [Fact]
    public void Gemm_6_with_broadcast_adds_a_vector_C_to_every_row()
    {
        var model = new SingleNodeModel("Gemm", 6, [2, 2], Floats("B", [2, 2], 1, 0, 0, 1), Floats("C", [2], 5, 6)).Int("broadcast", 1).Build();

        Assert.Equal([6, 8, 8, 10], Forward(model, [2, 2], [1, 2, 3, 4]));
    }

    [Fact]
    public void BatchNormalization_6_per_activation_normalises_each_element_with_its_own_statistics()
    {
        // spatial = 0: the statistics have x's shape without the batch axis, here (1, 2).
        var model = new SingleNodeModel("BatchNormalization", 6, [2, 1, 2],
                Floats("scale", [1, 2], 2, 3), Floats("bias", [1, 2], 1, -1), Floats("mean", [1, 2], 1, 2), Floats("var", [1, 2], 4, 16))
            .Int("is_test", 1).Int("spatial", 0).Float("epsilon", 0).Build();

        // y = scale * (x - mean) / sqrt(var) + bias, element by element.
        Assert.Equal([1 + 2 * (3 - 1) / 2.0, -1 + 3 * (6 - 2) / 4.0, 1 + 2 * (5 - 1) / 2.0, -1 + 3 * (10 - 2) / 4.0],
            Forward(model, [2, 1, 2], [3, 6, 5, 10]));
    }

    [Fact]
    public void Opset_6_training_mode_default_maps_to_the_training_forms()
    {
        var statistics = new[] { "scale", "bias", "mean", "var" }.Select(n => Floats(n, [1], 1)).ToArray();
        var batchNorm = PcGraphBuilder.Build(new SingleNodeModel("BatchNormalization", 6, [2, 1], statistics).Build(), "opset6.onnx");
        var dropout = PcGraphBuilder.Build(new SingleNodeModel("Dropout", 6, [2, 1]).Build(), "opset6.onnx");

        // is_test = 0, the default before opset 7: batch statistics (momentum defaults to 0.9), and dropout at ratio 0.5.
        Assert.Equal(0.9, ((BatchNormalizationSpec)batchNorm.Vertices.Single(v => v.Op is BatchNormalizationSpec).Op).Batch!.Momentum, 6);
        Assert.Equal(0.5, ((DropoutSpec)dropout.Vertices.Single(v => v.Op is DropoutSpec).Op).Ratio, 6);
    }

    [Fact]
    public void Dropout_6_in_test_mode_is_the_identity()
    {
        var model = new SingleNodeModel("Dropout", 6, [3]).Int("is_test", 1).Float("ratio", 0.5f).Build();

        Assert.Equal([1, -2, 3], Forward(model, [3], [1, -2, 3]));
    }

    [Theory]
    [InlineData("MaxPool", "ceil_mode")]      // since version 10
    [InlineData("MaxPool", "storage_order")]  // since version 8
    [InlineData("AveragePool", "count_include_pad")] // since version 7
    public void Attribute_newer_than_the_operator_version_is_refused(string op, string attribute)
    {
        var model = new SingleNodeModel(op, 6, [1, 1, 4, 4]).Ints("kernel_shape", 2, 2).Int(attribute, 1).Build();

        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "pool6.onnx"));
        Assert.Contains($"attribute(s) {attribute} not supported", e.Message);
    }

    private static TensorProto Floats(string name, long[] shape, params float[] values) => ModelBuilder.FloatTensor(name, shape, values);

    private static double[] Forward(ModelProto model, long[] shape, double[] x)
    {
        var graph = PcGraphBuilder.Build(model, "opset6.onnx");
        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var input = pcn.ToTensor(new HostTensor(TensorProto.Types.DataType.Float, shape, x));
        return pcn.Forward(new Dictionary<string, Tensor> { ["x"] = input })[graph.TrainingOutput].contiguous().data<double>().ToArray();
    }
}
