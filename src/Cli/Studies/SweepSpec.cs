using System.Globalization;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Cli.Studies;

/// <summary>
/// `--sweep gamma=A:B:S` (gamma from A to B in steps of S) or `--sweep T=A:B[:S]` (T from A to B, every integer unless
/// a step S is given). A T sweep costs one relaxation of B steps however many points it has, so every T is the default.
/// </summary>
public sealed record SweepSpec(string Variable, IReadOnlyList<double> Values)
{
    public bool IsInferenceSteps => Variable == "T";

    public static SweepSpec Parse(string text)
    {
        string[] sides = text.Split('=', 2);
        string variable = sides[0].Trim();
        string[] range = sides.Length == 2 ? sides[1].Split(':') : [];
        if (variable.Equals("t", StringComparison.OrdinalIgnoreCase) && range.Length is 2 or 3)
        {
            int start = Integer(text, range[0]), stop = Integer(text, range[1]), step = range.Length == 3 ? Integer(text, range[2]) : 1;
            if (start < 1 || stop < start || step < 1)
                throw new ArgumentException($"--sweep '{text}': T needs 1 <= A <= B and a step S >= 1");
            if (stop > Il.MaxInferenceSteps)
                throw new ArgumentException($"--sweep '{text}': at most {Il.MaxInferenceSteps} inference steps");
            var values = new List<double>();
            for (int t = start; t <= stop; t += step) values.Add(t);
            if (values[^1] != stop) values.Add(stop);
            return new SweepSpec("T", values);
        }
        if (variable.Equals("gamma", StringComparison.OrdinalIgnoreCase) && range.Length == 3)
        {
            double start = Number(text, range[0]), stop = Number(text, range[1]), step = Number(text, range[2]);
            if (!(start > 0 && stop <= 1 && start <= stop && step > 0))
                throw new ArgumentException($"--sweep '{text}': gamma needs 0 < A <= B <= 1 and a step S > 0");
            // Counted, not accumulated, so that 0.1:1.0:0.1 ends at 1.0 and not at 0.9999999999999999 or one short.
            int count = (int)Math.Floor((stop - start) / step + 1e-9) + 1;
            if (count > 10_000) throw new ArgumentException($"--sweep '{text}': at most 10000 values of gamma");
            return new SweepSpec("gamma", Enumerable.Range(0, count).Select(k => Math.Round(start + k * step, 12)).ToList());
        }
        throw new ArgumentException($"--sweep '{text}' is not gamma=A:B:S or T=A:B[:S] (e.g. gamma=0.1:1.0:0.1, T=1:200)");
    }

    private static int Integer(string text, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n
            : throw new ArgumentException($"--sweep '{text}': '{value}' is not an integer");

    private static double Number(string text, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? x
            : throw new ArgumentException($"--sweep '{text}': '{value}' is not a number");
}
