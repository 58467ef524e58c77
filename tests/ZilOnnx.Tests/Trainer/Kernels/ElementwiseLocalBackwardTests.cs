using System.Collections.Concurrent;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Trainer.Kernels.ElementwiseGraph;
using Attr = ZilOnnx.Converter.Onnx.Proto.AttributeProto;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The local vector-Jacobian products of every elementwise vertex (what Z-IL feeds back to the vertex's parents
/// and the Hebbian update of the parameters it reads) equal torch autograd of the same function written here with
/// plain torch operations, in float64: with respect to data operands and parameters, with broadcasting and the
/// opset-6 broadcast forms. Inputs are random, so no point sits where a derivative is undefined; the conventions
/// there are pinned down by <see cref="ElementwiseSubgradientTests"/>.
/// </summary>
public sealed class ElementwiseLocalBackwardTests
{
    private sealed record Case(ElementwiseGraph Graph, Func<IReadOnlyDictionary<string, Tensor>, Tensor> Reference, Func<Tensor, Tensor>? Domain = null);

    private static readonly ConcurrentDictionary<string, Case> Cases = new();
    private static readonly long[] X = [2, 3, 4];

    private static object[] Register(string description, Case c)
    {
        Cases[description] = c;
        return [description];
    }

    private static Tensor Positive(Tensor t) => t.abs() + 0.5;

    private static object[] Unary(string description, int opset, string op, Func<Tensor, Tensor> reference, Func<Tensor, Tensor>? domain = null, params Attr[] attributes) =>
        Register(description, new Case(new ElementwiseGraph(opset, X, null, op, ["h"], attributes, []), t => reference(t["h"]), domain));

    private static TensorProto Weight(string name, long[] dims, int seed, bool positive = false) =>
        ModelBuilder.FloatTensor(name, dims, Converter.Graph.PcGraphBuilderTests.Values((int)dims.Aggregate(1L, (p, d) => p * d), seed)
            .Select(v => positive ? Math.Abs(v) + 0.5f : v).ToArray());

    private static object[] WithOperands(string description, int opset, string op, string[] inputs, long[]? x2, Func<IReadOnlyDictionary<string, Tensor>, Tensor> reference,
        Attr[]? attributes = null, params TensorProto[] initializers) =>
        Register(description, new Case(new ElementwiseGraph(opset, X, x2, op, inputs, attributes ?? [], initializers), reference));

    public static IEnumerable<object[]> UnaryCases()
    {
        const float seluAlpha = 1.67326319217681884765625f, seluGamma = 1.05070102214813232421875f;
        yield return Unary("LeakyRelu-16 alpha=0.1", 16, "LeakyRelu", h => where(h > 0, h, 0.1f * h), null, Float("alpha", 0.1f));
        yield return Unary("LeakyRelu-6 default alpha", 6, "LeakyRelu", h => where(h > 0, h, 0.01f * h));
        yield return Unary("Elu-6 alpha=0.7", 6, "Elu", h => where(h > 0, h, 0.7f * (h.exp() - 1)), null, Float("alpha", 0.7f));
        yield return Unary("Elu-22 default alpha", 22, "Elu", h => where(h > 0, h, h.exp() - 1));
        yield return Unary("Selu-22 alpha=1.5 gamma=1.2", 22, "Selu", h => 1.2f * where(h > 0, h, 1.5f * (h.exp() - 1)), null,
            Float("alpha", 1.5f), Float("gamma", 1.2f));
        yield return Unary("Selu-6 defaults", 6, "Selu", h => (double)seluGamma * where(h > 0, h, (double)seluAlpha * (h.exp() - 1)));
        yield return Unary("Celu-12 alpha=0.8", 12, "Celu", h => where(h > 0, h, 0.8f * ((h / 0.8f).exp() - 1)), null, Float("alpha", 0.8f));
        yield return Unary("Softplus-6", 6, "Softplus", h => (h.exp() + 1).log());
        yield return Unary("Softsign-22", 22, "Softsign", h => h / (h.abs() + 1));
        yield return Unary("HardSigmoid-6 alpha=0.3 beta=0.4", 6, "HardSigmoid", h => (0.3f * h + 0.4f).clamp(0, 1), t => 4 * t,
            Float("alpha", 0.3f), Float("beta", 0.4f));
        yield return Unary("HardSigmoid-22 defaults", 22, "HardSigmoid", h => (0.2f * h + 0.5f).clamp(0, 1), t => 4 * t);
        yield return Unary("HardSwish-14", 14, "HardSwish", h => h * (h / 6 + 0.5).clamp(0, 1), t => 4 * t);
        yield return Unary("Gelu-20 exact", 20, "Gelu", h => 0.5 * h * (1 + (h / Math.Sqrt(2)).erf()));
        yield return Unary("Gelu-20 tanh", 20, "Gelu", h => 0.5 * h * (1 + (Math.Sqrt(2 / Math.PI) * (h + 0.044715 * h * h * h)).tanh()), null,
            Converter.Ops.GlueGraph.String("approximate", "tanh"));
        yield return Unary("Erf-13", 13, "Erf", h => h.erf());
        yield return Unary("Neg-6", 6, "Neg", h => 0 - h);
        yield return Unary("Exp-13", 13, "Exp", h => h.exp());
        yield return Unary("Log-6", 6, "Log", h => h.log(), Positive);
        yield return Unary("Sqrt-13", 13, "Sqrt", h => h.pow(0.5), Positive);
        yield return Unary("Abs-13", 13, "Abs", h => where(h > 0, h, 0 - h));
        yield return Unary("Reciprocal-6", 6, "Reciprocal", h => 1 / h, Positive);
        yield return Unary("Clip-6 min=-0.5 max=0.7", 6, "Clip", h => minimum(maximum(h, tensor(-0.5)), tensor((double)0.7f)), null,
            Float("min", -0.5f), Float("max", 0.7f));
        yield return Unary("Clip-6 max only", 6, "Clip", h => minimum(h, tensor((double)0.3f)), null, Float("max", 0.3f));
    }

    public static IEnumerable<object[]> OperandCases()
    {
        var scalarMin = ModelBuilder.FloatTensor("lo", [], -0.25f);
        var scalarMax = ModelBuilder.FloatTensor("hi", [], 0.5f);
        yield return WithOperands("Clip-13 min and max inputs", 13, "Clip", ["h", "lo", "hi"], null,
            t => minimum(maximum(t["h"], tensor(-0.25)), tensor(0.5)), null, scalarMin, scalarMax);
        yield return WithOperands("Clip-11 max input only", 11, "Clip", ["h", "", "hi"], null, t => minimum(t["h"], tensor(0.5)), null, scalarMax);
        // Pow: the exponent is a constant, so only the base is a leaf.
        yield return Register("Pow-15 exponent [4] broadcast", new Case(new ElementwiseGraph(15, X, null, "Pow", ["h", "e"], [],
            [ModelBuilder.FloatTensor("e", [4], 2, 3, 0.5f, -1)]), t => (t["h"].log() * tensor(new double[] { 2, 3, 0.5, -1 })).exp(), Positive));
        yield return Register("Pow-7 scalar exponent 3", new Case(new ElementwiseGraph(7, X, null, "Pow", ["h", "e"], [],
            [ModelBuilder.FloatTensor("e", [], 3)]), t => t["h"] * t["h"] * t["h"]));
        // Sub, Mul, Div: data with data, data with parameters, NumPy and opset-6 broadcasting.
        yield return WithOperands("Mul-14 data [2,3,4] * data [3,1]", 14, "Mul", ["h", "h2"], [3, 1], t => t["h"] * t["h2"]);
        yield return WithOperands("Mul-14 data * weight [4]", 14, "Mul", ["h", "w"], null, t => t["h"] * t["w"], null, Weight("w", [4], 11));
        yield return WithOperands("Mul-13 weight [1,3,1] * data", 13, "Mul", ["w", "h"], null, t => t["w"] * t["h"], null, Weight("w", [1, 3, 1], 12));
        yield return WithOperands("Sub-14 weight [3,1] - data", 14, "Sub", ["w", "h"], null, t => t["w"] - t["h"], null, Weight("w", [3, 1], 13));
        yield return WithOperands("Sub-7 data - data [4]", 7, "Sub", ["h", "h2"], [4], t => t["h"] - t["h2"]);
        yield return WithOperands("Div-14 data / weight [2,1,4]", 14, "Div", ["h", "w"], null, t => t["h"] / t["w"], null, Weight("w", [2, 1, 4], 14, positive: true));
        yield return WithOperands("Mul-6 legacy broadcast axis=1, weight [3]", 6, "Mul", ["h", "w"], null, t => t["h"] * t["w"].reshape(3, 1),
            [Converter.Ops.GlueGraph.Int("broadcast", 1), Converter.Ops.GlueGraph.Int("axis", 1)], Weight("w", [3], 15));
        yield return WithOperands("Div-6 legacy broadcast trailing, weight [4]", 6, "Div", ["h", "w"], null, t => t["h"] / t["w"],
            [Converter.Ops.GlueGraph.Int("broadcast", 1)], Weight("w", [4], 16, positive: true));
        yield return WithOperands("Sub-6 same shapes, data", 6, "Sub", ["h", "h2"], [2, 3, 4], t => t["h"] - t["h2"]);
        // PRelu: the slope is a trainable parameter broadcast to X.
        yield return WithOperands("PRelu-16 slope [3,1]", 16, "PRelu", ["h", "s"], null, t => where(t["h"] > 0, t["h"], t["s"] * t["h"]), null, Weight("s", [3, 1], 17));
        yield return WithOperands("PRelu-9 slope [4] trailing", 9, "PRelu", ["h", "s"], null, t => where(t["h"] > 0, t["h"], t["s"] * t["h"]), null, Weight("s", [4], 18));
        yield return WithOperands("PRelu-6 channel slope [3]", 6, "PRelu", ["h", "s"], null, t => where(t["h"] > 0, t["h"], t["s"].reshape(3, 1) * t["h"]), null, Weight("s", [3], 19));
        yield return WithOperands("PRelu-6 one slope [1]", 6, "PRelu", ["h", "s"], null, t => where(t["h"] > 0, t["h"], t["s"] * t["h"]), null, Weight("s", [1], 20));
        // Variadic operators over data, data and a parameter, all broadcasting.
        var w = Weight("w", [4], 21);
        yield return WithOperands("Sum-13 three inputs", 13, "Sum", ["h", "h2", "w"], [3, 1], t => t["h"] + t["h2"] + t["w"], null, w);
        yield return WithOperands("Mean-8 three inputs", 8, "Mean", ["h", "h2", "w"], [3, 1], t => (t["h"] + t["h2"] + t["w"]) / 3, null, w);
        yield return WithOperands("Max-13 three inputs", 13, "Max", ["h", "h2", "w"], [3, 1], t => maximum(maximum(t["h"], t["h2"]), t["w"]), null, w);
        yield return WithOperands("Min-12 three inputs", 12, "Min", ["h", "h2", "w"], [3, 1], t => minimum(minimum(t["h"], t["h2"]), t["w"]), null, w);
        yield return WithOperands("Max-6 same shapes", 6, "Max", ["h", "h2"], [2, 3, 4], t => maximum(t["h"], t["h2"]));
        yield return WithOperands("Sum-6 same shapes", 6, "Sum", ["h", "h2"], [2, 3, 4], t => t["h"] + t["h2"]);
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    [MemberData(nameof(OperandCases))]
    public void Local_vector_Jacobian_products_equal_autograd_of_the_plain_function(string description)
    {
        if (!Cases.ContainsKey(description)) foreach (var unused in UnaryCases().Concat(OperandCases())) { }
        var c = Cases[description];
        using var scope = NewDisposeScope();
        random.manual_seed(description.Length * 7919L + description[0]);
        var model = c.Graph.Model;
        var data = new Dictionary<string, Tensor>();
        foreach (var input in model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)))
        {
            long[] shape = input.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
            var value = randn(shape, ScalarType.Float64);
            data[input.Name] = input.Name == "x" && c.Domain != null ? c.Domain(value) : value;
        }
        Tensor? error = null;
        var (prediction, products, pcn) = LocalBackward(model, data, shape => error = randn(shape, ScalarType.Float64));
        using var _ = pcn;

        // The reference: the same function in plain torch operations, differentiated by autograd as a whole.
        var leaves = new Dictionary<string, Tensor> { ["h"] = data["x"].clone().requires_grad_(true) };
        if (data.ContainsKey("x2")) leaves["h2"] = data["x2"].clone().requires_grad_(true);
        foreach (var p in pcn.Parameters.Where(p => !FreeDataVertex.IsGain(p.Key))) leaves[p.Key] = p.Value.detach().clone().requires_grad_(true);
        var reference = c.Reference(leaves);
        Assert.Equal(reference.shape, prediction.shape);
        Assert.True(allclose(prediction, reference.detach(), rtol: 1e-12, atol: 1e-12), $"{description}: forward differs");
        var names = leaves.Keys.ToList();
        var expected = autograd.grad([reference], names.Select(n => leaves[n]).ToList(), [error!], allow_unused: true);

        Assert.Equal(names.Order(), products.Keys.Order());
        for (int i = 0; i < names.Count; i++)
        {
            var product = products[names[i]];
            var want = expected[i] ?? zeros_like(leaves[names[i]]);
            Assert.Equal(want.shape, product.shape);
            double scale = Math.Max(1, want.abs().max().ToDouble());
            double diff = (product - want).abs().max().ToDouble();
            Assert.True(diff <= 1e-12 * scale, $"{description}: d/d{names[i]} differs by {diff:E3}");
            Assert.True(want.abs().max().ToDouble() > 0, $"{description}: d/d{names[i]} is zero, which proves nothing");
        }
    }
}
