using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.Graph;

/// <summary>How an ONNX graph becomes a PCN: vertices, parameters behind transforms, static sub-graphs, the schedule and levelling.</summary>
public sealed class PcGraphBuilderTests
{
    internal static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>y = x · Reshape(W_flat) + Identity(b): a weight stored flat and a bias behind an Identity, as some exporters write them.</summary>
    internal static ModelProto TransformedParameters() => new ModelBuilder()
        .Input("x", 8, 6).Output("y", 8, 2)
        .Initializer("W_flat", [12], Values(12, 1))
        .Initializer("b", [2], Values(2, 2))
        .Initializer(Int64("shape", 6, 2))
        .Node("Reshape", ["W_flat", "shape"], ["W"], "reshape_w")
        .Node("Identity", ["b"], ["b_copy"], "copy_b")
        .Node("MatMul", ["x", "W"], ["xw"], "matmul")
        .Node("Add", ["xw", "b_copy"], ["y"], "add")
        .Build();

    internal static TensorProto Int64(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    [Fact]
    public void Parameters_reached_through_reshape_and_identity_keep_their_stored_initializer()
    {
        var graph = PcGraphBuilder.Build(TransformedParameters(), "transformed.onnx");
        Assert.Equal(["W_flat", "b"], graph.Parameters.Select(p => p.Name).Order());
        var matmul = graph.Vertices.Single(v => v.Name == "xw");
        var view = Assert.IsType<Operand.FromParameter>(matmul.Operands[1]).View;
        Assert.Equal("W_flat", view.Root.Name);
        Assert.IsType<ReshapeSpec>(Assert.Single(view.Chain).Op);
        // The shape tensor is an int64 initializer: static, never a parameter or a vertex.
        Assert.DoesNotContain(graph.Vertices, v => v.Name is "W" or "shape");
    }

    [Fact]
    public void Constant_only_sub_graphs_are_evaluated_once_at_conversion()
    {
        var model = new ModelBuilder()
            .Input("x", 2, 3, 4).Output("y", 2, 12)
            .Node("Constant", [], ["shape"], "shape_const")
            .Node("Identity", ["shape"], ["shape2"], "shape_copy")
            .Node("Reshape", ["x", "shape2"], ["y"], "reshape")
            .Build();
        model.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = Int64("", 0, -1) });
        var graph = PcGraphBuilder.Build(model, "static.onnx");
        var reshape = Assert.IsType<ReshapeSpec>(graph.Vertices.Single(v => v.Name == "y").Op);
        Assert.Equal([0L, -1L], reshape.Shape);
        Assert.Equal(2, graph.Vertices.Count);
    }

    [Fact]
    public void Every_unsupported_node_is_listed_at_once_with_name_op_and_opset()
    {
        var model = new ModelBuilder()
            .Input("x", 2, 3).Output("y", 2, 3)
            .Node("Einsum", ["x"], ["a"], "first_einsum")
            .Node("Relu", ["a"], ["b"], "relu")
            .Node("Hardmax", ["b"], ["y"], "last_hardmax")
            .Build();
        var error = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "unsupported.onnx"));
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("node 'first_einsum' (Einsum, opset 13)", error.Message);
        Assert.Contains("node 'last_hardmax' (Hardmax, opset 13)", error.Message);
        Assert.StartsWith("unsupported.onnx: ", error.Message);
    }

    [Fact]
    public void Reading_an_output_the_mapping_does_not_produce_is_an_error_naming_it()
    {
        // Dropout's mask is not produced: inference-form dropout keeps everything.
        var model = new ModelBuilder()
            .Input("x", 2, 4).Output("out", 2, 4)
            .Node("Dropout", ["x"], ["y", "mask"], "drop")
            .Node("Identity", ["mask"], ["out"], "copy")
            .Build();
        var error = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "mask.onnx"));
        Assert.Contains("'mask'", error.Message);
        Assert.Contains("Dropout", error.Message);
    }

    [Fact]
    public void An_unknown_attribute_is_rejected_rather_than_ignored()
    {
        var model = new ModelBuilder().Input("x", 2, 3).Output("y", 2, 3).Node("Relu", ["x"], ["y"], "relu").Build();
        model.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.1f });
        var error = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "attr.onnx"));
        Assert.Contains("alpha", error.Message);
    }

    [Fact]
    public void An_attribute_given_twice_is_a_conversion_error()
    {
        var model = new ModelBuilder().Input("x", 2, 3).Output("y", 2, 3).Node("Flatten", ["x"], ["y"], "flat").Build();
        for (int i = 0; i < 2; i++)
            model.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var error = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "twice.onnx"));
        Assert.Contains("attribute 'axis' is given twice", error.Message);
    }

    [Fact]
    public void After_levelling_every_edge_between_free_vertices_spans_exactly_one_step()
    {
        var graph = Fixtures.Graph("residual_mlp", "mse");
        foreach (var consumer in graph.Vertices.Where(PcGraph.IsFree))
            foreach (var source in consumer.VertexInputs.Where(PcGraph.IsFree))
                Assert.Equal(consumer.Depth + 1, source.Depth);
        Assert.Equal(4, graph.Vertices.Count(v => v.Kind == VertexKind.Levelling));
    }

    [Fact]
    public void A_vertex_computed_from_the_data_alone_is_clamped_and_its_long_edges_are_not_levelled()
    {
        // The exporter's Transpose of the batch-first sequence feeds every time step of the RNN.
        var graph = Fixtures.Graph("rnn_tanh", "ce");
        var transpose = graph.Vertices.Single(v => v.Op.OpType == "Transpose" && v.VertexInputs.Single().Kind == VertexKind.DataInput);
        Assert.True(transpose.FromDataAlone);
        Assert.False(PcGraph.IsFree(transpose));
        var readers = graph.Vertices.Where(v => v.VertexInputs.Contains(transpose)).ToList();
        Assert.True(readers.Count > 1);
        Assert.Contains(readers, r => r.Depth < transpose.Depth - 1);
        Assert.DoesNotContain(graph.Vertices, v => v.Kind == VertexKind.Levelling && v.VertexInputs.Single().FromDataAlone);
        // Everything with a parameter upstream stays free, and the depth counts free vertices only.
        Assert.All(graph.Vertices.Where(v => v.Kind != VertexKind.DataInput && v != transpose && v.ReachesOutput), v => Assert.True(PcGraph.IsFree(v)));
        Assert.Equal(transpose.Depth - 1, graph.MaxDepth);
    }

    [Fact]
    public void Without_levelling_the_residual_joins_have_long_edges()
    {
        var graph = Fixtures.Graph("residual_mlp", "mse", levelling: false);
        Assert.Contains(graph.Vertices.Where(PcGraph.IsFree),
            c => c.VertexInputs.Any(s => PcGraph.IsFree(s) && s.Depth > c.Depth + 1));
    }

    [Fact]
    public void Training_with_ce_uses_the_logits_before_a_final_log_softmax()
    {
        var ce = Fixtures.Graph("mlp_logsoftmax_opset11", "ce");
        var mse = Fixtures.Graph("mlp_logsoftmax_opset11", "mse");
        Assert.Equal("Gemm", ce.TrainingOutput.Op.OpType);
        Assert.Equal("LogSoftmax", mse.TrainingOutput.Op.OpType);
        Assert.Equal(mse.MaxDepth, ce.MaxDepth + 1);
    }
}
