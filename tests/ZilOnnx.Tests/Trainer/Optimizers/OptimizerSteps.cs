using ZilOnnx.Trainer.Optimizers;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Optimizers;

/// <summary>
/// Three optimizer steps on one float64 parameter theta0 = [1, -2] with the gradients [0.5, -1], [0.25, 0.5],
/// [-1, 0.125] (the rule's update is their negation), the values the hand computations start from.
/// </summary>
internal static class OptimizerSteps
{
    public static readonly double[] Initial = [1, -2];
    public static readonly double[][] Gradients = [[0.5, -1], [0.25, 0.5], [-1, 0.125]];

    /// <summary>
    /// Hand-computed values are exact decimals or carry 17 significant digits; float64 rounding over three
    /// steps of a few operations each stays near 1e-16, while any formula slip (decay in the wrong place,
    /// AdamW's decoupled form, a missing bias correction, the schedule one step off) moves them by 1e-4 or more.
    /// </summary>
    public const double Tolerance = 1e-12;

    /// <summary>theta after each step.</summary>
    public static double[][] Run(IOptimizer optimizer)
    {
        using var theta = tensor(Initial, dtype: ScalarType.Float64);
        var parameters = new Dictionary<string, Tensor> { ["w"] = theta };
        var trajectory = new List<double[]>();
        foreach (double[] gradient in Gradients)
        {
            using var update = -tensor(gradient, dtype: ScalarType.Float64);
            optimizer.Step(parameters, new Dictionary<string, Tensor> { ["w"] = update });
            trajectory.Add(theta.data<double>().ToArray());
        }
        return [.. trajectory];
    }

    public static void AssertTrajectory(double[][] expected, double[][] actual)
    {
        for (int step = 0; step < expected.Length; step++)
            for (int i = 0; i < expected[step].Length; i++)
                Assert.True(Math.Abs(actual[step][i] - expected[step][i]) <= Tolerance,
                    $"step {step + 1}, theta[{i}]: {actual[step][i]:R}, expected {expected[step][i]:R}");
    }
}
