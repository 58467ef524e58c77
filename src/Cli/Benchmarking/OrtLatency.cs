using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ZilOnnx.Converter.Onnx.Proto;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>ONNX Runtime's latency on the original model and on the export, and the export's over the original's.</summary>
public sealed record OrtLatencyResult(int Runs, int? Threads, Spread OriginalMs, Spread ExportedMs, Spread Ratio);

/// <summary>
/// Runs the original model and the exported one (the same graph with the trained initializers) with ONNX Runtime's
/// CPU provider on the same input, in alternation (the one that goes first changes every pair), and reports the
/// median and spread of each one's latency and the median of the per-pair ratios.
/// </summary>
public static class OrtLatency
{
    public const int WarmupRuns = 5;

    /// <param name="threads">ONNX Runtime's intra-op threads; null keeps its default (one per core).</param>
    public static OrtLatencyResult? Measure(byte[] original, byte[] exported, string inputName, TensorProto.Types.DataType elementType,
        Tensor input, int? threads, int runs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, InterOpNumThreads = 1 };
        if (threads is { } n) options.IntraOpNumThreads = n;
        // Each session has a thread pool of its own, whose threads spin for a while after a run: the session timed next
        // would share the cores with them, so which one went first would decide the ratio. Threads that sleep at
        // once leave both sessions the same machine.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var first = new InferenceSession(original, options);
        using var second = new InferenceSession(exported, options);
        long[] shape = input.shape;
        using var cpu = input.detach().to(CPU).contiguous();
        using OrtValue value = elementType switch
        {
            TensorProto.Types.DataType.Float => OrtValue.CreateTensorValueFromMemory(cpu.to(ScalarType.Float32).data<float>().ToArray(),
                shape),
            TensorProto.Types.DataType.Double => OrtValue.CreateTensorValueFromMemory(cpu.to(ScalarType.Float64).data<double>().ToArray(),
                shape),
            // Token ids: the batch holds them as int64 whatever the data stored them as.
            TensorProto.Types.DataType.Int64 => OrtValue.CreateTensorValueFromMemory(cpu.to(ScalarType.Int64).data<long>().ToArray(),
                shape),
            TensorProto.Types.DataType.Int32 => OrtValue.CreateTensorValueFromMemory(cpu.to(ScalarType.Int32).data<int>().ToArray(), shape),
            _ => throw new ArgumentException($"ONNX Runtime latency: input '{inputName}' is {elementType}; only float, double, int64 " +
                $"and int32 inputs are fed"),
        };
        string[] outputs = first.OutputNames.ToArray();
        using var runOptions = new RunOptions();
        double Time(InferenceSession session)
        {
            long start = Stopwatch.GetTimestamp();
            using var results = session.Run(runOptions, [inputName], [value], outputs);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        for (int i = 0; i < WarmupRuns; i++) { Time(first); Time(second); }
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            if (i % 2 == 0) { a.Add(Time(first)); b.Add(Time(second)); }
            else { b.Add(Time(second)); a.Add(Time(first)); }
        }
        return new OrtLatencyResult(runs, threads, Spread.Of(a), Spread.Of(b), Spread.Of(b.Zip(a, (e, o) => e / o).ToList()));
    }
}
