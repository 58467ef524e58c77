using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Sums the local update terms of every copy of a parameter (docs/algorithms.md rule 3) on its stored initializer,
/// mapping each term back through the copy's transform chain (rule 4). The sum is applied once, after
/// inference, by the optimizer.
/// </summary>
internal sealed class ParameterAccumulator(PcnModel model)
{
    private readonly Dictionary<string, Tensor> _sums = model.Parameters.ToDictionary(p => p.Key, p => zeros_like(p.Value));

    public void Add(ParameterView view, Tensor localTerm)
    {
        var stored = model.MapBack(view, localTerm);
        _sums[view.Root.Name].AddInPlace(stored);
        if (!ReferenceEquals(stored, localTerm)) stored.Dispose();
    }

    /// <param name="divisor">Divides every sum (the output energy's weight S, which scaled every term); 1 leaves the sums bitwise.</param>
    public Dictionary<string, Tensor> MoveToOuterScope(double divisor = 1)
    {
        if (divisor != 1)
            foreach (var sum in _sums.Values) sum.DivInPlace(divisor);
        return _sums.ToDictionary(p => p.Key, p => p.Value.MoveToOuterDisposeScope());
    }
}
