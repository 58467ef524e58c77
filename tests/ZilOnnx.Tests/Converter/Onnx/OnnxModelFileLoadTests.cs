using Google.Protobuf;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using Xunit;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>Files that are not usable models: each must give an OnnxModelException that starts with the path and names the problem.</summary>
public sealed class OnnxModelFileLoadTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static OnnxModelException LoadFails(string path)
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxModelFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Equal(path, e.File);
        return e;
    }

    [Fact]
    public void Valid_model_loads()
    {
        string path = _folder.Write("relu.onnx", ModelBuilder.Relu().Build());

        var model = OnnxModelFile.Load(path);

        Assert.Equal("Relu", Assert.Single(model.Graph.Node).OpType);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        Assert.Contains("file not found", LoadFails(_folder.PathOf("absent.onnx")).Message);
    }

    [Fact]
    public void Directory_is_reported()
    {
        Assert.Contains("is a directory", LoadFails(_folder.FullPath).Message);
    }

    [Fact]
    public void Empty_file_is_reported()
    {
        Assert.Contains("the file is empty", LoadFails(_folder.Write("empty.onnx", Array.Empty<byte>())).Message);
    }

    [Fact]
    public async Task Named_pipe_is_refused_without_waiting_for_a_writer()
    {
        string path = Robustness.HostileModels.NamedPipe(_folder.PathOf("pipe.onnx"));

        // A hang would end in a TimeoutException here rather than block the test run.
        var e = await Task.Run(() => LoadFails(path)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("a pipe or a device, which have no size", e.Message);
    }

    [Fact]
    public void Device_without_end_is_refused_without_reading_it()
    {
        string path = _folder.PathOf("zero.onnx");
        File.CreateSymbolicLink(path, "/dev/zero");

        Assert.Contains("a pipe or a device, which have no size", LoadFails(path).Message);
    }

    [Fact]
    public void Truncated_file_is_reported()
    {
        byte[] whole = ModelBuilder.ScaleByWeight(ModelBuilder.FloatTensor("w", [2, 3], 1, 2, 3, 4, 5, 6)).Build().ToByteArray();
        string path = _folder.Write("truncated.onnx", whole[..(whole.Length / 2)]);

        Assert.Contains("not an ONNX model: the bytes do not parse as an ONNX ModelProto; the file is truncated", LoadFails(path).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_bytes_are_reported(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        string path = _folder.Write($"random{seed}.onnx", bytes);

        Assert.Contains("not an ONNX model", LoadFails(path).Message);
    }

    [Fact]
    public void Protobuf_that_is_not_a_model_is_reported()
    {
        // An unnamed tensor's fields all read as unknown ModelProto fields, so it parses, but as a model without a graph.
        string path = _folder.Write("tensor.onnx", ModelBuilder.FloatTensor("", [3], 1, 2, 3));

        Assert.Contains("holds no graph", LoadFails(path).Message);
    }

    [Fact]
    public void Protobuf_of_another_message_type_is_reported()
    {
        string path = _folder.Write("tensor.onnx", ModelBuilder.FloatTensor("weights", [3], 1, 2, 3));

        Assert.Contains("not an ONNX model", LoadFails(path).Message);
    }

    [Fact]
    public void Unsupported_opset_is_reported_with_the_supported_range()
    {
        string path = _folder.Write("opset99.onnx", new ModelBuilder(opset: 99).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build());

        Assert.Contains("opset 99 is newer than supported 6..22", LoadFails(path).Message);
    }

    [Fact]
    public void Structural_problem_is_reported_with_the_file_path()
    {
        string path = _folder.Write("undefined.onnx",
            new ModelBuilder().Input("x").Node("Conv", ["x", "x7"], ["y"], "conv1").Output("y").Build());

        Assert.Equal($"{path}: node 'conv1' (Conv) reads 'x7', which no input, initializer or earlier node defines", LoadFails(path).Message);
    }

    [Fact]
    public void Messages_nested_past_the_protobuf_bound_are_reported_as_too_deep()
    {
        // Ifs in then-branches, 40 deep: 3 protobuf levels each, past the bound of 100.
        var graph = new GraphProto { Name = "innermost" };
        graph.Node.Add(ModelBuilder.NewNode("Relu", ["x"], ["r"], "relu"));
        graph.Output.Add(ModelBuilder.FloatValueInfo("r"));
        for (int level = 0; level < 40; level++)
        {
            var ifNode = ModelBuilder.NewNode("If", ["cond"], ["r"], $"if{level}");
            ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph });
            graph = new GraphProto { Name = $"level{level}" };
            graph.Node.Add(ifNode);
            graph.Output.Add(ModelBuilder.FloatValueInfo("r"));
        }
        var model = new ModelBuilder().Build();
        model.Graph = graph;
        string path = _folder.Write("deep.onnx", model);

        Assert.Contains($"its protobuf messages nest more than {OnnxModelFile.MaxMessageNesting} levels deep", LoadFails(path).Message);
    }

    [Fact]
    public void Unknown_groups_nested_without_end_are_refused_by_the_nesting_bound()
    {
        // 100,000 start-group tags of an unknown field: skipping them must not recurse without bound.
        byte[] start = [(20 << 3 | 3) & 0x7F | 0x80, 0x01], end = [(20 << 3 | 4) & 0x7F | 0x80, 0x01];
        string path = _folder.Write("groups.onnx", [.. Enumerable.Repeat(start, 100_000).SelectMany(b => b), .. Enumerable.Repeat(end, 100_000).SelectMany(b => b)]);

        Assert.Contains("nest more than", LoadFails(path).Message);
    }

    [Fact]
    public void Cycle_in_a_file_is_reported()
    {
        string path = _folder.Write("cycle.onnx", new ModelBuilder().Input("x")
            .Node("Add", ["x", "b"], ["a"], "first").Node("Relu", ["a"], ["b"], "second").Output("b").Build());

        Assert.Contains("has a cycle", LoadFails(path).Message);
    }
}
