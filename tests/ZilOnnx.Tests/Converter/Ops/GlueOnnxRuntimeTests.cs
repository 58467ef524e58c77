using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The glue operators' version forms the conformance data leaves out (attributes before opsets 10 and 13,
/// negative axes and steps, default perm and axes), each on a data vertex, run through the PCN in float64 and
/// through ONNX Runtime, and compared.
/// </summary>
public sealed class GlueOnnxRuntimeTests
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelProto> Models = new();

    private static object[] Register(SingleNodeModel model, string? suffix = null)
    {
        string description = model + (suffix == null ? "" : " " + suffix);
        Models[description] = model.Build();
        return [description];
    }

    private static TensorProto Longs(string name, params long[] values) => Int64Tensor(name, [values.Length], values);

    public static IEnumerable<object[]> Cases()
    {
        yield return Register(new SingleNodeModel("Unsqueeze", 11, [2, 3]).Ints("axes", -1, 0));
        yield return Register(new SingleNodeModel("Unsqueeze", 6, [2, 3]).Ints("axes", 2, 0));
        yield return Register(new SingleNodeModel("Unsqueeze", 13, [2, 3], Longs("axes", 1)), "axes=[1] input");
        yield return Register(new SingleNodeModel("Squeeze", 11, [1, 3, 1, 2]));
        yield return Register(new SingleNodeModel("Squeeze", 11, [1, 3, 1, 2]).Ints("axes", -2));
        yield return Register(new SingleNodeModel("Squeeze", 13, [1, 3, 1, 2], Longs("axes", 0)), "axes=[0] input");
        yield return Register(new SingleNodeModel("Slice", 9, [2, 5, 4]).Ints("starts", 1, -3).Ints("ends", 1000, -1).Ints("axes", 1, 2));
        yield return Register(new SingleNodeModel("Slice", 6, [2, 5, 4]).Ints("starts", 0, 1).Ints("ends", 1, 3));
        yield return Register(new SingleNodeModel("Slice", 11, [2, 5, 4],
            Longs("starts", -1), Longs("ends", long.MinValue), Longs("axes", -2), Longs("steps", -2)), "starts=-1 ends=INT64_MIN axes=-2 steps=-2");
        yield return Register(new SingleNodeModel("Slice", 13, [2, 5, 4],
            Longs("starts", 4, 0), Longs("ends", 0, long.MaxValue), Longs("axes", 1, 2), Longs("steps", -3, 3)), "starts=[4,0] ends=[0,INT64_MAX] steps=[-3,3]");
        yield return Register(new SingleNodeModel("Slice", 10, [2, 5, 4], Longs("starts", 7), Longs("ends", 9)), "empty slice");
        yield return Register(new SingleNodeModel("Transpose", 6, [2, 3, 4]));
        yield return Register(new SingleNodeModel("Transpose", 13, [2, 3, 4]).Ints("perm", 2, 0, 1));
        yield return Register(new SingleNodeModel("Gather", 11, [2, 3, 4], Int64Tensor("indices", [2, 2], [0, -1, 1, 1])).Int("axis", -1));
        yield return Register(new SingleNodeModel("Gather", 6, [3, 4], Int64Tensor("indices", [], [2])).Int("axis", 0));
        yield return Register(new SingleNodeModel("Concat", 6, [2, 3], Onnx.ModelBuilder.FloatTensor("other", [2, 2], 1, 2, 3, 4)).Int("axis", 1));
        yield return Register(new SingleNodeModel("Concat", 11, [2, 3], Onnx.ModelBuilder.FloatTensor("other", [1, 3], 1, 2, 3)).Int("axis", -2));
        yield return Register(new SingleNodeModel("Expand", 8, [3, 1], Longs("shape", 2, 1, 4)), "shape=[2,1,4]");
        yield return Register(new SingleNodeModel("Expand", 13, [2, 3], Longs("shape", 1, 1)), "shape=[1,1]");
        yield return Register(new SingleNodeModel("Split", 11, [4, 6]).Int("axis", -1).Ints("split", 6), "one part");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pcn_forward_matches_onnx_runtime(string description)
    {
        if (!Models.ContainsKey(description)) foreach (var _ in Cases()) { }
        var model = Models[description];
        long[] shape = [.. model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue)];
        long count = HostTensor.ElementCount(shape);
        var x = new HostTensor(TensorProto.Types.DataType.Float, shape, Enumerable.Range(0, (int)count).Select(i => (i * 7 % count) - count / 2.0).ToArray());

        using var session = OnnxRuntimeSession.Open(model.ToByteArray(), ExecutionProviderChoice.Cpu);
        HostTensor expected = session.Run(new Dictionary<string, HostTensor> { ["x"] = x })["y"];

        var graph = PcGraphBuilder.Build(model, description);
        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var y = pcn.Forward(new Dictionary<string, Tensor> { ["x"] = pcn.ToTensor(x) })[graph.TrainingOutput].contiguous();
        double[] values = y.numel() == 0 ? [] : y.data<double>().ToArray();
        var deviation = TensorComparison.Compare(expected, y.shape, values, ConformanceRunner.Float64VsFloat32);
        Assert.True(deviation.Within, $"{description}: {deviation}");
    }

    [Theory]
    [InlineData("Slice", 10, "negative 'axes' need opset 11")]
    [InlineData("Unsqueeze", 6, "negative 'axes' need opset 11")]
    [InlineData("Concat", 6, "negative 'axis' needs opset 11")]
    public void Negative_axes_before_opset_11_are_refused(string op, int opset, string message)
    {
        var node = op switch
        {
            "Slice" => new SingleNodeModel(op, opset, [2, 3], Longs("starts", 0), Longs("ends", 1), Longs("axes", -1)),
            "Unsqueeze" => new SingleNodeModel(op, opset, [2, 3]).Ints("axes", -1),
            _ => new SingleNodeModel(op, opset, [2, 3], Onnx.ModelBuilder.FloatTensor("other", [2, 1], 1, 2)).Int("axis", -1),
        };
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(node.Build(), "negative.onnx"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Gather_with_float_data_as_indices_is_refused()
    {
        var model = new Onnx.ModelBuilder(opset: 13).Input("x", 4, 3).Input("i", 2).Output("y", 2, 3)
            .Node("Gather", ["x", "i"], ["y"], "lookup").Build();
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "embedding.onnx"));
        Assert.Contains("indices must be int32 or int64", e.Message);
    }

    [Theory]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Arithmetic_on_data_is_a_vertex_with_a_trainable_operand(string op)
    {
        var model = new SingleNodeModel(op, 14, [2, 3], Onnx.ModelBuilder.FloatTensor("b", [3], 1, 2, 3)).Build();
        var graph = PcGraphBuilder.Build(model, "arith.onnx");
        Assert.Contains(graph.Vertices, v => v.Op is ArithmeticSpec);
        Assert.Equal(["b"], graph.Parameters.Select(p => p.Name));
    }

    [Theory]
    [InlineData(TensorProto.Types.DataType.Int64, "casting data or a trainable tensor to Int64 is not supported")]
    [InlineData(TensorProto.Types.DataType.String, "cast to String is not supported")]
    public void Cast_of_data_to_a_non_float_type_is_refused(TensorProto.Types.DataType to, string message)
    {
        var model = new SingleNodeModel("Cast", 13, [2, 3]).Int("to", (long)to).Build();
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "cast.onnx"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Every_Split_output_is_a_vertex_of_its_own()
    {
        var model = new Onnx.ModelBuilder(opset: 13).Input("x", 4, 6).Output("a", 4, 3).Output("b", 4, 3)
            .Node("Split", ["x"], ["a", "b"], "halves").Build();
        model.Graph.Node[0].Attribute.Add(Int("axis", 1));
        var graph = PcGraphBuilder.Build(model, "split.onnx");
        var parts = graph.Vertices.Where(v => v.Op is SplitSpec).ToList();
        Assert.Equal([0, 1], parts.Select(v => ((SplitSpec)v.Op).Index));
        Assert.All(parts, v => Assert.Equal([4L, 3L], v.Shape));
    }
}
