using Google.Protobuf;
using Xunit.Abstractions;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// Reductions and normalizations in the forms the conformance data leaves out (every LayerNormalization case there
/// also reads Mean and InvStdDev; attribute-form axes at opset 11; even LRN windows; the no-op form of empty axes),
/// run through the PCN in float64 and through ONNX Runtime, and compared; plus the forms the converter refuses.
/// </summary>
public sealed class NormalizationDifferentialTests(ITestOutputHelper output)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelProto> Models = new();

    private static object[] Register(SingleNodeModel model, string suffix = "")
    {
        string description = model + suffix;
        Models[description] = model.Build();
        return [description];
    }

    private static ModelProto ModelFor(string description)
    {
        if (!Models.ContainsKey(description))
            foreach (var _ in LayerNormCases().Concat(LrnAndInstanceNormCases()).Concat(ReduceCases()).Concat(RefusedForms())) { }
        return Models[description];
    }

    public static IEnumerable<object[]> LayerNormCases()
    {
        long[] shape = [2, 3, 4];
        foreach (long axis in new long[] { -1, -2, -3, 0, 1, 2 })
            foreach (bool withBias in new[] { true, false })
            {
                long[] normalized = shape[(int)(axis < 0 ? axis + 3 : axis)..];
                var inputs = withBias ? new[] { Weights("scale", normalized, 1), Weights("B", normalized, 2) } : [Weights("scale", normalized, 1)];
                var model = new SingleNodeModel("LayerNormalization", 17, shape, inputs).Int("axis", axis).Float("epsilon", 1e-2f).Int("stash_type", 1);
                yield return Register(model, withBias ? " with B" : "");
            }
        // Scale broadcast along the leading normalized axis; the default axis.
        yield return Register(new SingleNodeModel("LayerNormalization", 17, shape, Weights("scale", [1, 4], 3)).Int("axis", 1), " scale[1,4]");
        yield return Register(new SingleNodeModel("LayerNormalization", 22, shape, Weights("scale", [4], 3), Weights("B", [4], 4)), " default axis");
    }

    public static IEnumerable<object[]> LrnAndInstanceNormCases()
    {
        foreach (int opset in new[] { 6, 13 })
            // ONNX Runtime runs odd sizes on 4-D data only; even sizes follow the spec's window (NormalizationLocalVjpTests).
            foreach (long size in new long[] { 1, 3, 5, 7 })
                yield return Register(new SingleNodeModel("LRN", opset, [2, 5, 3, 3]).Int("size", size).Float("alpha", 0.3f).Float("beta", 0.9f).Float("bias", 1.5f));
        yield return Register(new SingleNodeModel("LRN", 13, [1, 4, 5, 1]).Int("size", 3));
        foreach (long[] shape in new long[][] { [2, 3, 5], [2, 3, 4, 2], [1, 2, 2, 2, 3] })
            yield return Register(new SingleNodeModel("InstanceNormalization", 6, shape, Weights("scale", [shape[1]], 5), Weights("B", [shape[1]], 6))
                .Float("epsilon", 1e-3f));
    }

    public static IEnumerable<object[]> ReduceCases()
    {
        string[] ops = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp"];
        long[] shape = [2, 3, 4];
        foreach (string op in ops)
            foreach (int keepDims in new[] { 0, 1 })
            {
                // Attribute form (negative axes from opset 11), absent axes (every axis), and the axes input.
                yield return Register(new SingleNodeModel(op, 6, shape).Ints("axes", 0, 2).Int("keepdims", keepDims));
                yield return Register(new SingleNodeModel(op, 11, shape).Ints("axes", -1, 1).Int("keepdims", keepDims));
                yield return Register(new SingleNodeModel(op, 11, shape).Int("keepdims", keepDims));
                int inputSince = op == "ReduceSum" ? 13 : 18;
                yield return Register(new SingleNodeModel(op, inputSince, shape, GlueGraph.Int64Tensor("axes", [2], [-2, 0])).Int("keepdims", keepDims), " axes input");
            }
        // The no-op form: no axes and noop_with_empty_axes = 1 passes the data through.
        yield return Register(new SingleNodeModel("ReduceSum", 13, shape, GlueGraph.Int64Tensor("axes", [0], [])).Int("noop_with_empty_axes", 1), " empty axes");
        yield return Register(new SingleNodeModel("ReduceMean", 18, shape).Int("noop_with_empty_axes", 1), " no axes");
        yield return Register(new SingleNodeModel("ReduceMax", 20, shape).Int("noop_with_empty_axes", 1), " no axes");
        yield return Register(new SingleNodeModel("ReduceMean", 18, shape).Int("noop_with_empty_axes", 0).Int("keepdims", 0), " no axes");
    }

    [Theory]
    [MemberData(nameof(LayerNormCases))]
    [MemberData(nameof(LrnAndInstanceNormCases))]
    [MemberData(nameof(ReduceCases))]
    public void Pcn_forward_matches_onnx_runtime(string description)
    {
        OnnxRuntimeAgreement.Assert(ModelFor(description), description, output, inputOffset: 0.03125);
    }

    public static IEnumerable<object[]> RefusedForms() => new (SingleNodeModel Model, string Message)[]
    {
        (new SingleNodeModel("ReduceSum", 10, [2, 3]).Ints("axes", -1), "negative 'axes' need opset 11"),
        (new SingleNodeModel("ReduceSum", 11, [2, 3]).Int("noop_with_empty_axes", 1), "attribute(s) noop_with_empty_axes not supported"),
        (new SingleNodeModel("ReduceMean", 13, [2, 3]).Ints("axes", 1, -1), "repeat an axis"),
        (new SingleNodeModel("ReduceMean", 13, [2, 3]).Ints("axes", 2), "axis 2 is out of range for rank 2"),
        (new SingleNodeModel("ReduceMean", 18, [2, 3]).Ints("axes", 1), "attribute(s) axes not supported"),
        (new SingleNodeModel("ReduceMax", 18, [2, 3]).Int("select_last_index", 1), "attribute(s) select_last_index not supported"),
        (new SingleNodeModel("LayerNormalization", 16, [2, 3], Weights("scale", [3], 1)), "operator not supported"),
        (new SingleNodeModel("LayerNormalization", 17, [2, 3], Weights("scale", [2], 1)), "does not broadcast to the normalized axes [3]"),
        (new SingleNodeModel("LRN", 13, [2, 3, 4]), "attribute 'size' is required"),
        (new SingleNodeModel("LRN", 13, [2, 3, 4]).Int("size", 3).Float("gamma", 1), "attribute(s) gamma not supported"),
        (new SingleNodeModel("InstanceNormalization", 6, [2, 3, 4], Weights("scale", [2], 1), Weights("B", [3], 2)), "one value per channel (3)"),
    }.Select(f => new object[] { Register(f.Model)[0], f.Message });

    [Theory]
    [MemberData(nameof(RefusedForms))]
    public void Unsupported_form_is_refused_with_a_clear_message(string description, string message)
    {
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(ModelFor(description), "refused.onnx"));
        output.WriteLine(e.Message);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(1, "Mean")]
    [InlineData(2, "InvStdDev")]
    public void Mean_or_inverse_deviation_is_a_vertex_with_the_normalized_axes_set_to_1(int index, string name)
    {
        var model = new SingleNodeModel("LayerNormalization", 17, [2, 3], Weights("scale", [3], 1)).Build();
        var node = model.Graph.Node[0];
        while (node.Output.Count <= index) node.Output.Add("");
        node.Output[index] = name;
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        model.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } });

        var graph = PcGraphBuilder.Build(model, "layernorm.onnx");
        var vertex = Assert.IsType<Operand.FromVertex>(graph.GraphOutputs[name]).Source;
        Assert.Equal(index == 1 ? LayerNormalizationStatistic.Mean : LayerNormalizationStatistic.InvStdDev,
            Assert.IsType<LayerNormalizationStatisticSpec>(vertex.Op).Statistic);
        Assert.Equal([2L, 1L], vertex.Shape);
    }

    /// <summary>Distinct, sign-mixed values exactly representable in float32, so Max and Min have no ties.</summary>

    private static TensorProto Weights(string name, long[] shape, int seed)
    {
        long count = HostTensor.ElementCount(shape);
        return ModelBuilder.FloatTensor(name, shape, Enumerable.Range(0, (int)count).Select(i => (float)(1 + 0.5 * Math.Sin(seed * 10 + i))).ToArray());
    }
}
