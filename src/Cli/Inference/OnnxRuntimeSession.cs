using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Cli.Inference;

/// <summary>Where ONNX Runtime runs a model: <c>auto</c> tries CUDA and falls back to the CPU.</summary>
public enum ExecutionProviderChoice
{
    Cpu,
    Cuda,
    Auto,
}

/// <summary>A graph input or output as ONNX Runtime reports it. A dimension of -1 is symbolic or unknown.</summary>
public sealed record ModelValueInfo(
    string Name,
    bool IsTensor,
    DataType ElementType,
    IReadOnlyList<long> Shape,
    IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>For example <c>x: FLOAT[N, 1, 28, 28]</c>.</summary>
    public override string ToString()
    {
        if (!IsTensor) return $"{Name}: (not a tensor)";
        var dims = Shape.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?");
        return $"{Name}: {ElementType.ToString().ToUpperInvariant()}[{string.Join(", ", dims)}]";
    }
}

/// <summary>The CUDA provider was asked for explicitly and cannot run here; the message says why.</summary>
public sealed class ExecutionProviderUnavailableException(string message, Exception innerException)
    : Exception(message, innerException);

/// <summary>The tensors given to <see cref="OnnxRuntimeSession.Run"/> do not match the model's inputs.</summary>
public sealed class InferenceInputException(string message) : Exception(message);

/// <summary>
/// One ONNX Runtime inference session over <see cref="HostTensor"/>s: inputs are converted to the element types
/// the model declares, and every output comes back as a HostTensor that keeps its ONNX element type.
/// </summary>
public sealed class OnnxRuntimeSession : IDisposable
{
    private readonly InferenceSession _session;

    private OnnxRuntimeSession(InferenceSession session, ExecutionProviderChoice activeProvider, string? fallbackNotice)
    {
        _session = session;
        ActiveProvider = activeProvider;
        FallbackNotice = fallbackNotice;
        Inputs = session.InputNames.Select(name => Describe(name, session.InputMetadata[name])).ToArray();
        Outputs = session.OutputNames.Select(name => Describe(name, session.OutputMetadata[name])).ToArray();
    }

    /// <summary>The provider the session really runs on: <see cref="ExecutionProviderChoice.Cpu"/> or
    /// <see cref="ExecutionProviderChoice.Cuda"/>.</summary>
    public ExecutionProviderChoice ActiveProvider { get; }

    /// <summary>One line saying why <c>auto</c> fell back to the CPU; null when no fallback happened.</summary>
    public string? FallbackNotice { get; }

    /// <summary>Graph inputs in model order (initializers that are also inputs are not listed by ONNX Runtime).</summary>
    public IReadOnlyList<ModelValueInfo> Inputs { get; }

    /// <summary>Graph outputs in model order.</summary>
    public IReadOnlyList<ModelValueInfo> Outputs { get; }

    /// <summary>Parses the command-line spelling <c>cpu | cuda | auto</c>.</summary>
    public static ExecutionProviderChoice ParseProvider(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionProviderChoice.Cpu,
        "cuda" => ExecutionProviderChoice.Cuda,
        "auto" => ExecutionProviderChoice.Auto,
        _ => throw new ArgumentException($"unknown provider '{text}': expected cpu, cuda or auto"),
    };

    public static OnnxRuntimeSession Open(string modelPath, ExecutionProviderChoice provider = ExecutionProviderChoice.Auto)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"{modelPath}: model file not found", modelPath);
        return Open(options => new InferenceSession(modelPath, options), provider);
    }

    public static OnnxRuntimeSession Open(byte[] model, ExecutionProviderChoice provider = ExecutionProviderChoice.Auto) =>
        Open(options => new InferenceSession(model, options), provider);

    private static OnnxRuntimeSession Open(Func<SessionOptions, InferenceSession> create, ExecutionProviderChoice provider)
    {
        if (provider == ExecutionProviderChoice.Cpu)
            return new OnnxRuntimeSession(CreateSession(create, useCuda: false), ExecutionProviderChoice.Cpu, null);

        OnnxRuntimeException cudaFailure;
        try
        {
            InferenceSession cudaSession = provider == ExecutionProviderChoice.Auto
                ? WithQuietEnvironmentLog(() => CreateSession(create, useCuda: true))
                : CreateSession(create, useCuda: true);
            return new OnnxRuntimeSession(cudaSession, ExecutionProviderChoice.Cuda, null);
        }
        catch (OnnxRuntimeException e)
        {
            cudaFailure = e;
        }

        // A CUDA session can fail because CUDA is unusable or because the model is bad. Opening the model on the
        // CPU tells the two apart: if that fails too, the model's own error is the one worth reporting.
        InferenceSession cpuSession = CreateSession(create, useCuda: false);
        string reason = OneLine(cudaFailure.Message);
        if (provider == ExecutionProviderChoice.Cuda)
        {
            cpuSession.Dispose();
            throw new ExecutionProviderUnavailableException(
                $"The CUDA execution provider is not usable: {reason}. It needs an NVIDIA GPU with its driver, the CUDA 13 " +
                "runtime (libcudart, libcublas, libcublasLt) and cuDNN 9 on the library path (ldd on libonnxruntime_providers_cuda.so " +
                "lists what is missing); choose provider 'cpu' or 'auto' to run without it.",
                cudaFailure);
        }
        return new OnnxRuntimeSession(cpuSession, ExecutionProviderChoice.Cpu, $"CUDA is not usable ({reason}); running on the CPU.");
    }

    /// <summary>
    /// Runs <paramref name="action"/> with ONNX Runtime's process-wide log limited to fatal errors. A failed CUDA
    /// probe logs an error line to stderr; under <c>auto</c> the fallback notice already says it, so the line
    /// would only alarm. (With <c>cuda</c> asked for explicitly the line stays: it names the missing library.)
    /// </summary>
    private static T WithQuietEnvironmentLog<T>(Func<T> action)
    {
        lock (EnvironmentLogLock)
        {
            OrtEnv environment = OrtEnv.Instance();
            OrtLoggingLevel previous = environment.EnvLogLevel;
            environment.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                return action();
            }
            finally
            {
                environment.EnvLogLevel = previous;
            }
        }
    }

    private static readonly object EnvironmentLogLock = new();

    private static InferenceSession CreateSession(Func<SessionOptions, InferenceSession> create, bool useCuda)
    {
        // The session copies what it needs from the options, so they can be released right after creation.
        using var options = new SessionOptions
        {
            // Exported models often carry a newer opset than this runtime knows well; its warnings are noise here.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (useCuda)
            options.AppendExecutionProvider_CUDA(0);
        return create(options);
    }

    /// <summary>
    /// Runs the model once. Every graph input must be given, by name; values are converted to the element type
    /// the model declares (an integer input refuses non-integral values rather than truncating them).
    /// </summary>
    /// <param name="unread">Inputs no node reads (<see cref="UnusedInputs"/>), which may be left out: ONNX Runtime runs the
    /// graph without them (tested), so nothing is made up for them.</param>
    public IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> inputs,
        IReadOnlyCollection<string>? unread = null)
    {
        ValidateInputNames(inputs, unread ?? []);

        var fed = Inputs.Where(i => inputs.ContainsKey(i.Name)).ToList();
        var feeds = new List<OrtValue>(fed.Count);
        try
        {
            foreach (ModelValueInfo input in fed)
                feeds.Add(OrtTensorConversion.ToOrtValue(input, inputs[input.Name]));

            using var runOptions = new RunOptions();
            string[] outputNames = Outputs.Select(o => o.Name).ToArray();
            using IDisposableReadOnlyCollection<OrtValue> results =
                _session.Run(runOptions, fed.Select(i => i.Name).ToArray(), feeds, outputNames);

            // Graph output order, so that callers writing the outputs (an .npz) keep the model's order.
            var outputs = new OrderedDictionary<string, HostTensor>(StringComparer.Ordinal);
            int index = 0;
            foreach (OrtValue result in results)
            {
                string name = outputNames[index++];
                outputs[name] = OrtTensorConversion.ToHostTensor(name, result);
            }
            return outputs;
        }
        finally
        {
            foreach (OrtValue feed in feeds) feed.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();

    private void ValidateInputNames(IReadOnlyDictionary<string, HostTensor> inputs, IReadOnlyCollection<string> unread)
    {
        string expected = string.Join(", ", Inputs.Select(i => i.ToString()));
        foreach (string name in inputs.Keys)
        {
            if (!Inputs.Any(i => i.Name == name))
                throw new InferenceInputException($"the model has no input '{name}': expected {expected}");
        }
        foreach (ModelValueInfo input in Inputs)
        {
            if (!inputs.ContainsKey(input.Name) && !unread.Contains(input.Name))
                throw new InferenceInputException($"input '{input.Name}' is missing: expected {expected}");
        }
    }

    private static ModelValueInfo Describe(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
            return new ModelValueInfo(name, false, DataType.Undefined, [], []);
        return new ModelValueInfo(
            name,
            true,
            OrtTensorConversion.ToOnnxType(metadata.ElementDataType),
            metadata.Dimensions.Select(d => (long)d).ToArray(),
            metadata.SymbolicDimensions ?? []);
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'],
        StringSplitOptions.RemoveEmptyEntries)).Trim().TrimEnd('.');
}

/// <summary>Conversions between <see cref="HostTensor"/> (doubles) and ONNX Runtime tensors of a given element type.</summary>
internal static class OrtTensorConversion
{
    private const double TwoTo31 = 2147483648.0;
    private const double TwoTo32 = 4294967296.0;
    private const double TwoTo63 = 9223372036854775808.0;
    private const double TwoTo64 = 18446744073709551616.0;

    /// <summary>ONNX Runtime numbers its element types exactly like ONNX's TensorProto.DataType.</summary>
    public static DataType ToOnnxType(TensorElementType type) => (DataType)(int)type;

    public static OrtValue ToOrtValue(ModelValueInfo input, HostTensor tensor)
    {
        if (!input.IsTensor)
            throw new InferenceInputException($"input '{input.Name}' is not a tensor (sequence, map or optional): only tensor inputs " +
                $"can be fed");
        CheckShape(input, tensor);

        long[] shape = tensor.Shape.ToArray();
        double[] v = tensor.Values;
        return input.ElementType switch
        {
            DataType.Float => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(v, x => (float)x), shape),
            // ONNX Runtime only reads its inputs, so the tensor's own array can be pinned and fed without a copy.
            DataType.Double => OrtValue.CreateTensorValueFromMemory(v, shape),
            DataType.Float16 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(v,
                x => new Float16(BitConverter.HalfToUInt16Bits((Half)x))), shape),
            DataType.Int64 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, long.MinValue, TwoTo63, x => (long)x), shape),
            DataType.Int32 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, int.MinValue, TwoTo31, x => (int)x), shape),
            DataType.Int16 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, short.MinValue, 32768, x => (short)x), shape),
            DataType.Int8 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, sbyte.MinValue, 128, x => (sbyte)x), shape),
            DataType.Uint64 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, 0, TwoTo64, x => (ulong)x), shape),
            DataType.Uint32 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, 0, TwoTo32, x => (uint)x), shape),
            DataType.Uint16 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, 0, 65536, x => (ushort)x), shape),
            DataType.Uint8 => OrtValue.CreateTensorValueFromMemory(Integers(input, v, 0, 256, x => (byte)x), shape),
            DataType.Bool => OrtValue.CreateTensorValueFromMemory(Integers(input, v, 0, 2, x => x != 0), shape),
            _ => throw new InferenceInputException($"input '{input.Name}' has element type {Name(input.ElementType)}, which cannot be " +
                $"fed from numeric data"),
        };
    }

    public static HostTensor ToHostTensor(string name, OrtValue value)
    {
        if (!value.IsTensor)
            throw new NotSupportedException($"output '{name}' is a {value.OnnxType}, not a tensor: only tensor outputs can be returned");

        OrtTensorTypeAndShapeInfo info = value.GetTensorTypeAndShape();
        long[] shape = info.Shape;
        DataType type = ToOnnxType(info.ElementDataType);
        double[] values = info.ElementDataType switch
        {
            TensorElementType.Float => ToDoubles(value.GetTensorDataAsSpan<float>(), x => x),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Float16 => ToDoubles(value.GetTensorDataAsSpan<Float16>(), x => x.ToFloat()),
            TensorElementType.Int64 => ExactInt64(name, value.GetTensorDataAsSpan<long>()),
            TensorElementType.UInt64 => ExactUInt64(name, value.GetTensorDataAsSpan<ulong>()),
            TensorElementType.Int32 => ToDoubles(value.GetTensorDataAsSpan<int>(), x => x),
            TensorElementType.UInt32 => ToDoubles(value.GetTensorDataAsSpan<uint>(), x => x),
            TensorElementType.Int16 => ToDoubles(value.GetTensorDataAsSpan<short>(), x => x),
            TensorElementType.UInt16 => ToDoubles(value.GetTensorDataAsSpan<ushort>(), x => x),
            TensorElementType.Int8 => ToDoubles(value.GetTensorDataAsSpan<sbyte>(), x => x),
            TensorElementType.UInt8 => ToDoubles(value.GetTensorDataAsSpan<byte>(), x => x),
            TensorElementType.Bool => ToDoubles(value.GetTensorDataAsSpan<bool>(), x => x ? 1 : 0),
            _ => throw new NotSupportedException($"output '{name}' has element type {Name(type)}, " +
                $"which cannot be returned as numeric data"),
        };
        return new HostTensor(type, shape, values);
    }

    private static void CheckShape(ModelValueInfo input, HostTensor tensor)
    {
        bool matches = input.Shape.Count == tensor.Rank
                       && input.Shape.Select((d, i) => d < 0 || d == tensor.Shape[i]).All(ok => ok);
        if (!matches)
            throw new InferenceInputException(
                $"input '{input.Name}' has shape [{string.Join(", ", tensor.Shape)}]: expected {input}");
    }

    /// <summary>Converts to an integer type, refusing values that would be truncated or wrapped around.</summary>
    private static T[] Integers<T>(ModelValueInfo input, double[] values, double min, double maxExclusive, Func<double, T> convert)
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double x = values[i];
            if (!(x >= min && x < maxExclusive && Math.Floor(x) == x))
                throw new InferenceInputException(
                    $"input '{input.Name}' is {Name(input.ElementType)}: value {x} at flat index {i} " +
                    $"is not an integer in that type's range");
            result[i] = convert(x);
        }
        return result;
    }

    private static double[] ToDoubles<T>(ReadOnlySpan<T> span, Func<T, double> convert)
    {
        var result = new double[span.Length];
        for (int i = 0; i < span.Length; i++) result[i] = convert(span[i]);
        return result;
    }

    // HostTensor holds doubles; an index or label that rounding changed would be silently wrong.
    private static double[] ExactInt64(string name, ReadOnlySpan<long> span)
    {
        var result = new double[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = span[i];
            if (result[i] >= TwoTo63 || (long)result[i] != span[i])
                throw new NotSupportedException($"output '{name}' value {span[i]} at flat index {i} cannot be held exactly as a double");
        }
        return result;
    }

    private static double[] ExactUInt64(string name, ReadOnlySpan<ulong> span)
    {
        var result = new double[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            result[i] = span[i];
            if (result[i] >= TwoTo64 || (ulong)result[i] != span[i])
                throw new NotSupportedException($"output '{name}' value {span[i]} at flat index {i} cannot be held exactly as a double");
        }
        return result;
    }

    private static string Name(DataType type) => type.ToString().ToUpperInvariant();
}
