using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Pcn;

/// <summary>
/// The masks of training-mode Dropout vertices: one per training step and vertex, drawn from the run's seed, the step
/// and the vertex, so the rule and its backprop witness see the same mask within a step, and a resumed run draws the
/// masks the uninterrupted run would have. Draws are made on the CPU in float64, so the device does not change them.
/// </summary>
public sealed class DropoutMasks(long seed) : IDisposable
{
    private readonly Dictionary<Vertex, Tensor> _masks = [];
    private long _step = -1;

    /// <summary>Starts step <paramref name="step"/>: the masks drawn so far belong to another step.</summary>
    public void BeginStep(long step)
    {
        if (step == _step) return;
        Clear();
        _step = step;
    }

    /// <summary>The mask of <paramref name="vertex"/> for the current step: 0 where dropped, 1 / (1 - ratio) where kept.</summary>
    public Tensor For(Vertex vertex, DropoutSpec spec, ScalarType dtype, Device device)
    {
        if (_masks.TryGetValue(vertex, out var mask)) return mask;
        using var generator = new Generator(Mix(seed, _step, vertex.Index));
        using var scope = NewDisposeScope();
        var draws = rand(vertex.Shape, generator: generator, dtype: ScalarType.Float64);
        var scaled = draws.ge(spec.Ratio).to(ScalarType.Float64).mul_(1.0 / (1.0 - spec.Ratio));
        mask = scaled.to(dtype, device).DetachFromDisposeScope();
        _masks[vertex] = mask;
        return mask;
    }

    /// <summary>A 64-bit seed for one (run seed, step, vertex): SplitMix64's finalizer over the three, so nearby steps and vertices draw
    /// unrelated masks.</summary>
    private static ulong Mix(long seed, long step, int vertex)
    {
        ulong z = (ulong)seed;
        foreach (ulong part in new[] { (ulong)step, (ulong)vertex })
        {
            z = (z ^ part) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
        }
        return z;
    }

    private void Clear()
    {
        foreach (var mask in _masks.Values) mask.Dispose();
        _masks.Clear();
    }

    public void Dispose() => Clear();
}
