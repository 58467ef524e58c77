using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// A resumed run's parameters against those of the same run uninterrupted. Not bit for bit: the resuming process
/// reads the parameters and the optimizer's buffers back from the checkpoint into tensors of its own, in another
/// process, and libtorch's CPU kernels do not promise the same rounding there (MKL, for one, may sum in another order
/// for data at another alignment); two identical float64 runs have been seen to differ by ~3e-17. A resume that loses
/// anything (a step of the schedule or of Adam's bias correction, a momentum buffer) moves the parameters by
/// lr * gradient, 1e-6 or more.
/// </summary>
public static class ResumedParameters
{
    /// <summary>How far the two runs' float64 parameters may be apart: 1e5 times the rounding seen, 1e-6 times a lost step.</summary>
    public const double Tolerance = 1e-12;

    /// <summary>
    /// Asserts that every exported initializer of <paramref name="resumed"/> is within <see cref="Tolerance"/> plus one
    /// unit in the last place of its element type of <paramref name="uninterrupted"/>'s. The export rounds each float64
    /// parameter to the model's float32: two values within the tolerance can round to neighbouring float32 numbers (half
    /// a unit each way) when a rounding boundary lies between them.
    /// </summary>
    public static void AssertExportsAgree(IEnumerable<TensorProto> uninterrupted, IEnumerable<TensorProto> resumed, string what)
    {
        var theirs = resumed.ToDictionary(t => t.Name);
        foreach (var tensor in uninterrupted)
        {
            var expected = TensorCodec.Decode(tensor, "uninterrupted");
            var actual = TensorCodec.Decode(theirs[tensor.Name], "resumed");
            Assert.Equal(expected.Shape, actual.Shape);
            for (int i = 0; i < expected.Values.Length; i++)
            {
                double e = expected.Values[i], a = actual.Values[i];
                double allowed = Tolerance + UnitInTheLastPlace(Math.Max(Math.Abs(e), Math.Abs(a)), expected.ElementType);
                Assert.True(Math.Abs(e - a) <= allowed, $"{what}: parameter {tensor.Name}[{i}] is {a:R}, uninterrupted {e:R} (allowed {allowed:E2})");
            }
        }
    }

    private static double UnitInTheLastPlace(double magnitude, TensorProto.Types.DataType type) =>
        type == TensorProto.Types.DataType.Float
            ? MathF.BitIncrement((float)magnitude) - (float)magnitude
            : Math.BitIncrement(magnitude) - magnitude;
}
