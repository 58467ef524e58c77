using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.Graph;

/// <summary>
/// tied_layers.onnx (tests/fixtures/generate_graph_fixtures.py): torch.onnx.export merged fc2's weight into fc1's (equal
/// at initialization) and fc2's zero bias into fc1's, feeding fc2's Gemm through Identity nodes.
/// </summary>
public sealed class SharedInitializersTests
{
    private static PcGraph Build(bool untie) =>
        PcGraphBuilder.Build(OnnxModelFile.Load(Fixtures.PathOf("tied_layers.onnx")), "tied_layers.onnx", new PcGraphOptions { Untie = untie });

    [Fact]
    public void The_merged_initializers_are_found_with_their_readers_the_computing_node_first()
    {
        var shared = SharedInitializers.Of(Build(untie: false));
        Assert.Equal(["fc1.bias", "fc1.weight"], shared.Keys.Order());
        Assert.Equal(["/fc1/Gemm", "Identity_1"], shared["fc1.weight"].Select(n => n.Name));
        Assert.Equal(["/fc1/Gemm", "Identity_0"], shared["fc1.bias"].Select(n => n.Name));
    }

    [Fact]
    public void Untying_gives_every_reader_its_own_initializer_and_keeps_the_name_for_the_first()
    {
        var tied = Build(untie: false);
        var untied = Build(untie: true);
        Assert.Equal(4, tied.Parameters.Count);
        // 6x6 + 6 more values: as many as the torch model's separate parameters (fc1, fc2, out).
        Assert.Equal(6, untied.Parameters.Count);
        Assert.Equal(36 + 6 + 36 + 6 + 24 + 4, untied.Parameters.Sum(p => p.Initial.Count));
        Assert.Empty(SharedInitializers.Of(untied));
        var nodes = untied.Model.Graph.Node.ToDictionary(n => n.Name);
        Assert.Equal(["x", "fc1.weight", "fc1.bias"], nodes["/fc1/Gemm"].Input);
        Assert.Equal(["fc1.weight.untied.1"], nodes["Identity_1"].Input);
        Assert.Equal(["fc1.bias.untied.1"], nodes["Identity_0"].Input);
        var initializers = untied.Model.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal(initializers["fc1.weight"].RawData, initializers["fc1.weight.untied.1"].RawData);
        // The model the graph came from is left as it was.
        Assert.Equal(4, tied.Model.Graph.Initializer.Count);
    }

    [Fact]
    public void An_input_no_node_reads_is_not_a_data_input()
    {
        var model = OnnxModelFile.Load(Fixtures.PathOf("unused_input.onnx"));
        Assert.Equal(["x"], ModelInputs.DataInputNames(model));
        Assert.Equal(["data_unused"], ModelInputs.UnusedInputNames(model));
        var graph = PcGraphBuilder.Build(model, "unused_input.onnx");
        Assert.Equal(["x"], graph.DataInputs.Select(v => v.Name));
    }
}
