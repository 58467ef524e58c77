using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// A libtorch operator that TorchSharp does not expose, such as the backward operators autograd runs
/// (convolution_backward), called through a TorchScript function. TorchSharp hands TorchScript only tensors and scalars,
/// so a call's constant arguments (sizes, strides, masks) are written into the function's source, and each distinct
/// source is compiled once per process. A call costs about 8 us beyond the operator (measured on a relu's backward,
/// bench/README.md), less than an autograd call over one small tape (about 12 us) and less than a second pass over a
/// feature map, which is why the activations' backward operators are called this way too.
/// </summary>
internal static class ScriptedOperation
{
    private static readonly ConcurrentDictionary<string, jit.CompilationUnit> Compiled = new();

    /// <summary>
    /// Runs <c>def run(PARAMETERS):</c> with the given lines as its body on <paramref name="arguments"/>: the tensors of its
    /// result, in order (one, or the items of a tuple).
    /// </summary>
    public static Tensor[] Run(string parameters, IEnumerable<string> body, params Tensor[] arguments)
    {
        string source = $"def run({parameters}):\n{string.Concat(body.Select(line => $"    {line}\n"))}";
        var unit = Compiled.GetOrAdd(source, jit.compile);
        return unit.invoke("run", arguments) switch
        {
            Tensor tensor => [tensor],
            ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => (Tensor)tuple[i]!).ToArray(),
            var other => throw new InvalidOperationException($"TorchScript returned {other?.GetType().Name ?? "null"}, not tensors"),
        };
    }

    /// <summary>
    /// Runs a body that ends by assigning the result of a backward operator with an output mask to <c>r</c>: the items the
    /// mask takes, each in its slot, and null in the others (a masked-out item is an undefined tensor, which TorchSharp
    /// cannot hand back, so only the taken ones return).
    /// </summary>
    public static Tensor?[] RunMasked(string parameters, IEnumerable<string> body, bool[] mask, params Tensor[] arguments)
    {
        var taken = Enumerable.Range(0, mask.Length).Where(slot => mask[slot]).ToList();
        var results = Run(parameters, [.. body, $"return ({string.Concat(taken.Select(slot => $"r[{slot}], "))})"], arguments);
        var items = new Tensor?[mask.Length];
        for (int k = 0; k < taken.Count; k++) items[taken[k]] = results[k];
        return items;
    }

    /// <summary>A TorchScript list literal of integers.</summary>
    public static string List(IEnumerable<long> values) => $"[{string.Join(", ", values)}]";

    /// <summary>A TorchScript list literal of booleans.</summary>
    public static string List(IEnumerable<bool> values) => $"[{string.Join(", ", values.Select(v => v ? "True" : "False"))}]";
}
