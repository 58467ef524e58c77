using Xunit;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Cli.Inference;

public class OnnxRuntimeSessionTests
{
    /// <summary>
    /// Conformance cases with the tolerance each one needs: |got - want| &lt;= absolute + relative * |want|.
    /// Relu, Mod, Cast and ArgMax are exact in any implementation, so they must match bit for bit. Conv2d sums
    /// products in float32, and ONNX Runtime's kernels (im2col + GEMM, FMA, blocked sums) add them in another order
    /// than the PyTorch run that wrote output_0.pb. That rounding is a few float32 ulps of the larger partial
    /// sums (here up to 2.4e-7 absolute), not of the result, so an output that nearly cancels (the smallest here is
    /// 0.0016) shows 1.9e-5 relative error. Hence 1e-5 relative plus a 1e-6 absolute floor: about 4x the observed
    /// error, and still far below what a wrong weight, stride or padding would cause (errors of order 0.1).
    /// </summary>
    public static TheoryData<string, double, double> ConformanceCases() => new()
    {
        { "node/test_relu", 0, 0 },
        { "pytorch-converted/test_Conv2d", 1e-5, 1e-6 },
        { "node/test_mod_mixed_sign_int64", 0, 0 },
        { "node/test_mod_mixed_sign_float64", 0, 0 },
        { "node/test_cast_FLOAT_to_DOUBLE", 0, 0 },
        { "node/test_argmax_default_axis_random", 0, 0 },
    };

    [Theory]
    [MemberData(nameof(ConformanceCases))]
    public void RunsConformanceCasesAndMatchesTheirExpectedOutputs(string caseName, double relativeTolerance, double absoluteTolerance)
    {
        string folder = OnnxTestData.Case(caseName);
        List<HostTensor> inputs = OnnxTestData.ReadTensors(folder, "input");
        List<HostTensor> expected = OnnxTestData.ReadTensors(folder, "output");
        using var session = OnnxRuntimeSession.Open(Path.Combine(folder, "model.onnx"), ExecutionProviderChoice.Cpu);

        var feeds = session.Inputs.Select((input, n) => (input.Name, Tensor: inputs[n])).ToDictionary(p => p.Name, p => p.Tensor);
        IReadOnlyDictionary<string, HostTensor> outputs = session.Run(feeds);

        Assert.Equal(session.Outputs.Select(o => o.Name), outputs.Keys);
        for (int n = 0; n < expected.Count; n++)
        {
            HostTensor actual = outputs[session.Outputs[n].Name];
            Assert.Equal(expected[n].ElementType, actual.ElementType);
            Assert.Equal(expected[n].Shape, actual.Shape);
            for (int i = 0; i < actual.Values.Length; i++)
            {
                double want = expected[n].Values[i], got = actual.Values[i];
                Assert.True(Math.Abs(got - want) <= absoluteTolerance + relativeTolerance * Math.Abs(want),
                    $"{caseName} output {n} element {i}: expected {want}, got {got}");
            }
        }
    }

    [Fact]
    public void ListsInputsAndOutputsWithTheirTypesAndShapes()
    {
        using var session = OnnxRuntimeSession.Open(Path.Combine(OnnxTestData.Case("pytorch-converted/test_Conv2d"), "model.onnx"), ExecutionProviderChoice.Cpu);

        ModelValueInfo input = Assert.Single(session.Inputs);
        ModelValueInfo output = Assert.Single(session.Outputs);
        Assert.True(input.IsTensor);
        Assert.Equal(DataType.Float, input.ElementType);
        Assert.Equal([2L, 3L, 7L, 5L], input.Shape);
        Assert.Equal(DataType.Float, output.ElementType);
        Assert.Equal(4, output.Shape.Count);
        Assert.Equal($"{input.Name}: FLOAT[2, 3, 7, 5]", input.ToString());
    }

    [Fact]
    public void DoubleDataIsFedToAFloatInputInTheDeclaredType()
    {
        string folder = OnnxTestData.Case("node/test_relu");
        using var session = OnnxRuntimeSession.Open(File.ReadAllBytes(Path.Combine(folder, "model.onnx")), ExecutionProviderChoice.Cpu);
        var input = new HostTensor(DataType.Double, [3, 4, 5], Enumerable.Range(0, 60).Select(i => (i - 30) / 3.0).ToArray());

        HostTensor output = session.Run(new Dictionary<string, HostTensor> { ["x"] = input }).Values.Single();

        Assert.Equal(DataType.Float, output.ElementType);
        Assert.Equal(input.Values.Select(v => (double)(float)Math.Max(v, 0)), output.Values);
    }

    [Fact]
    public void FloatDataIsFedToAnInt64InputWhenItHoldsIntegers()
    {
        using var session = OnnxRuntimeSession.Open(Path.Combine(OnnxTestData.Case("node/test_mod_mixed_sign_int64"), "model.onnx"), ExecutionProviderChoice.Cpu);
        var feeds = session.Inputs.ToDictionary(i => i.Name, i => new HostTensor(DataType.Float, [6], [7, -7, 7, -7, 10, -10]));
        feeds[session.Inputs[1].Name] = new HostTensor(DataType.Float, [6], [3, 3, -3, -3, 4, 4]);

        HostTensor output = session.Run(feeds).Values.Single();

        Assert.Equal(DataType.Int64, output.ElementType);
        Assert.Equal([1.0, 2, -2, -1, 2, 2], output.Values); // Mod with fmod=0 takes the divisor's sign, like Python's %
    }

    [Fact]
    public void ANonIntegerValueForAnInt64InputIsRefused()
    {
        using var session = OnnxRuntimeSession.Open(Path.Combine(OnnxTestData.Case("node/test_mod_mixed_sign_int64"), "model.onnx"), ExecutionProviderChoice.Cpu);
        var feeds = session.Inputs.ToDictionary(i => i.Name, i => new HostTensor(DataType.Float, [6], [1, 2, 3, 4, 5.5, 6]));

        var error = Assert.Throws<InferenceInputException>(() => session.Run(feeds));

        Assert.Contains("is INT64: value 5.5 at flat index 4 is not an integer", error.Message);
    }

    [Fact]
    public void MissingUnknownAndMisshapenInputsAreRefusedByName()
    {
        using var session = OnnxRuntimeSession.Open(Path.Combine(OnnxTestData.Case("node/test_relu"), "model.onnx"), ExecutionProviderChoice.Cpu);
        var right = new HostTensor(DataType.Float, [3, 4, 5], new double[60]);

        var missing = Assert.Throws<InferenceInputException>(() => session.Run(new Dictionary<string, HostTensor>()));
        var unknown = Assert.Throws<InferenceInputException>(() => session.Run(new Dictionary<string, HostTensor> { ["x"] = right, ["z"] = right }));
        var misshapen = Assert.Throws<InferenceInputException>(() =>
            session.Run(new Dictionary<string, HostTensor> { ["x"] = new(DataType.Float, [4, 3, 5], new double[60]) }));

        Assert.Equal("input 'x' is missing: expected x: FLOAT[3, 4, 5]", missing.Message);
        Assert.Equal("the model has no input 'z': expected x: FLOAT[3, 4, 5]", unknown.Message);
        Assert.Equal("input 'x' has shape [4, 3, 5]: expected x: FLOAT[3, 4, 5]", misshapen.Message);
    }

    [Fact]
    public void CudaWithoutAGpuFailsWithAClearMessage()
    {
        string model = Path.Combine(OnnxTestData.Case("node/test_relu"), "model.onnx");
        ExecutionProviderUnavailableException error;
        try
        {
            using var session = OnnxRuntimeSession.Open(model, ExecutionProviderChoice.Cuda);
            // Only a host with an NVIDIA device (and CUDA 13 + cuDNN 9) may get here; the build machines have neither.
            Assert.True(MachineHasNvidiaDevice(), "CUDA opened on a machine without an NVIDIA device");
            Assert.Equal(ExecutionProviderChoice.Cuda, session.ActiveProvider);
            return;
        }
        catch (ExecutionProviderUnavailableException e)
        {
            error = e;
        }

        Assert.StartsWith("The CUDA execution provider is not usable: ", error.Message);
        Assert.Contains("provider 'cpu' or 'auto'", error.Message);
        Assert.NotNull(error.InnerException);
        Assert.Contains(error.InnerException!.Message.Split('\n')[0].Trim().TrimEnd('.'), error.Message);
    }

    [Fact]
    public void AutoWithoutAGpuFallsBackToTheCpuWithAOneLineNotice()
    {
        string model = Path.Combine(OnnxTestData.Case("node/test_relu"), "model.onnx");

        using var session = OnnxRuntimeSession.Open(model, ExecutionProviderChoice.Auto);
        if (session.ActiveProvider == ExecutionProviderChoice.Cuda)
        {
            // A usable GPU: no fallback, no notice. The build machines have no GPU and take the path below.
            Assert.True(MachineHasNvidiaDevice(), "CUDA opened on a machine without an NVIDIA device");
            Assert.Null(session.FallbackNotice);
            return;
        }

        Assert.Equal(ExecutionProviderChoice.Cpu, session.ActiveProvider);
        Assert.NotNull(session.FallbackNotice);
        Assert.StartsWith("CUDA is not usable (", session.FallbackNotice);
        Assert.EndsWith("); running on the CPU.", session.FallbackNotice);
        Assert.DoesNotContain('\n', session.FallbackNotice);
        Assert.Single(session.Run(new Dictionary<string, HostTensor> { ["x"] = new(DataType.Float, [3, 4, 5], new double[60]) }));
    }

    [Fact]
    public void CpuNeverReportsAFallback()
    {
        using var session = OnnxRuntimeSession.Open(Path.Combine(OnnxTestData.Case("node/test_relu"), "model.onnx"), ExecutionProviderChoice.Cpu);

        Assert.Equal(ExecutionProviderChoice.Cpu, session.ActiveProvider);
        Assert.Null(session.FallbackNotice);
    }

    [Theory]
    [InlineData("cpu", ExecutionProviderChoice.Cpu)]
    [InlineData("CUDA", ExecutionProviderChoice.Cuda)]
    [InlineData(" auto ", ExecutionProviderChoice.Auto)]
    public void ParsesProviderNames(string text, ExecutionProviderChoice expected) =>
        Assert.Equal(expected, OnnxRuntimeSession.ParseProvider(text));

    [Fact]
    public void AnUnknownProviderNameIsRefused() =>
        Assert.Contains("expected cpu, cuda or auto", Assert.Throws<ArgumentException>(() => OnnxRuntimeSession.ParseProvider("tpu")).Message);

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        var error = Assert.Throws<FileNotFoundException>(() => OnnxRuntimeSession.Open("/nonexistent/model.onnx", ExecutionProviderChoice.Cpu));

        Assert.Equal("/nonexistent/model.onnx: model file not found", error.Message);
    }

    [Fact]
    public void AMissingConformanceCaseFailsNamingTheDebianPackage()
    {
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => OnnxTestData.Case("node/no_such_case"));

        Assert.Contains("install the Debian package libonnx-testdata", failure.Message);
    }

    private static bool MachineHasNvidiaDevice() => File.Exists("/dev/nvidiactl") || File.Exists("/dev/nvidia0");
}
