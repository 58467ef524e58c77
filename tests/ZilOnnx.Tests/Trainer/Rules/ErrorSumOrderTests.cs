using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// A value read by two branches whose products reach it in one order in Z-IL's sweep (the shorter branch first, by level)
/// and in the other in backprop's engine (the branch created last runs to its end first), with different memory layouts
/// (one branch sequence-first, through a softmax between two Transposes, as in an attention block). The sum of the two terms is the
/// same number either way, but it takes the layout of the first term, and a reduction downstream (the bias's sum over
/// batch and positions) adds in the order that layout gives. Z-IL adds a value's terms in the engine's order, so its
/// update equals backprop's to the last bit.
/// </summary>
public sealed class ErrorSumOrderTests
{
    private const int Batch = 8, Positions = 6, Width = 16;

    /// <summary>
    /// u = x W + b; y = relu(u) + sigmoid(transpose(softmax(transpose(u)))), the transposes swapping batch and positions.
    /// The softmax's backward gives its product contiguous in the transposed shape, so the long branch's term reaches u
    /// sequence-first, the short branch's contiguous.
    /// </summary>
    private static ModelProto TwoBranches()
    {
        var builder = new ModelBuilder()
            .Input("x", Batch, Positions, Width).Output("y", Batch, Positions, Width)
            .Initializer("W", [Width, Width], PcGraphBuilderTests.Values(Width * Width, 3))
            .Initializer("b", [Width], PcGraphBuilderTests.Values(Width, 6))
            .Node("MatMul", ["x", "W"], ["h"])
            .Node("Add", ["h", "b"], ["u"])
            .Node("Relu", ["u"], ["short_branch"]);
        builder.Graph.Node.Add(Transposed("u", "u_t"));
        builder.Node("Softmax", ["u_t"], ["softmax_t"]);
        builder.Graph.Node.Add(Transposed("softmax_t", "softmax_back"));
        return builder.Node("Sigmoid", ["softmax_back"], ["long_branch"]).Node("Add", ["short_branch", "long_branch"], ["y"]).Build();
    }

    private static NodeProto Transposed(string input, string output)
    {
        var node = ModelBuilder.NewNode("Transpose", [input], [output]);
        node.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0, 2 } });
        return node;
    }

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_adds_a_values_terms_in_backprops_order_and_layout(Precision precision)
    {
        var graph = PcGraphBuilder.Build(TwoBranches(), "two_branches.onnx");
        RuleHarness.AssertZilEqualsBackpropBitwise(graph, precision, Positions, Width);
    }
}
