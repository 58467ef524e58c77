using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.Converter.Ops;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// A vertex computed from a data input that is free: input * gain, with a trainable gain of ones. A vertex computed
/// from the data alone is clamped like the input and takes no error, so a test that needs the operator under test to
/// read a free parent (as it does inside a network, where the local tape makes that parent a leaf) puts a parameter
/// upstream of it. The product is the input, bitwise.
/// </summary>
internal static class FreeDataVertex
{
    private const string GainPrefix = "free_gain_";

    public static ModelBuilder Add(ModelBuilder builder, string input, long[] shape, string output)
    {
        long count = shape.Aggregate(1L, (p, d) => p * d);
        string gain = GainPrefix + input;
        // Same shape as the input: the Mul needs no broadcasting, which opsets before 7 spell differently.
        return builder.Initializer(gain, shape, Enumerable.Repeat(1f, (int)count).ToArray()).Op("Mul", [input, gain], output);
    }

    /// <summary>Whether a parameter is one of the gains this helper adds (not part of the operator under test).</summary>
    public static bool IsGain(string parameterName) => parameterName.StartsWith(GainPrefix, StringComparison.Ordinal);
}
