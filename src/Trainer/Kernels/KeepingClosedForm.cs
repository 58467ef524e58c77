using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// A closed form whose products are made of values the kernel computes on the way to its output and does not return
/// (a gated recurrent step's gates). Its own forward pass runs the kernel's operations and keeps those values for the
/// products, where <see cref="IClosedForm.Backward"/> alone would compute them again from the inputs: a second forward
/// pass of the step.
/// </summary>
public interface IKeepingClosedForm : IClosedForm
{
    /// <summary>The vertex's value on <paramref name="inputs"/>, bit for bit the kernel's, and the values the products read.</summary>
    (Tensor Output, Tensor[] Kept) Forward(OpSpec spec, IReadOnlyList<Tensor?> inputs);

    /// <summary><see cref="IClosedForm.Backward"/> from the values <see cref="Forward"/> kept (the output among them where the
    /// products need it).</summary>
    Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted, Tensor[] kept);
}

/// <summary>The keeping closed form of one OpSpec type; without kept values it runs its forward pass again.</summary>
public abstract class KeepingClosedForm<TSpec> : ClosedForm<TSpec>, IKeepingClosedForm where TSpec : OpSpec
{
    public (Tensor Output, Tensor[] Kept) Forward(OpSpec spec, IReadOnlyList<Tensor?> inputs) => Forward((TSpec)spec, inputs);

    public Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted, Tensor[] kept) =>
        Products((TSpec)spec, inputs, error, wanted, kept);

    protected abstract (Tensor Output, Tensor[] Kept) Forward(TSpec spec, IReadOnlyList<Tensor?> inputs);

    /// <summary>The products of <see cref="IKeepingClosedForm.Backward"/>.</summary>
    protected abstract Tensor?[] Products(TSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted,
        Tensor[] kept);

    protected sealed override Tensor?[] Products(TSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted) => Products(spec, inputs, error, wanted, Forward(spec, inputs).Kept);
}
