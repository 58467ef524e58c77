using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// A vertex's local vector-Jacobian products written out for the configurations of one operator that it covers. Z-IL
/// then takes the vertex's products without recording an autograd graph or calling the autograd engine: that call has
/// a fixed cost which, paid once per inference step, is most of what a small vertex such as one RNN time step costs
/// beyond backprop (bench/README.md, "Reading the results").
///
/// The rounding contract, which every closed form keeps and Z-IL's bitwise equality with backprop rests on: each
/// product is made of the very operations libtorch's autograd runs for the kernel's Forward, on the same values and in
/// the same memory layouts (autograd keeps a gradient in its operand's layout, so a matrix product's gradient is formed
/// as <see cref="MatrixProductGradients"/> forms it; a broadcast input's as <see cref="BroadcastGradient"/> sums it; an
/// activation's as <see cref="ActivationGradients"/> writes it). The same libtorch kernels on the same tensors then sum
/// in the same order, so the products equal autograd's to the last bit (RecurrentStepClosedFormTests, GemmClosedFormTests);
/// any configuration a closed form cannot match that way stays with autograd. Each product is handed on in the layout
/// those operations give it, as backprop's graph hands a gradient from node to node: it is the parent's error, which a
/// later reduction (a bias's sum over the batch and positions) adds up in the order its layout gives.
/// </summary>
public interface IClosedForm
{
    /// <summary>
    /// Whether this configuration's products are written out. It is decided from the operator and its operands alone,
    /// once per vertex: <paramref name="shapes"/>[i] is input i's shape (null where it is not given),
    /// <paramref name="wanted"/>[i] whether it takes a product.
    /// </summary>
    bool Covers(OpSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted);

    /// <summary>
    /// J_i^T <paramref name="error"/> for every wanted input i, shaped like that input, and null for the others. A product
    /// may view the error, or be <paramref name="error"/> itself where that part of the Jacobian is the identity (autograd
    /// hands the gradient on as it is): the caller writes into none of them.
    /// <paramref name="output"/> is what the kernel's Forward made of <paramref name="inputs"/>.
    /// </summary>
    Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error, IReadOnlyList<bool> wanted);

    /// <summary>
    /// Whether the kernel detaches input <paramref name="slot"/> (a BatchNormalization's stored statistics), so that it
    /// takes no product even where it is a parameter's view: autograd passes nothing to it either.
    /// </summary>
    bool Detaches(OpSpec spec, int slot) => false;
}

/// <summary>The closed form of one OpSpec type.</summary>
public abstract class ClosedForm<TSpec> : IClosedForm where TSpec : OpSpec
{
    public bool Covers(OpSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) => Covers((TSpec)spec, shapes, wanted);

    public Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error, IReadOnlyList<bool> wanted) =>
        Products((TSpec)spec, inputs, output, error, wanted);

    public virtual bool Detaches(OpSpec spec, int slot) => false;

    protected abstract bool Covers(TSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted);

    /// <summary>The products of <see cref="IClosedForm.Backward"/>.</summary>
    protected abstract Tensor?[] Products(TSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted);
}
