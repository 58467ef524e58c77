using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

public enum Precision { Float32, Float64 }

public static class PrecisionExtensions
{
    public static ScalarType ToScalarType(this Precision precision) => precision == Precision.Float64 ? ScalarType.Float64
        : ScalarType.Float32;

    /// <summary>
    /// The relative divergence from BP that still counts as rounding: one Z-IL update differs from BP by about
    /// 1e-16 relative in float64 and 1e-8 in float32 on small nets (docs/algorithms.md, traps); the defaults leave
    /// several orders of magnitude for deeper graphs and long accumulations.
    /// </summary>
    public static double DefaultTolerance(this Precision precision) => precision == Precision.Float64 ? 1e-10 : 1e-4;

    public static Precision Parse(string text) => text.ToLowerInvariant() switch
    {
        "float32" or "f32" or "fp32" => Precision.Float32,
        "float64" or "f64" or "fp64" or "double" => Precision.Float64,
        _ => throw new ArgumentException($"precision '{text}' is not one of float32, float64"),
    };
}
