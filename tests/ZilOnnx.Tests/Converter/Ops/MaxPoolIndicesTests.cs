using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>MaxPool's Indices output, in both storage orders, with padding, strides and dilations, against ONNX Runtime.</summary>
public sealed class MaxPoolIndicesTests
{
    [Theory]
    [InlineData(0, new long[] { 0, 0, 0, 0 }, new long[] { 2, 2 }, new long[] { 1, 1 })]
    [InlineData(1, new long[] { 0, 0, 0, 0 }, new long[] { 2, 2 }, new long[] { 1, 1 })]
    [InlineData(0, new long[] { 1, 0, 1, 1 }, new long[] { 1, 2 }, new long[] { 1, 1 })]
    [InlineData(1, new long[] { 1, 1, 1, 1 }, new long[] { 2, 1 }, new long[] { 2, 1 })]
    public void Indices_equal_onnx_runtimes(long storageOrder, long[] pads, long[] strides, long[] dilations)
    {
        var model = new ModelBuilder(opset: 12).Input("x", 2, 3, 6, 5).Output("y").Output("indices")
            .Node("MaxPool", ["x"], ["y", "indices"], "pool").Build();
        var node = model.Graph.Node[0];
        node.Attribute.Add(Ints("kernel_shape", 3, 2));
        node.Attribute.Add(Ints("pads", pads));
        node.Attribute.Add(Ints("strides", strides));
        node.Attribute.Add(Ints("dilations", dilations));
        node.Attribute.Add(new AttributeProto { Name = "storage_order", Type = AttributeProto.Types.AttributeType.Int, I = storageOrder });
        model.Graph.Output[1].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Int64;
        var x = OnnxRuntimeAgreement.Input([2, 3, 6, 5]);

        using var session = OnnxRuntimeSession.Open(model.ToByteArray(), ExecutionProviderChoice.Cpu);
        var expected = session.Run(new Dictionary<string, HostTensor> { ["x"] = x })["indices"];

        var graph = PcGraphBuilder.Build(model, "maxpool_indices.onnx");
        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var indices = ((Operand.FromVertex)graph.GraphOutputs["indices"]).Source;
        var actual = pcn.Forward(new Dictionary<string, Tensor> { ["x"] = pcn.ToTensor(x) })[indices];
        Assert.Equal(ScalarType.Int64, actual.dtype);
        Assert.Equal(expected.Shape, actual.shape);
        Assert.Equal(expected.Values.Select(v => (long)v), actual.data<long>().ToArray());
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
