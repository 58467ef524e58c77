using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Data that does not fit: each case ends with exit code 2 and one line naming the file, the array, what was
/// expected and what was found, before any training step.
/// </summary>
public sealed class BadDataTests
{
    private static readonly IReadOnlyDictionary<string, HostTensor> Good = Fixtures.Arrays("lenet5.ce.npz");

    private static HostTensor Floats(long[] shape, Func<int, double>? value = null) =>
        new(TensorProto.Types.DataType.Float, shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => value?.Invoke(i) ?? 0.5).ToArray());

    public static TheoryData<string, string[]> Cases() => new()
    {
        { "wrong rank", ["x: [32, 784]", "but the model expects rank 4"] },
        { "wrong shape", ["x: [32, 1, 32, 32]", "but the model expects [?, 1, 28, 28]"] },
        { "wrong dtype", ["x: int64", "inputs must be floating point"] },
        { "labels out of range", ["y: labels 0..12", "label 10 at index 10 is outside 0..9"] },
        { "NaN in inputs", ["x: NaN in sample 2", "array 'x': sample 2 holds NaN (element 1668 of the array)"] },
        { "Inf in inputs", ["x: Inf at 7", "array 'x': sample 0 holds Infinity (element 7 of the array)"] },
        { "no y", ["no y", "no array 'y' with the targets"] },
        { "no x", ["no x", "no array 'x' with the inputs (arrays: inputs, y)"] },
        { "lengths differ", ["x 32, y 31", "x has 32 samples but y has 31"] },
        { "empty file", ["empty", "bad.npz"] },
    };

    private static void Write(string path, string name)
    {
        var x = Good["x"];
        var y = Good["y"];
        var labels = new HostTensor(TensorProto.Types.DataType.Int64, [32], Enumerable.Range(0, 32).Select(i => (double)(i % 13)).ToArray());
        var arrays = name switch
        {
            "wrong rank" => new Dictionary<string, HostTensor> { ["x"] = Floats([32, 784]), ["y"] = y },
            "wrong shape" => new() { ["x"] = Floats([32, 1, 32, 32]), ["y"] = y },
            "wrong dtype" => new() { ["x"] = new HostTensor(TensorProto.Types.DataType.Int64, x.Shape, new double[x.Count]), ["y"] = y },
            "labels out of range" => new() { ["x"] = x, ["y"] = labels },
            "NaN in inputs" => new() { ["x"] = Floats(x.Shape, i => i == 2 * 784 + 100 ? double.NaN : 0.5), ["y"] = y },
            "Inf in inputs" => new() { ["x"] = Floats(x.Shape, i => i == 7 ? double.PositiveInfinity : 0.5), ["y"] = y },
            "no y" => new() { ["x"] = x },
            "no x" => new() { ["inputs"] = x, ["y"] = y },
            "lengths differ" => new() { ["x"] = x, ["y"] = new HostTensor(y.ElementType, [31], y.Values[..31]) },
            _ => null,
        };
        if (arrays == null) File.WriteAllBytes(path, []);
        else NpzArchive.Write(path, arrays);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_before_training_with_exit_code_2_and_one_line(string name, string[] expected)
    {
        using var temp = new TempDirectory();
        string data = temp.File("bad.npz");
        Write(data, name);
        var run = CliProcess.Run("finetune", Fixtures.PathOf("lenet5.onnx"), "--data", data, "--batch-size", "8", "--steps", "1", "-o", temp.File("o.onnx"));
        Assert.True(run.ExitCode == 2, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {data}", line);
        Assert.Contains(expected[1], line);
        Assert.DoesNotContain("step 1", run.Output);
    }
}
