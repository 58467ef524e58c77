using Google.Protobuf;
using Xunit.Abstractions;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The unrolled RNN, LSTM and GRU (<see cref="RecurrentMapping"/>) against ONNX Runtime over the attribute grid of
/// <see cref="RecurrentCaseGrid"/>: each case is one node, run through the PCN in float64 and through ONNX
/// Runtime's CPU provider in float32, and every output it reads is compared. Each case is also compared with
/// <see cref="RecurrentReference"/>, the spec's equations written out by hand, so that a disagreement says which
/// side left the spec.
/// </summary>
public sealed class RecurrentDifferentialTests(ITestOutputHelper output)
{
    /// <summary>
    /// ONNX Runtime computes in float32 and uses its own approximations of sigmoid and tanh (MLAS); up to five
    /// steps feed each rounding error back through the recurrence, so the bound is wider than for one
    /// feed-forward operator: about 80 float32 ulps relative, with an absolute part that scales with the size of
    /// the tensor's values (a gate difference that cancels to near zero keeps the rounding of its terms).
    /// </summary>
    internal static readonly Tolerance AgainstOnnxRuntime = new(1e-5, 1e-6,
        "float64 PCN against float32 ONNX Runtime through up to 5 recurrent steps (~80 float32 ulps)");

    /// <summary>The hand-written reference and the PCN both compute in float64 from the same float32 inputs.</summary>
    internal static readonly Tolerance AgainstReference = new(1e-10, 1e-12,
        "float64 PCN against the float64 reference: only summation order differs");

    public static IEnumerable<object[]> Cases() => RecurrentCaseGrid.All.Select(c => new object[] { c.ToString() });

    private static RecurrentCase CaseFor(string description) => RecurrentCaseGrid.All.Single(c => c.ToString() == description);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pcn_forward_matches_onnx_runtime(string description)
    {
        var c = CaseFor(description);
        var tensors = new RecurrentCaseTensors(c);
        var (model, feeds) = RecurrentNodeModel.Build(c, tensors, c.Layout);
        if (c.LeavesDisputedDefault)
        {
            Disputed_default_is_refused(c, tensors, model, description);
            return;
        }

        var actual = RunPcn(model, feeds, description);
        var reference = RecurrentReference.Run(c, tensors);
        var onnxRuntime = RunOnnxRuntime(c, tensors);

        Assert.Equal(c.OutputNames.Count(n => n != ""), actual.Count);
        var problems = new List<string>();
        foreach (var (name, value) in actual)
        {
            var expected = c.Layout == 0 ? reference[name] : RecurrentNodeModel.ToLayout1(name, reference[name]);
            var deviation = TensorComparison.Compare(expected, value.Shape, value.Values, AgainstReference);
            output.WriteLine($"{name} vs reference: {deviation}");
            if (!deviation.Within) problems.Add($"{name} vs reference: {deviation}");
            deviation = TensorComparison.Compare(onnxRuntime[name], value.Shape, value.Values, AgainstOnnxRuntime);
            output.WriteLine($"{name} vs ONNX Runtime: {deviation}");
            if (!deviation.Within) problems.Add($"{name} vs ONNX Runtime: {deviation}");
        }
        Assert.True(problems.Count == 0, $"{description}: {string.Join("; ", problems)}");
    }

    /// <summary>
    /// An activation left without an alpha/beta whose default ONNX Runtime does not take from the spec: the
    /// converter refuses the node, and ONNX Runtime is shown to compute with 0 there, which is why.
    /// </summary>
    private void Disputed_default_is_refused(RecurrentCase c, RecurrentCaseTensors tensors, ZilOnnx.Converter.Onnx.Proto.ModelProto model, string description)
    {
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, description));
        Assert.Contains("needs an explicit activation_", e.Message);
        var onnxRuntime = RunOnnxRuntime(c, tensors);
        foreach (var (name, expected) in RecurrentReference.Run(c, tensors, onnxRuntimeDefaults: true))
        {
            var value = onnxRuntime[name];
            var inLayout = c.Layout == 0 ? expected : RecurrentNodeModel.ToLayout1(name, expected);
            var deviation = TensorComparison.Compare(value, inLayout.Shape, inLayout.Values, AgainstOnnxRuntime);
            output.WriteLine($"refused; ONNX Runtime {name} vs the reference with alpha/beta 0: {deviation}");
            Assert.True(deviation.Within, $"{description}: ONNX Runtime {name} vs the reference with alpha/beta 0: {deviation}");
        }
    }

    /// <summary>
    /// ONNX Runtime's outputs in the case's layout. Its CPU provider refuses layout 1 ("batchwise recurrent
    /// operations are not supported"), so a layout-1 case runs as its layout-0 twin, whose outputs are transposed.
    /// Everything else in the grid it runs, every activation included.
    /// </summary>
    private static Dictionary<string, HostTensor> RunOnnxRuntime(RecurrentCase c, RecurrentCaseTensors tensors)
    {
        var (model, feeds) = RecurrentNodeModel.Build(c, tensors, layout: 0);
        using var session = OnnxRuntimeSession.Open(model.ToByteArray(), ExecutionProviderChoice.Cpu);
        return session.Run(feeds).ToDictionary(o => o.Key, o => c.Layout == 0 ? o.Value : RecurrentNodeModel.ToLayout1(o.Key, o.Value));
    }

    private static Dictionary<string, HostTensor> RunPcn(ZilOnnx.Converter.Onnx.Proto.ModelProto model, Dictionary<string, HostTensor> feeds, string description)
    {
        var graph = PcGraphBuilder.Build(model, description);
        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var values = pcn.Forward(feeds.ToDictionary(f => f.Key, f => pcn.ToTensor(f.Value)));
        return graph.GraphOutputs.ToDictionary(o => o.Key, o =>
        {
            var y = values[((Operand.FromVertex)o.Value).Source].contiguous();
            return new HostTensor(ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType.Double, y.shape, y.data<double>().ToArray());
        });
    }
}
