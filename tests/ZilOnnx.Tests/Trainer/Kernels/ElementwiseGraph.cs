using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// One elementwise node y = op(h, ...) behind free vertices h = x * 1 (and h2 = x2 * 1, <see cref="FreeDataVertex"/>),
/// so that the local tape makes its data operands leaves, as Z-IL does inside a network.
/// </summary>
internal sealed class ElementwiseGraph
{
    public ElementwiseGraph(int opset, long[] x, long[]? x2, string op, string[] inputs, AttributeProto[] attributes, TensorProto[] initializers)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", x);
        if (x2 != null) builder.Input("x2", x2);
        foreach (var t in initializers) builder.Initializer(t);
        FreeDataVertex.Add(builder, "x", x, "h");
        if (x2 != null) FreeDataVertex.Add(builder, "x2", x2, "h2");
        builder.Op(op, inputs, "y", attributes);
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } };
        builder.Graph.Output.Add(new ValueInfoProto { Name = "y", Type = type });
        Model = builder.Build();
    }

    public ModelProto Model { get; }

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>
    /// The vertex y's prediction and its local vector-Jacobian products for <paramref name="error"/>, keyed by what
    /// each leaf is: "h", "h2", or a parameter's name.
    /// </summary>
    public static (Tensor Prediction, Dictionary<string, Tensor> Products, PcnModel Model) LocalBackward(
        ModelProto model, IReadOnlyDictionary<string, Tensor> data, Func<long[], Tensor> error)
    {
        var graph = PcGraphBuilder.Build(model, "elementwise.onnx");
        var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var values = pcn.Forward(data);
        var y = graph.Vertices.Single(v => v.Name == "y");
        var tape = LocalTape.Record(pcn, y, v => values[v]);
        var prediction = tape.Prediction.detach();
        var products = tape.Backward(error(y.Shape)).ToDictionary(p => p.Operand switch
        {
            Operand.FromVertex v => v.Source.Name,
            Operand.FromParameter p2 => p2.View.Root.Name,
            var other => throw new InvalidOperationException($"unexpected leaf {other}"),
        }, p => p.Product);
        return (prediction, products, pcn);
    }
}
