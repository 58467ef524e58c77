using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Converter.Transfer;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Transfer;

/// <summary>--num-classes: the head is found, replaced with torch.nn's initialisation bounds, and ONNX Runtime serves the result as the PCN computes it.</summary>
public sealed class HeadSurgeryTests
{
    private static string LeNet => Repository.PathOf("models", "lenet5-fashion.onnx");
    private static string SqueezeHead => Fixtures.PathOf("squeeze_head.onnx");

    [Theory]
    [InlineData("lenet5", "Gemm", "fc3.weight", "fc3.bias", 84)]
    [InlineData("squeeze_head", "Conv", "classifier.weight", "classifier.bias", 8)]
    public void Replaces_the_head_with_torch_bounds_and_a_seeded_draw(string model, string op, string weight, string bias, long fanIn)
    {
        string path = model == "lenet5" ? LeNet : SqueezeHead;
        var original = OnnxModelFile.Load(path);
        var (replaced, head) = HeadSurgery.Replace(original, path, classes: 3, seed: 7);
        Assert.Equal(op, head.Nodes.Single().OpType);
        Assert.Equal((weight, bias), (head.Weight, head.Bias));

        var w = Initializer(replaced, weight, path);
        var b = Initializer(replaced, bias, path);
        Assert.Equal(3, w.Shape[0]);
        Assert.Equal([3L], b.Shape);
        double bound = 1 / Math.Sqrt(fanIn);
        // Uniform in (-bound, bound): none outside, and the draw spreads over most of it (90% of the bound, for hundreds of draws).
        Assert.All(w.Values.Concat(b.Values), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(w.Values.Max(Math.Abs) > 0.9 * bound, $"the largest weight is {w.Values.Max(Math.Abs)} of bound {bound}");
        Assert.Equal(3, replaced.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);
        // Everything but the head is untouched, byte for byte.
        foreach (var t in original.Graph.Initializer.Where(t => t.Name != weight && t.Name != bias))
            Assert.Equal(t, replaced.Graph.Initializer.Single(r => r.Name == t.Name));
        Assert.Equal(original.Graph.Node, replaced.Graph.Node);

        var again = HeadSurgery.Replace(original, path, 3, seed: 7).Model;
        var other = HeadSurgery.Replace(original, path, 3, seed: 8).Model;
        Assert.Equal(w.Values, Initializer(again, weight, path).Values);
        Assert.NotEqual(w.Values, Initializer(other, weight, path).Values);
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("squeeze_head")]
    public void Onnx_runtime_runs_the_new_head_as_the_pcn_does(string model)
    {
        string path = model == "lenet5" ? LeNet : SqueezeHead;
        var (replaced, _) = HeadSurgery.Replace(OnnxModelFile.Load(path), path, classes: 5, seed: 1);
        long side = model == "lenet5" ? 28 : 12;
        var random = new Random(3);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [4, 1, side, side], Enumerable.Range(0, (int)(4 * side * side)).Select(_ => random.NextDouble()).ToArray());
        var graph = PcGraphBuilder.Build(replaced, path, new PcGraphOptions { InputShapes = new Dictionary<string, long[]> { ["x"] = x.Shape } });
        using var pcn = new PcnModel(graph, Precision.Float32, CPU);
        var values = pcn.Forward(new Dictionary<string, Tensor> { ["x"] = pcn.ToTensor(x) });
        using var output = values[((Operand.FromVertex)graph.GraphOutputs["y"]).Source].to(ScalarType.Float64).contiguous();
        Assert.Equal([4L, 5], output.shape);

        using var session = OnnxRuntimeSession.Open(replaced.ToByteArray(), ExecutionProviderChoice.Cpu);
        var ort = session.Run(new Dictionary<string, HostTensor> { ["x"] = x })["y"];
        Assert.Equal([4L, 5], ort.Shape);
        // Two float32 engines with their own summation orders: outputs of order 1 agree to ~1e-6.
        double worst = SequenceDifference.MaxAbs(output.data<double>().ToArray(), ort.Values);
        Assert.True(worst <= 1e-5, $"{model}: ONNX Runtime and the PCN differ by {worst:E3}");
    }

    [Fact]
    public void A_tf2onnx_matmul_add_head_is_replaced_and_onnx_runtime_runs_it_as_the_pcn_does()
    {
        // Keras's Dense exports as MatMul by a [in, out] kernel plus the Add of its bias, before a final Softmax.
        string path = Fixtures.PathOf("tf2onnx_style_cnn.onnx");
        var original = OnnxModelFile.Load(path);
        var (replaced, head) = HeadSurgery.Replace(original, path, classes: 4, seed: 2);
        Assert.Equal(["MatMul", "Add"], head.Nodes.Select(n => n.OpType));
        Assert.Equal(("dense/kernel:0", "dense/bias:0"), (head.Weight, head.Bias));
        var w = Initializer(replaced, "dense/kernel:0", path);
        Assert.Equal([676L, 4], w.Shape);
        Assert.Equal([4L], Initializer(replaced, "dense/bias:0", path).Shape);
        double bound = 1 / Math.Sqrt(676);
        Assert.All(w.Values, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.Equal(original.Graph.Node, replaced.Graph.Node);

        var random = new Random(5);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [3, 28, 28, 1], Enumerable.Range(0, 3 * 28 * 28).Select(_ => random.NextDouble()).ToArray());
        string input = original.Graph.Input[0].Name, output = original.Graph.Output[0].Name;
        var graph = PcGraphBuilder.Build(replaced, path, new PcGraphOptions { InputShapes = new Dictionary<string, long[]> { [input] = x.Shape } });
        using var pcn = new PcnModel(graph, Precision.Float32, CPU);
        var values = pcn.Forward(new Dictionary<string, Tensor> { [input] = pcn.ToTensor(x) });
        using var probabilities = values[((Operand.FromVertex)graph.GraphOutputs[output]).Source].to(ScalarType.Float64).contiguous();
        Assert.Equal([3L, 4], probabilities.shape);

        using var session = OnnxRuntimeSession.Open(replaced.ToByteArray(), ExecutionProviderChoice.Cpu);
        var ort = session.Run(new Dictionary<string, HostTensor> { [input] = x })[output];
        Assert.Equal([3L, 4], ort.Shape);
        // Softmax rows of 4 sum to 1 in both; two float32 engines agree to ~1e-7 on probabilities.
        for (int row = 0; row < 3; row++) Assert.Equal(1.0, ort.Values.Skip(row * 4).Take(4).Sum(), 5);
        double worst = SequenceDifference.MaxAbs(probabilities.data<double>().ToArray(), ort.Values);
        Assert.True(worst <= 1e-5, $"ONNX Runtime and the PCN differ by {worst:E3}");
    }

    [Fact]
    public void A_model_without_a_head_names_what_was_looked_for()
    {
        // A Sigmoid over the scores is none of the operators the search passes through, so no head is reached.
        string path = Fixtures.PathOf("rnn_tanh.onnx");
        var model = OnnxModelFile.Load(path);
        model.Graph.Node.Add(new NodeProto { OpType = "Sigmoid", Name = "squash", Input = { model.Graph.Output[0].Name }, Output = { "squashed" } });
        model.Graph.Output[0].Name = "squashed";
        var e = Assert.Throws<ModelConversionException>(() => HeadSurgery.Replace(model, path, 3, 0));
        Assert.Contains("no classification head found", e.Message);
        Assert.Contains("Gemm", e.Message);
        Assert.Contains("Sigmoid node 'squash'", e.Message);
    }

    private static HostTensor Initializer(ModelProto model, string name, string path) =>
        TensorCodec.Decode(model.Graph.Initializer.Single(t => t.Name == name), path);
}
