using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;

namespace ZilOnnx.Tests.Converter.Graph;

/// <summary>
/// Sizes a model file declares rather than holds: a constant to compute, a sequence to unroll, a graph to level.
/// Each is checked before anything of that size is allocated, and refused with a conversion error naming the node.
/// </summary>
public sealed class ConversionLimitsTests
{
    private const string File = "limits.onnx";

    private static ModelConversionException Refused(ModelProto model) =>
        Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, File));

    private static TensorProto Int64(string name, params long[] values) => PcGraphBuilderTests.Int64(name, values);

    [Fact]
    public void A_constant_of_10_to_the_12_elements_is_refused_before_it_is_allocated()
    {
        var model = new ModelBuilder().Input("x", 1, 4).Output("y", 1, 4)
            .Initializer(Int64("shape", 1_000_000, 1_000_000))
            .Node("ConstantOfShape", ["shape"], ["big"], "huge")
            .Node("Add", ["x", "big"], ["y"], "add")
            .Build();

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(model);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Contains("node 'huge' (ConstantOfShape, opset 13): a constant of shape [1000000, 1000000] computed at conversion time " +
            $"would hold 1000000000000 elements, more than the {HostTensor.MaxComputedElements} allowed", e.Message);
    }

    [Fact]
    public void An_expanded_constant_past_the_bound_is_refused()
    {
        var model = new ModelBuilder().Input("x", 1, 4).Output("y", 1, 4)
            .Initializer(Int64("one", 1))
            .Initializer(Int64("shape", 1 << 14, 1 << 14))
            .Node("Expand", ["one", "shape"], ["big"], "expand")
            .Node("Add", ["x", "big"], ["y"], "add")
            .Build();

        Assert.Contains("node 'expand' (Expand, opset 13): a constant of shape [16384, 16384]", Refused(model).Message);
    }

    [Fact]
    public void A_shape_whose_element_count_overflows_is_refused_naming_the_node()
    {
        var model = new ModelBuilder().Input("x", 1L << 40, 1L << 40).Output("y", 1, 4)
            .Node("Size", ["x"], ["n"], "size")
            .Node("Relu", ["x"], ["y"], "relu")
            .Build();

        Assert.Contains("node 'size' (Size, opset 13): the shape [1099511627776, 1099511627776] holds more elements than a 64-bit count can hold",
            Refused(model).Message);
    }

    [Fact]
    public void A_node_missing_its_only_input_is_refused_not_indexed_past()
    {
        var model = new ModelBuilder().Input("x", 2, 2).Output("y", 2, 2)
            .Node("Transpose", [], ["t"], "transpose")
            .Node("Add", ["x", "t"], ["y"], "add")
            .Build();

        Assert.Contains("node 'transpose' (Transpose, opset 13): input 'data' is required", Refused(model).Message);
    }

    [Fact]
    public void A_graph_without_outputs_is_refused()
    {
        var model = new ModelBuilder().Input("x", 2, 2).Node("Relu", ["x"], ["y"], "relu").Build();

        Assert.Contains("the graph declares no outputs", Refused(model).Message);
    }

    [Fact]
    public void A_vertex_past_the_size_bound_is_refused_before_the_trainer_allocates_it()
    {
        // A Pad of a small input to 10^5 x 10^5: the file is tiny, the tensor 4 x 10^10 bytes.
        var model = new ModelBuilder().Input("x", 1, 4).Output("y", 100_000, 100_000)
            .Initializer(Int64("pads", 50_000, 49_998, 49_999, 49_998))
            .Node("Pad", ["x", "pads"], ["y"], "pad")
            .Build();

        Assert.Contains($"vertex 'y' (Pad) has shape [100000, 100000], 10000000000 elements, more than the {PcGraphBuilder.MaxVertexElements}",
            Refused(model).Message);
    }

    [Fact]
    public void A_parameter_read_through_a_huge_expand_is_refused()
    {
        var model = new ModelBuilder().Input("x", 1, 1).Output("y", 100_000, 100_000)
            .Initializer("w", [1], 0.5f)
            .Initializer(Int64("shape", 100_000, 100_000))
            .Node("Expand", ["w", "shape"], ["w_big"], "expand")
            .Node("Mul", ["x", "w_big"], ["y"], "mul")
            .Build();

        Assert.Contains("parameter 'w' as vertex 'y' reads it has shape [100000, 100000]", Refused(model).Message);
    }

    /// <summary>x [T, 1, 2] -> RNN (hidden 3) -> Y [T, 1, 1, 3].</summary>
    private static ModelProto Rnn(long steps)
    {
        var rnn = ModelBuilder.NewNode("RNN", ["x", "W", "R"], ["y"], "rnn");
        rnn.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = 3 });
        var builder = new ModelBuilder().Input("x", steps, 1, 2).Output("y", steps, 1, 1, 3)
            .Initializer("W", [1, 3, 2], PcGraphBuilderTests.Values(6, 1))
            .Initializer("R", [1, 3, 3], PcGraphBuilderTests.Values(9, 2));
        builder.Graph.Node.Add(rnn);
        return builder.Build();
    }

    [Fact]
    public void A_sequence_longer_than_the_unrolling_bound_is_refused()
    {
        var e = Refused(Rnn(10_000_000_000));

        Assert.Contains("node 'rnn' (RNN, opset 13): X [10000000000, 1, 2] has 10000000000 time steps; a recurrence is unrolled into one vertex per step, " +
            "and at most 65536 are supported", e.Message);
    }

    [Fact]
    public void Recurrences_that_would_unroll_into_more_vertices_than_the_bound_are_refused_before_unrolling()
    {
        // Eight bidirectional RNNs over 65,536 steps, each within the step bound, 1,048,576 step vertices in all.
        var model = Rnn(RecurrentMapping.MaxUnrolledSteps);
        var first = model.Graph.Node[0];
        first.Attribute.Add(new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("bidirectional") });
        model.Graph.Initializer[0].Dims[0] = 2;
        model.Graph.Initializer[0].RawData = Google.Protobuf.ByteString.CopyFrom(new byte[2 * 6 * 4]);
        model.Graph.Initializer[1].Dims[0] = 2;
        model.Graph.Initializer[1].RawData = Google.Protobuf.ByteString.CopyFrom(new byte[2 * 9 * 4]);
        model.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue = 2; // Y is [T, directions, batch, hidden]
        for (int i = 1; i < 8; i++)
        {
            var copy = first.Clone();
            copy.Name = $"rnn{i}";
            copy.Output[0] = $"y{i}";
            model.Graph.Node.Add(copy);
        }

        var e = Refused(model);

        Assert.Contains($"node 'rnn7' (RNN, opset 13): it would add {2 * 65536 + 1} vertices to the {1 + 7 * (2 * 65536 + 1)} before it, " +
            $"more than the {PcGraphBuilder.MaxVertices} a PCN may have in all", e.Message);
    }

    [Fact]
    public void Levelling_that_would_add_more_vertices_than_the_bound_is_refused_before_adding_any()
    {
        // Every step feeds Y, so step t needs a chain of T - t - 1 identity vertices: about T^2 / 2 in all.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(Rnn(1500));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
        Assert.Contains($"levelling the graph (1502 vertices, depth 1501) would add {1500L * 1499 / 2} identity vertices, " +
            $"more than the {PcGraphBuilder.MaxVertices} a PCN may have in all", e.Message);
        // Without levelling the same model converts, and a shorter sequence levels.
        Assert.Equal(1 + 1500 + 1, PcGraphBuilder.Build(Rnn(1500), File, new PcGraphOptions { Levelling = false }).Vertices.Count);
        Assert.Equal(Schedule.LevellingVertexCount(PcGraphBuilder.Build(Rnn(20), File, new PcGraphOptions { Levelling = false }).Vertices),
            PcGraphBuilder.Build(Rnn(20), File).Vertices.Count(v => v.Kind == VertexKind.Levelling));
    }
}
