using System.Globalization;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// Top-1 accuracies of one float32 classifier that two engines (the trainer's TorchSharp forward pass and ONNX
/// Runtime), or one engine on two machines, measure on the same samples. Each computes the scores with kernels of its
/// own, whose summation order and SIMD width the machine decides, so a score differs between them by a few float32
/// ulps: by at most 1e-5 on the shipped Fashion-MNIST models, whose scores reach 25 (measured: 7.6e-6 to 9.5e-6 over
/// the 10,000 test images). A sample's top-1 can change only where its two highest scores are closer than twice that,
/// and such a near tie may be right in one count and wrong in the other; so the numbers of right answers may differ by
/// at most the number of near ties. Wrong parameters, inputs or class order change samples whose top-1 is clear.
/// </summary>
public static class NearTies
{
    /// <summary>Two highest scores closer than this make a near tie: five times the widest gap two engines' rounding can bridge (2 x 1e-5).</summary>
    public const double Margin = 1e-4;

    /// <summary>
    /// The samples of <paramref name="data"/> (the split eval reads) whose two highest scores under ONNX Runtime's CPU
    /// provider are within <see cref="Margin"/>, and how many samples there are.
    /// </summary>
    public static (long Samples, IReadOnlySet<long> Ties) Find(string modelPath, string data)
    {
        using var session = OnnxRuntimeSession.Open(modelPath, ExecutionProviderChoice.Cpu);
        var input = session.Inputs[0];
        var set = DataSources.Load(data, DataSplit.Test, input.Name, input.Shape.Select(d => d > 0 ? d : (long?)null).ToList(),
            ModelInputs.IsIdType(input.ElementType));
        // A model that fixes its batch dimension is fed batches of that size, as eval feeds it.
        int batchSize = input.Shape.Count > 0 && input.Shape[0] > 0 ? (int)input.Shape[0] : 256;
        var ties = new HashSet<long>();
        for (long start = 0; start < set.Count; start += batchSize)
        {
            int size = (int)Math.Min(batchSize, set.Count - start);
            // Fed as eval feeds the model.
            var batch = set.Prepare([.. Enumerable.Range(0, size).Select(i => start + i)], ScalarType.Float64);
            var scores = session.Run(new Dictionary<string, HostTensor> { [input.Name] = batch.Inputs.ToHostTensor() }).First().Value;
            int classes = (int)scores.Shape[1];
            for (int row = 0; row < size; row++)
                if (TopTwoGap(scores.Values.AsSpan(row * classes, classes)) < Margin) ties.Add(start + row);
        }
        return (set.Count, ties);
    }

    /// <summary>
    /// Asserts that two top-1 accuracies as printed ("89.10 %", two decimals) over the same <paramref name="samples"/>
    /// are apart by no more right answers than <paramref name="nearTies"/>.
    /// </summary>
    public static void AssertAccuraciesAgree(string expected, string actual, long samples, int nearTies, string what)
    {
        long apart = Math.Abs(RightAnswers(expected, samples) - RightAnswers(actual, samples));
        Assert.True(apart <= nearTies, $"{what}: {expected} against {actual} of {samples} samples, {apart} right answer(s) apart, " +
            $"but only {nearTies} sample(s) are near ties (two highest scores within {Margin.ToString(CultureInfo.InvariantCulture)} under ONNX Runtime) that float32 rounding can flip");
    }

    private static long RightAnswers(string printedPercentage, long samples) =>
        (long)Math.Round(double.Parse(printedPercentage.TrimEnd('%', ' '), CultureInfo.InvariantCulture) / 100 * samples);

    private static double TopTwoGap(ReadOnlySpan<double> scores)
    {
        double first = double.NegativeInfinity, second = double.NegativeInfinity;
        foreach (double s in scores)
        {
            if (s > first) (first, second) = (s, first);
            else if (s > second) second = s;
        }
        return first - second;
    }
}
