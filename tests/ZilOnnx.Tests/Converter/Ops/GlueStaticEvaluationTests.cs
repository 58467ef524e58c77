using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The shape arithmetic exporters put around recurrent layers and reshapes, built into real graphs: every glue
/// node here sees constants only (or the shape of the data), so the graph builder evaluates it at conversion
/// time. The results are compared with values worked out by hand.
/// </summary>
public sealed class GlueStaticEvaluationTests
{
    private const long Int64Max = long.MaxValue, Int64Min = long.MinValue;

    /// <summary>x[2, 3, 4] reshaped to [batch, rest] by a shape computed from Shape(x), opset 13 forms throughout.</summary>
    private static ModelProto Opset13Model()
    {
        var b = new ModelBuilder(opset: 13).Input("x", 2, 3, 4).Output("y", 2, 12)
            .Int64Scalar("zero", 0).Int64Scalar("one", 1).Int64Scalar("two", 2).Int64Scalar("four", 4).Int64Scalar("five", 5)
            .Int64Scalar("minus_seven", -7)
            .Int64s("axes0", 0).Int64s("axes01", 0, 1).Int64s("axes1", 1)
            .Int64s("start_last", -1).Int64s("end_first", Int64Min).Int64s("step_back", -1)
            .Int64s("split_1_2", 1, 2).Int64s("shape_1_3", 1, 3)
            .Initializer(Int64Tensor("matrix", [2, 3], [1, 2, 3, 4, 5, 6]))
            .Initializer(Int64Tensor("column", [2, 1], [1, 2]))
            .Op("Shape", ["x"], "s")
            .Op("Gather", ["s", "zero"], "batch")
            .Op("Unsqueeze", ["batch", "axes0"], "batch_1d")
            .Op("Gather", ["s", "one"], "time")
            .Op("Gather", ["s", "two"], "features")
            .Op("Mul", ["time", "features"], "rest")
            .Op("Unsqueeze", ["rest", "axes0"], "rest_1d")
            .Op("Concat", ["batch_1d", "rest_1d"], "target", Int("axis", 0))
            .Op("Reshape", ["x", "target"], "y")
            .Op("ConstantOfShape", ["target"], "sevens", Tensor("value", Int64Tensor("v", [1], [7])))
            .Op("ConstantOfShape", ["batch_1d"], "zeros")
            .Op("Slice", ["s", "start_last", "end_first", "axes0", "step_back"], "reversed")
            .Op("Transpose", ["matrix"], "transposed")
            .Op("Expand", ["column", "shape_1_3"], "expanded")
            .Op("Cast", ["s"], "s_float", Int("to", (long)TensorProto.Types.DataType.Float))
            .Op("Unsqueeze", ["batch", "axes01"], "batch_2d")
            .Op("Squeeze", ["batch_2d", "axes1"], "batch_again")
            .Op("Split", ["s", "split_1_2"], "first_part")
            .Op("Size", ["x"], "size")
            .Op("Sub", ["size", "four"], "size_minus_4")
            .Op("Div", ["size_minus_4", "five"], "quotient")
            .Op("Div", ["minus_seven", "two"], "truncated")
            .Op("Add", ["s", "one"], "s_plus_1");
        // The Split node has a second output, folded like the first.
        b.Graph.Node.Single(n => n.OpType == "Split").Output.Add("second_part");
        return b.Build();
    }

    public static IEnumerable<object[]> Opset13Expectations() =>
    [
        ["s", new long[] { 3 }, new double[] { 2, 3, 4 }],
        ["batch", new long[0], new double[] { 2 }],
        ["rest_1d", new long[] { 1 }, new double[] { 12 }],
        ["target", new long[] { 2 }, new double[] { 2, 12 }],
        ["sevens", new long[] { 2, 12 }, Enumerable.Repeat(7.0, 24).ToArray()],
        ["zeros", new long[] { 2 }, new double[] { 0, 0 }],
        ["reversed", new long[] { 3 }, new double[] { 4, 3, 2 }],
        ["transposed", new long[] { 3, 2 }, new double[] { 1, 4, 2, 5, 3, 6 }],
        ["expanded", new long[] { 2, 3 }, new double[] { 1, 1, 1, 2, 2, 2 }],
        ["s_float", new long[] { 3 }, new double[] { 2, 3, 4 }],
        ["batch_again", new long[] { 1 }, new double[] { 2 }],
        ["first_part", new long[] { 1 }, new double[] { 2 }],
        ["second_part", new long[] { 2 }, new double[] { 3, 4 }],
        ["size", new long[0], new double[] { 24 }],
        ["quotient", new long[0], new double[] { 4 }],
        ["truncated", new long[0], new double[] { -3 }],
        ["s_plus_1", new long[] { 3 }, new double[] { 3, 4, 5 }],
    ];

    [Theory]
    [MemberData(nameof(Opset13Expectations))]
    public void Opset13_shape_arithmetic_is_folded(string name, long[] shape, double[] values)
    {
        var value = StaticValue(Opset13Model(), name);
        Assert.Equal(shape, value.Shape);
        Assert.Equal(values, value.Values);
    }

    [Fact]
    public void Folded_glue_leaves_one_vertex_with_the_computed_shape()
    {
        var graph = PcGraphBuilder.Build(WithOutputs(Opset13Model(), "s"), "glue13.onnx");
        var y = Assert.Single(graph.Vertices, v => v.Kind != VertexKind.DataInput);
        Assert.Equal([2, 12], y.Shape);
    }

    [Fact]
    public void Element_types_follow_the_operators()
    {
        var model = Opset13Model();
        Assert.Equal(TensorProto.Types.DataType.Float, StaticValue(model, "s_float").ElementType);
        Assert.Equal(TensorProto.Types.DataType.Int64, StaticValue(model, "sevens").ElementType);
        Assert.Equal(TensorProto.Types.DataType.Float, StaticValue(model, "zeros").ElementType); // the default value is float 0
    }

    /// <summary>The attribute forms of opsets before 13 (Unsqueeze/Squeeze axes, Split parts) and before 10 (Slice).</summary>
    private static ModelProto Opset9Model() =>
        new ModelBuilder(opset: 9).Input("x", 2, 3, 4).Output("y", 2, 3, 4)
            .Int64s("values", 10, 11, 12, 13, 14)
            .Op("Identity", ["x"], "y")
            .Op("Unsqueeze", ["values"], "row", Ints("axes", 0))
            .Op("Squeeze", ["row"], "flat", Ints("axes", 0))
            .Op("Squeeze", ["row"], "flat_all")
            .Op("Slice", ["values"], "middle", Ints("starts", 1), Ints("ends", -1))
            .Op("Slice", ["row"], "clamped", Ints("starts", -100, 3), Ints("ends", Int64Max, 100), Ints("axes", 0, 1))
            .Op("Split", ["values"], "head", Ints("split", 2, 3))
            .Op("Concat", ["values", "values"], "twice", Int("axis", 0))
            .Op("Gather", ["values"], "picked")
            .Build();

    public static IEnumerable<object[]> Opset9Expectations() =>
    [
        ["row", new long[] { 1, 5 }, new double[] { 10, 11, 12, 13, 14 }],
        ["flat", new long[] { 5 }, new double[] { 10, 11, 12, 13, 14 }],
        ["flat_all", new long[] { 5 }, new double[] { 10, 11, 12, 13, 14 }],
        ["middle", new long[] { 3 }, new double[] { 11, 12, 13 }],
        ["clamped", new long[] { 1, 2 }, new double[] { 13, 14 }],
        ["head", new long[] { 2 }, new double[] { 10, 11 }],
        ["twice", new long[] { 10 }, new double[] { 10, 11, 12, 13, 14, 10, 11, 12, 13, 14 }],
        ["picked", new long[] { 2 }, new double[] { 14, 10 }],
    ];

    [Theory]
    [MemberData(nameof(Opset9Expectations))]
    public void Opset9_attribute_forms_are_folded(string name, long[] shape, double[] values)
    {
        var model = Opset9Model();
        // Split has two parts, Gather needs its indices as a second input.
        model.Graph.Node.Single(n => n.OpType == "Split").Output.Add("tail_part");
        var gather = model.Graph.Node.Single(n => n.OpType == "Gather");
        model.Graph.Initializer.Add(Int64Tensor("which", [2], [-1, 0]));
        gather.Input.Add("which");
        var value = StaticValue(model, name);
        Assert.Equal(shape, value.Shape);
        Assert.Equal(values, value.Values);
    }

    [Fact]
    public void Shape_start_and_end_from_opset_15()
    {
        var model = new ModelBuilder(opset: 15).Input("x", 2, 3, 4, 5).Output("y", 2, 3, 4, 5)
            .Op("Identity", ["x"], "y")
            .Op("Shape", ["x"], "middle", Int("start", 1), Int("end", -1))
            .Op("Shape", ["x"], "tail", Int("start", -2))
            .Op("Shape", ["x"], "none", Int("start", 3), Int("end", 1))
            .Build();
        Assert.Equal([3, 4], StaticValue(model, "middle").Values);
        Assert.Equal([4, 5], StaticValue(model, "tail").Values);
        Assert.Empty(StaticValue(model, "none").Values);
    }

    [Fact]
    public void Shape_start_before_opset_15_is_an_unknown_attribute()
    {
        var model = new ModelBuilder(opset: 13).Input("x", 2, 3).Output("y", 2, 3)
            .Op("Identity", ["x"], "y").Op("Shape", ["x"], "s", Int("start", 1)).Build();
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(WithOutputs(model, "s"), "shape13.onnx"));
        Assert.Contains("attribute(s) start not supported", e.Message);
    }

    /// <summary>The constant a graph output resolves to after conversion.</summary>
    private static HostTensor StaticValue(ModelProto model, string name)
    {
        var graph = PcGraphBuilder.Build(WithOutputs(model, name), "glue.onnx");
        return Assert.IsType<Operand.FromConstant>(graph.GraphOutputs[name]).Value;
    }

    /// <summary>The model with extra graph outputs (after the data output, which stays the training output).</summary>
    private static ModelProto WithOutputs(ModelProto model, params string[] names)
    {
        var copy = model.Clone();
        foreach (string name in names) copy.Graph.Output.Add(ModelBuilder.FloatValueInfo(name));
        return copy;
    }
}
