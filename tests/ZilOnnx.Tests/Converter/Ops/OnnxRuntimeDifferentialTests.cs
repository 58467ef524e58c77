using Google.Protobuf;
using Xunit.Abstractions;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// Attribute combinations the conformance data leaves out (ceil_mode windows that start in the padding, SAME
/// padding with strides, dilated average pooling, pre-13 Softmax on inner axes, ...), each run through the PCN in
/// float64 and through ONNX Runtime on the same model and input, and compared.
/// </summary>
public sealed class OnnxRuntimeDifferentialTests(ITestOutputHelper output)
{
    // Theory data is the description alone (a readable test name); the model is looked up by it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelProto> Models = new();

    private static object[] Register(string description, ModelProto model)
    {
        Models[description] = model;
        return [description];
    }

    /// <summary>The model of a description; the case lists are enumerated again when a runner executes cases it discovered elsewhere.</summary>
    private static ModelProto ModelFor(string description)
    {
        if (!Models.ContainsKey(description))
            foreach (var _ in PoolingCases().Concat(DilatedAndSamePoolingCases()).Concat(SoftmaxCases()).Concat(GemmCases()).Concat(ConvCases())) { }
        return Models[description];
    }

    public static IEnumerable<object[]> PoolingCases()
    {
        long[][] inputs = [[1, 2, 5, 5], [2, 1, 6, 7], [1, 1, 4, 4]];
        foreach (string op in new[] { "MaxPool", "AveragePool" })
            foreach (long[] shape in inputs)
                foreach (long kernel in new long[] { 2, 3 })
                    foreach (long stride in new long[] { 1, 2, 3 })
                        foreach (long[] pads in new long[][] { [0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 1, 0], [1, 0, 0, 2] })
                            foreach (int ceil in new[] { 0, 1 })
                            {
                                if (pads.Max() >= kernel) continue; // ONNX requires pads smaller than the window
                                var model = new SingleNodeModel(op, op == "MaxPool" ? 12 : 19, shape)
                                    .Ints("kernel_shape", kernel, kernel).Ints("strides", stride, stride).Ints("pads", pads).Int("ceil_mode", ceil);
                                if (op == "AveragePool") model.Int("count_include_pad", (kernel + stride + ceil) % 2);
                                yield return Register(model.ToString(), model.Build());
                            }
    }

    public static IEnumerable<object[]> DilatedAndSamePoolingCases()
    {
        foreach (string op in new[] { "MaxPool", "AveragePool" })
            foreach (long dilation in new long[] { 1, 2 })
                foreach (string autoPad in new[] { "SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET" })
                    foreach (long stride in new long[] { 1, 2 })
                        foreach (int ceil in new[] { 0, 1 })
                        {
                            // Refused by the converter (ONNX Runtime disagrees with the spec there): see Dilated_same_padding_is_refused.
                            if (dilation > 1 && autoPad.StartsWith("SAME")) continue;
                            // Width 6, kernel 2, stride 3 under SAME needs no padding; ONNX Runtime's MaxPool computes -1
                            // and refuses the model, so the strides stay at most the kernel here.
                            var model = new SingleNodeModel(op, 19, [1, 2, 7, 6])
                                .Ints("kernel_shape", 3, 2).Ints("strides", stride, stride).Ints("dilations", dilation, dilation)
                                .String("auto_pad", autoPad).Int("ceil_mode", ceil);
                            if (autoPad == "NOTSET") model.Ints("pads", 1, 0, 2, 1);
                            if (op == "AveragePool") model.Int("count_include_pad", ceil);
                            yield return Register(model.ToString(), model.Build());
                        }
    }

    public static IEnumerable<object[]> ConvCases()
    {
        foreach (long group in new long[] { 1, 2 })
            foreach (long dilation in new long[] { 1, 2 })
                foreach (string autoPad in new[] { "SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET" })
                    foreach (long stride in new long[] { 1, 2 })
                    {
                        if (dilation > 1 && autoPad.StartsWith("SAME")) continue; // refused, as for pooling
                        var model = new SingleNodeModel("Conv", 11, [2, 4, 7, 6], Weights("W", [6, 4 / group, 3, 2], 3), Weights("B", [6], 4))
                            .Ints("strides", stride, stride + 1).Ints("dilations", dilation, dilation).Int("group", group).String("auto_pad", autoPad);
                        if (autoPad == "NOTSET") model.Ints("pads", 2, 0, 1, 1);
                        yield return Register(model.ToString(), model.Build());
                    }
    }

    public static IEnumerable<object[]> SoftmaxCases()
    {
        foreach (string op in new[] { "Softmax", "LogSoftmax" })
            foreach (int opset in new[] { 6, 11, 13 })
                foreach (long axis in new long[] { 0, 1, 2, 3, -1, -3 })
                {
                    if (axis < 0 && opset < 11) continue;
                    var model = new SingleNodeModel(op, opset, [2, 3, 4, 5]).Int("axis", axis);
                    yield return Register(model.ToString(), model.Build());
                }
    }

    public static IEnumerable<object[]> GemmCases()
    {
        foreach (int transA in new[] { 0, 1 })
            foreach (int transB in new[] { 0, 1 })
                foreach (long[] cShape in new long[][] { [], [1], [4], [3, 1], [1, 4], [3, 4] })
                {
                    long[] aShape = transA == 1 ? [5, 3] : [3, 5];
                    long[] bShape = transB == 1 ? [4, 5] : [5, 4];
                    var model = new SingleNodeModel("Gemm", 13, aShape, Weights("B", bShape, 1), Weights("C", cShape, 2))
                        .Int("transA", transA).Int("transB", transB).Float("alpha", 0.5f).Float("beta", -2f);
                    yield return Register(model.ToString() + $" C[{string.Join(",", cShape)}]", model.Build());
                }
    }

    [Theory]
    [MemberData(nameof(PoolingCases))]
    [MemberData(nameof(DilatedAndSamePoolingCases))]
    [MemberData(nameof(SoftmaxCases))]
    [MemberData(nameof(GemmCases))]
    [MemberData(nameof(ConvCases))]
    public void Pcn_forward_matches_onnx_runtime(string description)
    {
        OnnxRuntimeAgreement.Assert(ModelFor(description), description, output);
    }

    [Theory]
    [InlineData("MaxPool", "SAME_UPPER")]
    [InlineData("AveragePool", "SAME_LOWER")]
    [InlineData("Conv", "SAME_UPPER")]
    public void Dilated_same_padding_is_refused(string op, string autoPad)
    {
        var weights = op == "Conv" ? new[] { Weights("W", [1, 1, 3, 3], 1) } : [];
        var node = new SingleNodeModel(op, 19, [1, 1, 7, 7], weights).Ints("dilations", 2, 2).String("auto_pad", autoPad);
        if (op != "Conv") node.Ints("kernel_shape", 3, 3);
        var model = node.Build();

        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "dilated.onnx"));
        Assert.Contains("with dilations > 1 is not supported", e.Message);
    }

    /// <summary>Distinct, sign-mixed values, exactly representable in float32, so max pooling has no ties.</summary>

    private static TensorProto Weights(string name, long[] shape, int seed)
    {
        long count = HostTensor.ElementCount(shape);
        var values = Enumerable.Range(0, (int)count).Select(i => (float)Math.Sin(seed * 10 + i)).ToArray();
        return Onnx.ModelBuilder.FloatTensor(name, shape, values);
    }
}
