using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The products of Add, Sub, Mul and Div with NumPy broadcasting (<see cref="AddKernel"/>, <see cref="ArithmeticKernel"/>),
/// each written as autograd's backward node writes it (derivatives.yaml): G and G for Add; G and -G for Sub; G B and G A
/// for Mul; G / B and -G ((A / B) / B) for Div. A term then goes through what libtorch's engine and AccumulateGrad do
/// with it: summed to its input's shape as sum_to sums it (<see cref="BroadcastGradient"/>), and handed on in the layout
/// those operations give it, as backprop's graph hands it on. A bias Add, an attention's scaling and
/// a squeeze-and-excitation gate then take no autograd call. The opset-6 broadcast stays on a tape.
/// </summary>
public static class ArithmeticClosedForm
{
    public static readonly IClosedForm Add = new OfAdd();
    public static readonly IClosedForm SubMulDiv = new OfArithmetic();

    private sealed class OfAdd : ClosedForm<AddSpec>
    {
        protected override bool Covers(AddSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
            spec.Legacy is null && AllShapesKnown(shapes);

        protected override Tensor?[] Products(AddSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
            IReadOnlyList<bool> wanted) => Of(Arithmetic.Add, inputs, error, wanted);
    }

    private sealed class OfArithmetic : ClosedForm<ArithmeticSpec>
    {
        protected override bool Covers(ArithmeticSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
            spec.Legacy is null && AllShapesKnown(shapes);

        protected override Tensor?[] Products(ArithmeticSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
            IReadOnlyList<bool> wanted) => Of(spec.Op, inputs, error, wanted);
    }

    private static bool AllShapesKnown(IReadOnlyList<long[]?> shapes) => shapes.Count == 2 && shapes.All(s => s is not null);

    private static Tensor?[] Of(Arithmetic op, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted)
    {
        Tensor a = inputs[0]!, b = inputs[1]!;
        var products = new Tensor?[2];
        if (wanted[0])
        {
            var term = op switch
            {
                Arithmetic.Mul => error * b,
                Arithmetic.Div => error / b,
                _ => error,
            };
            products[0] = ToInput(term, a);
        }
        if (wanted[1])
        {
            var term = op switch
            {
                Arithmetic.Sub => error.neg(),
                Arithmetic.Mul => error * a,
                Arithmetic.Div => -error * (a / b / b),
                _ => error,
            };
            products[1] = ToInput(term, b);
        }
        return products;
    }

    /// <summary>A term of the error summed to its input's shape, as the engine sums a broadcast input's gradient.</summary>
    private static Tensor ToInput(Tensor term, Tensor input) => BroadcastGradient.SumTo(term, input.Sizes());
}
