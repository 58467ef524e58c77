using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The errors of the fast Z-IL's sweep as they gather: per vertex, the products its children sent, summed in the order
/// they came, which is the order backprop's engine adds a tensor's incoming gradients. The first sum of a vertex is a new
/// tensor; every later term is added to it in place, as autograd's input buffer adds to a gradient it holds alone: the
/// same additions, so the same bits, without a new tensor per term (a DenseNet's feature map takes one from every later
/// layer of its block). A first term is kept as it came and never added to, since it may view another vertex's error
/// (Concat's narrows, an Add's whole error).
/// </summary>
internal sealed class ErrorSums
{
    private readonly Dictionary<Vertex, Tensor> _sums = [];
    private readonly HashSet<Vertex> _owned = [];

    public ErrorSums(Vertex output, Tensor outputError) => _sums[output] = outputError;

    /// <summary>Adds <paramref name="term"/>, which the sums then own, to <paramref name="vertex"/>'s error.</summary>
    public void Add(Vertex vertex, Tensor term)
    {
        if (!_sums.TryGetValue(vertex, out var sum)) _sums[vertex] = term;
        else if (_owned.Contains(vertex))
        {
            sum.PlusInPlace(term);
            term.Dispose();
        }
        else
        {
            _sums[vertex] = sum.Plus(term);
            _owned.Add(vertex);
            sum.Dispose();
            term.Dispose();
        }
    }

    public bool TryGetValue(Vertex vertex, out Tensor error) => _sums.TryGetValue(vertex, out error!);

    /// <summary>Takes the vertex's error out of the sums (its turn in the sweep has come); the caller owns it.</summary>
    public bool Remove(Vertex vertex, out Tensor error)
    {
        _owned.Remove(vertex);
        return _sums.Remove(vertex, out error!);
    }
}
