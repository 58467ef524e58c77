using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using Xunit;

namespace ZilOnnx.Tests.Converter.Onnx;

public sealed class OnnxModelValidatorTests
{
    private const string File = "model.onnx";

    private static OnnxModelException Invalid(ModelProto model)
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxModelValidator.Validate(model, File));
        Assert.StartsWith(File + ": ", e.Message);
        return e;
    }

    private static string[] NodeNames(IEnumerable<NodeProto> nodes) => nodes.Select(n => n.Name).ToArray();

    [Fact]
    public void Valid_model_passes()
    {
        OnnxModelValidator.Validate(ModelBuilder.Relu().Build(), File);
    }

    [Theory]
    [InlineData(2, "IR version 2 is older than supported 3..11")]
    [InlineData(12, "IR version 12 is newer than supported 3..11")]
    public void IR_version_outside_3_to_11_is_refused(long ir, string expected)
    {
        var model = new ModelBuilder(irVersion: ir).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        Assert.Contains(expected, Invalid(model).Message);
    }

    [Theory]
    [InlineData(5, "opset 5 is older than supported 6..22")]
    [InlineData(23, "opset 23 is newer than supported 6..22")]
    [InlineData(99, "opset 99 is newer than supported 6..22")]
    public void Default_opset_outside_6_to_22_is_refused(long opset, string expected)
    {
        var model = new ModelBuilder(opset: opset).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        Assert.Contains(expected, Invalid(model).Message);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(22)]
    public void Default_opset_at_the_bounds_is_accepted(long opset)
    {
        OnnxModelValidator.Validate(new ModelBuilder(opset: opset).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build(), File);
    }

    [Fact]
    public void Ai_onnx_names_the_default_domain_too()
    {
        var model = new ModelBuilder(opset: 0).Opset("ai.onnx", 13).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        OnnxModelValidator.Validate(model, File);
    }

    [Fact]
    public void IR_3_model_without_opset_import_is_refused_naming_it()
    {
        var model = new ModelBuilder(irVersion: 3, opset: 0).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        Assert.Contains("has no opset_import", Invalid(model).Message);
    }

    [Fact]
    public void Opset_import_without_the_default_domain_is_refused()
    {
        var model = new ModelBuilder(opset: 0).Opset("ai.onnx.ml", 3).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        Assert.Contains("opset_import has no entry for the default domain", Invalid(model).Message);
    }

    [Fact]
    public void Default_domain_listed_twice_is_refused()
    {
        var model = new ModelBuilder(opset: 13).Opset("ai.onnx", 14).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        Assert.Contains("lists the default domain", Invalid(model).Message);
    }

    [Fact]
    public void Node_from_a_domain_that_is_not_imported_is_refused()
    {
        var model = new ModelBuilder().Input("x").Node("FusedConv", ["x"], ["y"], "fused", domain: "com.microsoft").Output("y").Build();

        Assert.Contains("node 'fused' (com.microsoft:FusedConv) uses domain 'com.microsoft', which opset_import does not list", Invalid(model).Message);
    }

    [Fact]
    public void Model_without_a_graph_is_refused()
    {
        Assert.Contains("holds no graph", Invalid(new ModelProto { IrVersion = 8 }).Message);
    }

    [Fact]
    public void Undefined_input_is_named_with_its_node()
    {
        var model = new ModelBuilder().Input("x").Node("Conv", ["x", "x7"], ["y"], "conv1").Output("y").Build();

        Assert.Equal("model.onnx: node 'conv1' (Conv) reads 'x7', which no input, initializer or earlier node defines", Invalid(model).Message);
    }

    [Fact]
    public void Unnamed_node_is_named_by_its_position()
    {
        var model = new ModelBuilder().Input("x").Node("Relu", ["x"], ["a"]).Node("Add", ["a", "nowhere"], ["y"]).Output("y").Build();

        Assert.Contains("node #1 (Add) reads 'nowhere'", Invalid(model).Message);
    }

    [Fact]
    public void Node_output_that_redefines_an_initializer_is_refused()
    {
        var model = new ModelBuilder().Input("x").Initializer("w", [1], 2f).Node("Relu", ["x"], ["w"], "relu").Output("w").Build();

        Assert.Contains("node 'relu' (Relu) writes 'w', which an initializer already defines", Invalid(model).Message);
    }

    [Fact]
    public void Two_nodes_writing_one_name_are_refused()
    {
        var model = new ModelBuilder().Input("x")
            .Node("Relu", ["x"], ["y"], "first").Node("Sigmoid", ["x"], ["y"], "second").Output("y").Build();

        Assert.Contains("node 'second' (Sigmoid) writes 'y', which node 'first' (Relu) already defines", Invalid(model).Message);
    }

    [Fact]
    public void Node_output_that_redefines_a_graph_input_is_refused()
    {
        var model = new ModelBuilder().Input("x").Node("Relu", ["x"], ["x"], "relu").Output("x").Build();

        Assert.Contains("writes 'x', which a graph input already defines", Invalid(model).Message);
    }

    [Fact]
    public void Initializer_defined_twice_is_refused()
    {
        var model = new ModelBuilder().Input("x").Initializer("w", [1], 1f).Initializer("w", [1], 2f)
            .Node("Mul", ["x", "w"], ["y"]).Output("y").Build();

        Assert.Contains("initializer 'w' is defined twice", Invalid(model).Message);
    }

    [Fact]
    public void Graph_input_listed_twice_is_refused()
    {
        var model = new ModelBuilder().Input("x").Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build();

        Assert.Contains("graph input 'x' is listed twice", Invalid(model).Message);
    }

    [Fact]
    public void Initializer_also_listed_as_graph_input_is_accepted_as_in_IR_3()
    {
        var model = new ModelBuilder(irVersion: 3).Input("x").Input("w").Initializer("w", [1], 2f)
            .Node("Mul", ["x", "w"], ["y"]).Output("y").Build();

        OnnxModelValidator.Validate(model, File);
    }

    [Fact]
    public void Empty_names_mark_optional_inputs_and_outputs_left_out()
    {
        var model = new ModelBuilder().Input("x").Initializer("w", [1], 1f)
            .Node("LSTM", ["x", "w", "w", "", "", "", "", ""], ["", "h"], "lstm").Output("h").Build();

        OnnxModelValidator.Validate(model, File);
    }

    [Fact]
    public void Node_without_outputs_is_refused()
    {
        var model = new ModelBuilder().Input("x").Node("Relu", ["x"], [], "relu").Node("Relu", ["x"], ["", ""], "relu2").Output("x").Build();

        Assert.Contains("node 'relu' (Relu) has no outputs", Invalid(model).Message);
    }

    [Fact]
    public void Undefined_graph_output_is_refused()
    {
        var model = new ModelBuilder().Input("x").Node("Relu", ["x"], ["y"]).Output("z").Build();

        Assert.Contains("graph output 'z' is not defined by any input, initializer or node", Invalid(model).Message);
    }

    [Fact]
    public void Graph_output_listed_twice_is_refused()
    {
        var model = new ModelBuilder().Input("x").Node("Relu", ["x"], ["y"]).Output("y").Output("y").Build();

        Assert.Contains("graph output 'y' is listed twice", Invalid(model).Message);
    }

    [Fact]
    public void Subgraphs_nested_deeper_than_the_bound_are_refused_before_any_deep_walk()
    {
        // Built in memory, where protobuf's own nesting bound does not apply: the validator bounds its recursion itself.
        GraphProto Branch(int level)
        {
            var g = new GraphProto { Name = $"g{level}" };
            if (level == 0) g.Node.Add(ModelBuilder.NewNode("Identity", ["x"], ["out0"], "leaf"));
            else
            {
                var inner = ModelBuilder.NewNode("If", ["cond"], [$"out{level}"], $"if{level}");
                inner.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch(level - 1) });
                g.Node.Add(inner);
            }
            g.Output.Add(ModelBuilder.FloatValueInfo($"out{level}"));
            return g;
        }
        int depth = OnnxModelValidator.MaxSubgraphNesting + 1;
        var top = ModelBuilder.NewNode("If", ["cond"], ["y"], "top");
        top.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch(depth - 1) });
        var builder = new ModelBuilder().Input("x").Input("cond").Output("y");
        builder.Graph.Node.Add(top);

        Assert.Contains($"sub-graphs (If branches, Loop and Scan bodies) are nested more than {OnnxModelValidator.MaxSubgraphNesting} levels deep", Invalid(builder.Build()).Message);

        // One level less is within the bound.
        top.Attribute[0].G = Branch(depth - 2);
        OnnxModelValidator.Validate(builder.Build(), File);
    }

    [Fact]
    public void Graph_in_order_keeps_its_order()
    {
        var graph = new ModelBuilder().Input("x")
            .Node("Relu", ["x"], ["a"], "a").Node("Sigmoid", ["x"], ["b"], "b").Node("Add", ["a", "b"], ["c"], "c")
            .Node("Neg", ["x"], ["d"], "d").Output("c").Output("d").Build().Graph;

        var order = OnnxModelValidator.TopologicalOrder(graph, File);

        Assert.Equal(graph.Node, order);
    }

    [Fact]
    public void Graph_out_of_order_is_sorted_stably_and_accepted()
    {
        var model = new ModelBuilder().Input("x")
            .Node("Add", ["a", "b"], ["c"], "c").Node("Neg", ["x"], ["d"], "d")
            .Node("Sigmoid", ["x"], ["b"], "b").Node("Relu", ["x"], ["a"], "a").Output("c").Build();

        var order = OnnxModelValidator.TopologicalOrder(model.Graph, File);
        OnnxModelValidator.Validate(model, File);

        // Ready nodes are taken in file order: d, b and a are ready at once; c waits for a and b.
        Assert.Equal(["d", "b", "a", "c"], NodeNames(order));
    }

    [Fact]
    public void Cycle_is_reported_naming_only_the_nodes_on_it()
    {
        var model = new ModelBuilder().Input("x")
            .Node("Add", ["x", "q"], ["p"], "p").Node("Relu", ["p"], ["q"], "q")
            .Node("Neg", ["q"], ["after"], "after").Output("after").Build();

        string message = Invalid(model).Message;

        Assert.Contains("the graph has a cycle: node 'q' (Relu) -> node 'p' (Add) -> node 'q' (Relu)", message);
        Assert.DoesNotContain("'after'", message);
    }

    [Fact]
    public void Node_reading_its_own_output_is_a_cycle()
    {
        var model = new ModelBuilder().Input("x").Node("Add", ["x", "y"], ["y"], "loop").Output("y").Build();

        Assert.Contains("the graph has a cycle: node 'loop' (Add) -> node 'loop' (Add)", Invalid(model).Message);
    }

    [Fact]
    public void Subgraph_reading_an_outer_name_orders_its_node_after_the_producer()
    {
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(ModelBuilder.NewNode("Identity", ["late"], ["t"], "inner"));
        thenBranch.Output.Add(ModelBuilder.FloatValueInfo("t"));
        var ifNode = ModelBuilder.NewNode("If", ["cond"], ["y"], "if");
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        ifNode.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch.Clone() });

        var builder = new ModelBuilder().Input("x").Input("cond");
        builder.Graph.Node.Add(ifNode);
        var model = builder.Node("Relu", ["x"], ["late"], "late").Output("y").Build();

        OnnxModelValidator.Validate(model, File);
        Assert.Equal(["late", "if"], NodeNames(OnnxModelValidator.TopologicalOrder(model.Graph, File)));
    }

    [Fact]
    public void Subgraph_reading_an_undefined_name_is_reported_with_its_owner()
    {
        var body = new GraphProto { Name = "then" };
        body.Node.Add(ModelBuilder.NewNode("Identity", ["ghost"], ["t"], "inner"));
        body.Output.Add(ModelBuilder.FloatValueInfo("t"));
        var ifNode = ModelBuilder.NewNode("If", ["cond"], ["y"], "if");
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body });

        var builder = new ModelBuilder().Input("cond");
        builder.Graph.Node.Add(ifNode);
        var model = builder.Output("y").Build();

        Assert.Contains("node 'inner' (Identity) in attribute 'then_branch' of node 'if' (If) reads 'ghost'", Invalid(model).Message);
    }
}
