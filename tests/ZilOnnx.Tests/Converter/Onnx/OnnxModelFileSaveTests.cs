using Google.Protobuf;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using Xunit;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>Saving is atomic: the target holds the old file or the complete new one, and no temporary file survives.</summary>
public sealed class OnnxModelFileSaveTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string[] FilesInFolder() => Directory.GetFiles(_folder.FullPath).Select(Path.GetFileName).ToArray()!;

    [Fact]
    public void Saved_model_loads_back_equal_and_leaves_only_the_target()
    {
        var model = ModelBuilder.ScaleByWeight(ModelBuilder.FloatTensor("w", [2, 3], 1, 2, 3, 4, 5, 6)).Build();
        string path = _folder.PathOf("model.onnx");

        OnnxModelFile.Save(model, path);

        Assert.Equal(model, OnnxModelFile.Load(path));
        Assert.Equal(["model.onnx"], FilesInFolder());
    }

    [Fact]
    public void Saving_replaces_an_existing_file()
    {
        string path = _folder.Write("model.onnx", ModelBuilder.Relu().Build());
        var replacement = new ModelBuilder().Input("x").Node("Sigmoid", ["x"], ["y"]).Output("y").Build();

        OnnxModelFile.Save(replacement, path);

        Assert.Equal("Sigmoid", OnnxModelFile.Load(path).Graph.Node[0].OpType);
        Assert.Equal(["model.onnx"], FilesInFolder());
    }

    [Fact]
    public void Target_keeps_the_old_file_while_the_new_one_is_written_elsewhere()
    {
        string path = _folder.Write("model.onnx", ModelBuilder.Relu().Build());
        byte[] before = File.ReadAllBytes(path);
        var replacement = new ModelBuilder().Input("x").Node("Sigmoid", ["x"], ["y"]).Output("y").Build();

        OnnxModelFile.Save(replacement, path, (model, stream) =>
        {
            byte[] bytes = model.ToByteArray();
            stream.Write(bytes, 0, bytes.Length / 2);
            stream.Flush();
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(2, FilesInFolder().Length); // the target and the temporary file beside it
            stream.Write(bytes, bytes.Length / 2, bytes.Length - bytes.Length / 2);
        });

        Assert.Equal(replacement, OnnxModelFile.Load(path));
        Assert.Equal(["model.onnx"], FilesInFolder());
    }

    [Fact]
    public void Failed_write_leaves_the_previous_file_intact_and_no_temporary_file()
    {
        string path = _folder.Write("model.onnx", ModelBuilder.Relu().Build());
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<OnnxModelException>(() => OnnxModelFile.Save(ModelBuilder.Relu().Build(), path, (model, stream) =>
        {
            stream.Write(model.ToByteArray(), 0, 10);
            throw new IOException("No space left on device");
        }));

        Assert.StartsWith(path + ": cannot write the model: No space left on device", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], FilesInFolder());
    }

    [Fact]
    public void Failed_first_write_creates_no_file_at_all()
    {
        string path = _folder.PathOf("new.onnx");

        Assert.Throws<InvalidOperationException>(() => OnnxModelFile.Save(ModelBuilder.Relu().Build(), path,
            (_, stream) => { stream.WriteByte(1); throw new InvalidOperationException("serialiser bug"); }));

        Assert.Empty(FilesInFolder());
    }

    [Fact]
    public void Missing_target_folder_is_reported()
    {
        string path = _folder.PathOf(Path.Combine("no-such-folder", "model.onnx"));

        var e = Assert.Throws<OnnxModelException>(() => OnnxModelFile.Save(ModelBuilder.Relu().Build(), path));

        Assert.StartsWith(path + ": cannot write the model: the folder ", e.Message);
        // The hidden temporary file is the writer's business, not the user's: the message names the target only.
        Assert.DoesNotContain(".tmp", e.Message);
    }

    [Fact]
    public void Tensor_still_pointing_at_external_data_is_refused()
    {
        var weight = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        weight.Dims.AddRange([2, 3]);
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        string path = _folder.PathOf("model.onnx");

        var e = Assert.Throws<OnnxModelException>(() => OnnxModelFile.Save(ModelBuilder.ScaleByWeight(weight).Build(), path));

        Assert.Contains("tensor 'w' still refers to external data", e.Message);
        Assert.Empty(FilesInFolder());
    }

    [Fact]
    public void Saved_file_holds_every_tensor_inline()
    {
        var model = ModelBuilder.ScaleByWeight(ModelBuilder.FloatTensor("w", [2, 3], 1, 2, 3, 4, 5, 6)).Build();
        string path = _folder.PathOf("model.onnx");

        OnnxModelFile.Save(model, path);

        var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.All(written.Graph.Initializer, t =>
        {
            Assert.Equal(TensorProto.Types.DataLocation.Default, t.DataLocation);
            Assert.Empty(t.ExternalData);
        });
    }
}
