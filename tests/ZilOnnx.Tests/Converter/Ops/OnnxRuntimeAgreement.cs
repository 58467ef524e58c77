using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>The PCN forward pass (float64) of a one-input model against ONNX Runtime, for the differential tests.</summary>
internal static class OnnxRuntimeAgreement
{
    /// <summary>
    /// Distinct inputs in steps of 1/8 (exact in float32) around zero, moved by <paramref name="offset"/> where an
    /// operator must not see exact zeros or ties.
    /// </summary>
    public static HostTensor Input(long[] shape, double offset = 0)
    {
        long count = HostTensor.ElementCount(shape);
        var values = Enumerable.Range(0, (int)count).Select(i => ((i * 37 % count) - count / 2) / 8.0 + offset).ToArray();
        return new HostTensor(TensorProto.Types.DataType.Float, shape, values);
    }

    /// <summary>Asserts that the model's output `y` agrees (the differential tests' one check), logging the deviation.</summary>
    public static void Assert(ModelProto model, string description, Xunit.Abstractions.ITestOutputHelper output, double inputOffset = 0)
    {
        var deviation = Compare(model, description, inputOffset);
        output.WriteLine($"{description}: {deviation}");
        Xunit.Assert.True(deviation.Within, $"{description}: {deviation}");
    }

    /// <summary>Runs the model's input `x` through ONNX Runtime and the PCN and compares output `y`.</summary>
    public static Deviation Compare(ModelProto model, string description, double inputOffset = 0)
    {
        long[] shape = [.. model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue)];
        var x = Input(shape, inputOffset);

        using var session = OnnxRuntimeSession.Open(model.ToByteArray(), ExecutionProviderChoice.Cpu);
        HostTensor expected = session.Run(new Dictionary<string, HostTensor> { ["x"] = x })["y"];

        var graph = PcGraphBuilder.Build(model, description);
        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var y = pcn.Forward(new Dictionary<string, Tensor> { ["x"] = pcn.ToTensor(x) })[graph.TrainingOutput].contiguous();
        return TensorComparison.Compare(expected, y.shape, y.data<double>().ToArray(), ConformanceRunner.Float64VsFloat32);
    }
}
