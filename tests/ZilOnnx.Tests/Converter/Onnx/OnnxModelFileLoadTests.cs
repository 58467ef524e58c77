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
    public void Cycle_in_a_file_is_reported()
    {
        string path = _folder.Write("cycle.onnx", new ModelBuilder().Input("x")
            .Node("Add", ["x", "b"], ["a"], "first").Node("Relu", ["a"], ["b"], "second").Output("b").Build());

        Assert.Contains("has a cycle", LoadFails(path).Message);
    }
}
