using System.Buffers.Binary;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Data faults outside training: `eval` and `run` refuse what `finetune` refuses (labels outside the model's classes,
/// NaN or Inf in the inputs) with exit code 2 and one line naming the file, the array and the sample; `run --engine
/// pcn` says that an empty array is empty; and a bad label in an IDX folder names the labels file it is in.
/// </summary>
public sealed class DataFaultTests
{
    private static readonly IReadOnlyDictionary<string, HostTensor> Good = Fixtures.Arrays("lenet5.ce.npz");

    private static HostTensor WithValue(HostTensor tensor, int index, double value)
    {
        var values = (double[])tensor.Values.Clone();
        values[index] = value;
        return new HostTensor(tensor.ElementType, tensor.Shape, values);
    }

    private static string Npz(TempDirectory temp, string name, Dictionary<string, HostTensor> arrays)
    {
        string path = temp.File(name);
        NpzArchive.Write(path, arrays);
        return path;
    }

    private static CliProcess.Result Eval(string data) => CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", data, "--provider", "cpu");

    /// <summary>Exit code 2 and one line on stderr, starting with the error and the file.</summary>
    private static string AssertBadInput(CliProcess.Result run, string file)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {file}", line);
        return line;
    }

    [Fact]
    public void Eval_refuses_a_label_outside_the_classes_naming_the_file_the_label_and_the_class_count()
    {
        using var temp = new TempDirectory();
        string data = Npz(temp, "labels.npz", new() { ["x"] = Good["x"], ["y"] = WithValue(Good["y"], 5, 12) });
        string line = AssertBadInput(Eval(data), data);
        Assert.Contains("array 'y': label 12 at index 5 is outside 0..9: the model's output has 10 classes", line);
        Assert.Equal(0, Eval(Fixtures.PathOf("lenet5.ce.npz")).ExitCode);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Eval_refuses_non_finite_inputs_naming_the_sample(double bad, string shown)
    {
        using var temp = new TempDirectory();
        // Sample 3 of [32, 1, 28, 28], its pixel 10.
        string data = Npz(temp, "nan.npz", new() { ["x"] = WithValue(Good["x"], 3 * 784 + 10, bad), ["y"] = Good["y"] });
        string line = AssertBadInput(Eval(data), data);
        Assert.Contains($"array 'x': sample 3 holds {shown} (element {3 * 784 + 10} of the array): data must be finite", line);
    }

    [Theory]
    [InlineData("pcn")]
    [InlineData("ort")]
    public void Run_refuses_non_finite_inputs_naming_the_data_file(string engine)
    {
        using var temp = new TempDirectory();
        string data = Npz(temp, "nan.npz", new() { ["x"] = WithValue(Good["x"], 40, double.NaN) });
        string line = AssertBadInput(CliProcess.Run("run", Fixtures.PathOf("lenet5.onnx"), "--data", data, "-o", temp.File("out.npz"), "--engine", engine), data);
        Assert.Contains("array 'x': sample 0 holds NaN (element 40 of the array)", line);
        Assert.False(File.Exists(temp.File("out.npz")));
    }

    [Fact]
    public void Run_on_an_empty_array_is_one_line_with_the_pcn_engine_and_runs_with_onnx_runtime()
    {
        using var temp = new TempDirectory();
        string data = Npz(temp, "empty.npz", new() { ["x"] = new HostTensor(TensorProto.Types.DataType.Float, [0, 1, 28, 28], []) });
        var pcn = CliProcess.Run("run", Fixtures.PathOf("lenet5.onnx"), "--data", data, "-o", temp.File("pcn.npz"));
        string line = AssertBadInput(pcn, data);
        Assert.Contains("array 'x': the array is empty (shape [0, 1, 28, 28]): the pcn engine needs at least one sample", line);
        Assert.False(File.Exists(temp.File("pcn.npz")));
        var ort = CliProcess.Run("run", Fixtures.PathOf("lenet5.onnx"), "--data", data, "-o", temp.File("ort.npz"), "--engine", "ort");
        Assert.True(ort.ExitCode == 0, ort.ToString());
    }

    [Fact]
    public void Run_without_an_array_for_the_input_names_the_data_file_not_the_model()
    {
        using var temp = new TempDirectory();
        string data = Npz(temp, "renamed.npz", new() { ["inputs"] = Good["x"] });
        string line = AssertBadInput(CliProcess.Run("run", Fixtures.PathOf("lenet5.onnx"), "--data", data, "-o", temp.File("out.npz")), data);
        Assert.Contains("no array for graph input 'x' (arrays: inputs)", line);
    }

    [Fact]
    public void A_label_outside_the_classes_in_an_idx_folder_names_the_labels_file()
    {
        using var temp = new TempDirectory();
        var labels = Good["y"].Values.Select(v => (byte)v).ToArray();
        labels[4] = 11;
        WriteIdx(temp.File("train-images-idx3-ubyte"), [32, 28, 28], Good["x"].Values.Select(v => (byte)Math.Round(v * 255)).ToArray());
        WriteIdx(temp.File("train-labels-idx1-ubyte"), [32], labels);
        var run = CliProcess.Run("finetune", Fixtures.PathOf("lenet5.onnx"), "--data", temp.Path, "--batch-size", "8", "--steps", "1", "-o", temp.File("o.onnx"));
        string line = AssertBadInput(run, temp.File("train-labels-idx1-ubyte"));
        Assert.Contains("label 11 at index 4 is outside 0..9", line);
    }

    [Fact]
    public void Labels_of_an_npy_pair_are_named_by_their_own_file()
    {
        using var temp = new TempDirectory();
        NpyFormat.Write(temp.File("x.npy"), Good["x"]);
        NpyFormat.Write(temp.File("bad.npy"), WithValue(Good["y"], 6, 42));
        var y = Good["y"];
        NpyFormat.Write(temp.File("short.npy"), new HostTensor(y.ElementType, [31], y.Values[..31]));

        string line = AssertBadInput(Eval($"{temp.File("x.npy")},{temp.File("bad.npy")}"), temp.File("bad.npy"));
        Assert.Contains("label 42 at index 6 is outside 0..9: the model's output has 10 classes", line);
        line = AssertBadInput(Eval($"{temp.File("x.npy")},{temp.File("short.npy")}"), temp.File("x.npy"));
        Assert.Contains($"it has 32 samples but the targets in {temp.File("short.npy")} are 31", line);
    }

    /// <summary>An IDX file of unsigned bytes: zero, zero, type 0x08, the rank, big-endian dimensions, the data.</summary>
    private static void WriteIdx(string path, int[] shape, byte[] data)
    {
        var header = new byte[4 + 4 * shape.Length];
        header[2] = 0x08;
        header[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), shape[i]);
        File.WriteAllBytes(path, [.. header, .. data]);
    }
}
