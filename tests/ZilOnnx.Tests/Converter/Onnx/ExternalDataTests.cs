using System.Buffers.Binary;
using System.Security.Cryptography;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using Xunit;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>
/// Weights in side files: read into the model when they lie inside the model's folder, refused when a model
/// tries to reach anything else. Values are compared exactly (they are copied bytes, not computed).
/// </summary>
public sealed class ExternalDataTests : IDisposable
{
    private static readonly float[] Weights = [0.5f, -1.25f, 3f, 1e-7f, -0f, 65504f];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>A side file with 16 bytes of something else before the weights, as when several tensors share one file.</summary>
    private string WriteSideFile(string relative) => _folder.Write(relative, [.. new byte[16], .. FloatBytes(Weights)]);

    private static TensorProto ExternalWeight(params (string Key, string Value)[] entries)
    {
        var t = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange([2, 3]);
        foreach (var (key, value) in entries) t.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        return t;
    }

    private string WriteModel(TensorProto weight, string relative = "model.onnx") =>
        _folder.Write(relative, ModelBuilder.ScaleByWeight(weight).Build());

    private OnnxModelException LoadFails(string modelPath)
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxModelFile.Load(modelPath));
        Assert.StartsWith(modelPath + ": ", e.Message);
        return e;
    }

    [Fact]
    public void Weight_in_a_side_file_loads_with_its_values_and_no_external_fields()
    {
        WriteSideFile("weights.bin");
        string model = WriteModel(ExternalWeight(("location", "weights.bin"), ("offset", "16"), ("length", "24")));

        TensorProto w = OnnxModelFile.Load(model).Graph.Initializer[0];

        Assert.Equal(TensorProto.Types.DataLocation.Default, w.DataLocation);
        Assert.Empty(w.ExternalData);
        var decoded = TensorCodec.Decode(w, model);
        Assert.Equal([2L, 3L], decoded.Shape);
        Assert.Equal(Weights.Select(v => (double)v), decoded.Values);
    }

    [Fact]
    public void Length_defaults_to_the_rest_of_the_file()
    {
        WriteSideFile(Path.Combine("data", "weights.bin"));
        string model = WriteModel(ExternalWeight(("location", "data/weights.bin"), ("offset", "16")));

        var decoded = TensorCodec.Decode(OnnxModelFile.Load(model).Graph.Initializer[0], model);

        Assert.Equal(Weights.Select(v => (double)v), decoded.Values);
    }

    [Fact]
    public void Matching_checksum_is_accepted_and_a_wrong_one_reported()
    {
        string side = WriteSideFile("weights.bin");
        string sha1 = Convert.ToHexString(SHA1.HashData(File.ReadAllBytes(side).AsSpan(16))).ToLowerInvariant();

        OnnxModelFile.Load(WriteModel(ExternalWeight(("location", "weights.bin"), ("offset", "16"), ("checksum", sha1)), "good.onnx"));
        var e = LoadFails(WriteModel(ExternalWeight(("location", "weights.bin"), ("offset", "16"), ("checksum", new string('0', 40))), "bad.onnx"));

        Assert.Contains("SHA-1 checksum", e.Message);
    }

    [Fact]
    public void Symbolic_link_that_stays_inside_the_folder_is_followed()
    {
        WriteSideFile(Path.Combine("store", "weights.bin"));
        File.CreateSymbolicLink(_folder.PathOf("alias.bin"), _folder.PathOf(Path.Combine("store", "weights.bin")));
        string model = WriteModel(ExternalWeight(("location", "alias.bin"), ("offset", "16")));

        Assert.Equal(Weights.Select(v => (double)v), TensorCodec.Decode(OnnxModelFile.Load(model).Graph.Initializer[0], model).Values);
    }

    [Fact]
    public void Model_opened_through_a_linked_folder_still_reads_its_own_side_files()
    {
        WriteSideFile(Path.Combine("real", "weights.bin"));
        WriteModel(ExternalWeight(("location", "weights.bin"), ("offset", "16")), Path.Combine("real", "model.onnx"));
        Directory.CreateSymbolicLink(_folder.PathOf("linked"), _folder.PathOf("real"));

        string model = _folder.PathOf(Path.Combine("linked", "model.onnx"));

        Assert.Equal(Weights.Select(v => (double)v), TensorCodec.Decode(OnnxModelFile.Load(model).Graph.Initializer[0], model).Values);
    }

    [Fact]
    public void Absolute_location_is_refused()
    {
        string model = WriteModel(ExternalWeight(("location", "/etc/passwd")));

        Assert.Contains("external data location '/etc/passwd' is an absolute path", LoadFails(model).Message);
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("data/../../outside.bin")]
    [InlineData("data/../weights.bin")]
    [InlineData("..\\outside.bin")]
    public void Location_with_a_parent_segment_is_refused(string location)
    {
        WriteSideFile("weights.bin");
        string model = WriteModel(ExternalWeight(("location", location)), Path.Combine("inner", "model.onnx"));

        Assert.Contains("contains '..'", LoadFails(model).Message);
    }

    [Fact]
    public void Symbolic_link_to_etc_passwd_is_refused()
    {
        File.CreateSymbolicLink(_folder.PathOf("weights.bin"), "/etc/passwd");
        string model = WriteModel(ExternalWeight(("location", "weights.bin")));

        var e = LoadFails(model);

        Assert.Contains("resolves (through a symbolic link) to '/etc/passwd', outside the model's folder", e.Message);
    }

    [Fact]
    public void Symbolic_link_to_a_file_beside_the_folder_is_refused()
    {
        string outside = WriteSideFile(Path.Combine("neighbour", "weights.bin"));
        string model = WriteModel(ExternalWeight(("location", "weights.bin"), ("offset", "16")), Path.Combine("model", "model.onnx"));
        File.CreateSymbolicLink(_folder.PathOf(Path.Combine("model", "weights.bin")), outside);

        Assert.Contains("outside the model's folder", LoadFails(model).Message);
    }

    [Fact]
    public void Symbolic_link_to_a_folder_outside_is_refused()
    {
        WriteSideFile(Path.Combine("neighbour", "weights.bin"));
        string model = WriteModel(ExternalWeight(("location", "shared/weights.bin"), ("offset", "16")), Path.Combine("model", "model.onnx"));
        Directory.CreateSymbolicLink(_folder.PathOf(Path.Combine("model", "shared")), _folder.PathOf("neighbour"));

        Assert.Contains("outside the model's folder", LoadFails(model).Message);
    }

    [Fact]
    public void Symbolic_link_loop_is_reported()
    {
        File.CreateSymbolicLink(_folder.PathOf("a.bin"), _folder.PathOf("b.bin"));
        File.CreateSymbolicLink(_folder.PathOf("b.bin"), _folder.PathOf("a.bin"));
        string model = WriteModel(ExternalWeight(("location", "a.bin")));

        Assert.Contains("symbolic links", LoadFails(model).Message);
    }

    [Theory]
    [InlineData("16", "28", "offset 16 + length 28 runs past the end")]
    [InlineData("100", null, "offset 100 runs past the end")]
    [InlineData("0", "9223372036854775807", "offset 0 + length 9223372036854775807 runs past the end")]
    [InlineData("-4", null, "offset '-4' is not a non-negative integer")]
    [InlineData("0", "-24", "length '-24' is not a non-negative integer")]
    [InlineData("sixteen", null, "offset 'sixteen' is not a non-negative integer")]
    public void Offset_or_length_outside_the_file_is_refused(string offset, string? length, string expected)
    {
        WriteSideFile("weights.bin"); // 40 bytes
        var entries = new List<(string, string)> { ("location", "weights.bin"), ("offset", offset) };
        if (length is not null) entries.Add(("length", length));
        string model = WriteModel(ExternalWeight([.. entries]));

        Assert.Contains(expected, LoadFails(model).Message);
    }

    [Theory]
    [InlineData(null, "declares dims [2, 3], 6 FLOAT elements, but holds 0 values")]
    [InlineData("24", "offset 0 + length 24 runs past the end of 'weights.bin' (0 bytes)")]
    public async Task Side_file_that_is_a_named_pipe_is_not_opened(string? length, string expected)
    {
        // Opening a pipe nobody writes to would wait forever; it has no size, so there is nothing to read.
        Robustness.HostileModels.NamedPipe(_folder.PathOf("weights.bin"));
        var entries = new List<(string, string)> { ("location", "weights.bin") };
        if (length is not null) entries.Add(("length", length));
        string model = WriteModel(ExternalWeight([.. entries]));

        // A hang would end in a TimeoutException here rather than block the test run.
        var e = await Task.Run(() => Assert.ThrowsAny<OnnxModelException>(() =>
            TensorCodec.Decode(OnnxModelFile.Load(model).Graph.Initializer[0], model))).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_side_file_is_reported()
    {
        string model = WriteModel(ExternalWeight(("location", "weights.bin")));

        Assert.Contains("external data location 'weights.bin': file not found", LoadFails(model).Message);
    }

    [Fact]
    public void External_tensor_without_a_location_is_reported()
    {
        string model = WriteModel(ExternalWeight(("offset", "0")));

        Assert.Contains("has no 'location'", LoadFails(model).Message);
    }

    [Fact]
    public void Side_file_with_fewer_bytes_than_the_dims_need_loads_but_does_not_decode()
    {
        WriteSideFile("weights.bin");
        string model = WriteModel(ExternalWeight(("location", "weights.bin"), ("offset", "32")));

        var w = OnnxModelFile.Load(model).Graph.Initializer[0];
        var e = Assert.Throws<OnnxModelException>(() => TensorCodec.Decode(w, model));

        Assert.Contains("raw_data holds 8 bytes", e.Message);
    }
}
