using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>What every local product starts from: g_v evaluated on its inputs, some of them made autograd leaves.</summary>
internal static class LocalPrediction
{
    /// <summary>An autograd leaf of its own on <paramref name="value"/>: backward through the vertex stops there.</summary>
    public static Tensor Leaf(Tensor value) => value.detach().requires_grad_(true);

    /// <summary>
    /// g_v in a dispose scope of its own: the kernel's intermediate tensors are released as soon as the prediction
    /// exists (what the backward pass needs of them, autograd keeps), so they do not pile up until the end of the step.
    /// </summary>
    public static Tensor Of(PcnModel model, Vertex vertex, List<Tensor?> inputs)
    {
        using var scope = NewDisposeScope();
        var prediction = model.Predict(vertex, inputs);
        // Tensor.Equals compares values, so the kernel returning one of its inputs is checked by reference.
        return inputs.Any(input => ReferenceEquals(input, prediction)) ? prediction : prediction.MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Of"/> without recording a graph.</summary>
    public static Tensor WithoutGraph(PcnModel model, Vertex vertex, List<Tensor?> inputs)
    {
        using var _ = no_grad();
        return Of(model, vertex, inputs);
    }
}
