using Google.Protobuf;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.Converter.Onnx;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>Recurrent nodes the converter must refuse with a message that names the problem, never convert to a wrong PCN.</summary>
public sealed class RecurrentConversionErrorTests
{
    private static readonly RecurrentCase Lstm = new() { Cell = RecurrentCell.Lstm, Opset = 14, Direction = "bidirectional", SequenceLengths = [1, 3] };

    private static ModelProto Model(RecurrentCase c, Action<NodeProto>? change = null)
    {
        var (model, _) = RecurrentNodeModel.Build(c, new RecurrentCaseTensors(c), c.Layout);
        change?.Invoke(model.Graph.Node[0]);
        return model;
    }

    private static void AssertRefused(ModelProto model, string expected)
    {
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "recurrent.onnx"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("LSTM", e.Message);
    }

    private static void SetStrings(NodeProto node, string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        node.Attribute.Add(a);
    }

    [Fact]
    public void Unknown_activation_is_refused() =>
        AssertRefused(Model(Lstm, n => SetStrings(n, "activations", "Sigmoid", "Swish", "Tanh", "Sigmoid", "Tanh", "Tanh")),
            "activation 'Swish' is not supported");

    [Fact]
    public void Activations_for_one_direction_on_a_bidirectional_node_are_refused() =>
        AssertRefused(Model(Lstm, n => SetStrings(n, "activations", "Sigmoid", "Tanh", "Tanh")),
            "'activations' has 3 entries; LSTM with 2 direction(s) needs 6");

    [Fact]
    public void Hidden_size_that_disagrees_with_R_is_refused() =>
        AssertRefused(Model(Lstm, n => n.Attribute.Single(a => a.Name == "hidden_size").I = 3), "hidden_size 3 does not match R");

    [Fact]
    public void Layout_2_is_refused() =>
        AssertRefused(Model(Lstm with { Layout = 1 }, n => n.Attribute.Single(a => a.Name == "layout").I = 2), "layout 2 is not 0 or 1");

    [Fact]
    public void Sequence_lengths_fed_as_data_are_refused()
    {
        var model = Model(Lstm);
        var lengths = model.Graph.Initializer.Single(t => t.Name == "sequence_lens");
        model.Graph.Initializer.Remove(lengths);
        var input = ModelBuilder.FloatValueInfo("sequence_lens", 2);
        input.Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Int32;
        model.Graph.Input.Add(input);
        AssertRefused(model, "sequence_lens must be a constant");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void Sequence_length_outside_the_input_is_refused(int length) =>
        AssertRefused(Model(Lstm with { SequenceLengths = [1, length] }), $"sequence_lens holds {length}, outside [0, 3]");

    [Theory]
    [InlineData("Affine", "activation_alpha")]
    [InlineData("ThresholdedRelu", "activation_alpha")]
    [InlineData("ScaledTanh", "activation_alpha")]
    public void Activation_parameter_whose_default_onnx_runtime_does_not_apply_is_refused(string activation, string missing) =>
        AssertRefused(Model(Lstm with { Activations = ["Sigmoid", "Tanh", activation, "Sigmoid", "Tanh", "Tanh"] }), $"activation '{activation}' needs an explicit {missing}");

    [Fact]
    public void ScaledTanh_without_its_beta_is_refused() =>
        AssertRefused(Model(Lstm with { Activations = ["Sigmoid", "ScaledTanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], Alphas = [2f] }),
            "activation 'ScaledTanh' needs an explicit activation_beta");
}
