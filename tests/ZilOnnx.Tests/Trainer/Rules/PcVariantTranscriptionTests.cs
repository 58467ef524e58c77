using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules.Transcriptions;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Each PC variant (il, ipc, fpa, zil+pc, with and without an output weight S) against
/// <see cref="MlpPcTranscription"/>, the papers' equations written out by hand for the `mlp` fixture, on its first batch
/// in float64.
/// </summary>
/// <remarks>
/// Tolerance: 1e-10 of the largest element of each update. The two compute the same formulas in different orders
/// (autograd's local products against hand-written ones, sums in other orders), which rounds differently by about 1e-16
/// relative per operation; over at most 20 steps of a relaxation that contracts (gamma 0.1 to 1, below F's stability
/// bound) that stays under 1e-13. A wrong equation (a gate at the wrong step, Jacobians at the wrong state, weights that do
/// not move) differs by 1e-2 or more, which <see cref="The_variants_differ_from_each_other_so_the_comparisons_can_fail"/>
/// shows for the settings compared here.
/// </remarks>
public sealed class PcVariantTranscriptionTests
{
    private const double Tolerance = 1e-10;
    private const double LearningRate = 0.05;

    public static TheoryData<string, double> Cases() => new()
    {
        { "il T=7 gamma=0.1", 1 }, { "il T=7 gamma=0.1", 0.1 },
        { "ipc T=5 gamma=0.1", 1 }, { "ipc T=5 gamma=0.1", 0.5 },
        { "fpa n=5 eta=0.5", 1 }, { "fpa n=4 eta=1", 1 }, { "fpa n=6 eta=0.3", 0.2 },
        { "zil+pc K=2 gamma=0.1", 1 }, { "zil+pc K=0 gamma=0.1", 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_rule_gives_the_transcription_s_update(string variant, double outputWeight)
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var (rule, expected) = Both(model, variant, outputWeight);
        using var result = rule.Compute(model, RuleHarness.FirstBatch(model, "mlp", "mse"), new MeanSquaredErrorLoss());
        foreach (var (name, update) in expected)
        {
            double scale = update.MaxAbs(), difference = (result.Updates[name] - update).MaxAbs();
            Assert.True(scale > 0, $"{variant}: {name}'s expected update is 0, so matching it proves nothing");
            Assert.True(difference <= Tolerance * scale, $"{variant}, S {outputWeight}: {name} differs by {difference:E3} (of {scale:E3})");
        }
    }

    /// <summary>
    /// The settings compared above are far from backprop (1e-2 or more, relative), except the two that equal it (fpa at
    /// eta 1 with n = depth = 4, and zil+pc with K = 0): a rule that returned backprop's update would fail the others.
    /// </summary>
    [Fact]
    public void The_variants_are_far_from_backprop_except_where_they_equal_it()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, "mlp", "mse");
        var backprop = new MlpPcTranscription(batch.Inputs["x"], batch.Targets).Backprop(MlpPcTranscription.Weights.From(model.Parameters))
            .ByName();
        foreach (var c in Cases())
        {
            string variant = (string)c[0];
            var expected = Both(model, variant, (double)c[1]).Expected;
            double distance = expected.Max(p => (p.Value - backprop[p.Key]).MaxAbs() / backprop[p.Key].MaxAbs());
            if (variant is "fpa n=4 eta=1" or "zil+pc K=0 gamma=0.1") Assert.True(distance <= Tolerance, $"{variant}: {distance:E3}");
            else Assert.True(distance > 1e-2, $"{variant}, S {c[1]}: only {distance:E3} from backprop");
        }
    }

    /// <summary>The rule for <paramref name="variant"/> ("name key=value ...") and the transcription's update for it.</summary>
    private static (ILearningRule Rule, Dictionary<string, Tensor> Expected) Both(PcnModel model, string variant, double s)
    {
        var words = variant.Split(' ');
        var settings = words.Skip(1).Select(w => w.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture));
        var batch = RuleHarness.FirstBatch(model, "mlp", "mse");
        var transcription = new MlpPcTranscription(batch.Inputs["x"], batch.Targets);
        var w = MlpPcTranscription.Weights.From(model.Parameters);
        return words[0] switch
        {
            "il" => (new Il((int)settings["T"], settings["gamma"], outputWeight: s),
                transcription.Il(w, (int)settings["T"], settings["gamma"], s).ByName()),
            "ipc" => (new Ipc((int)settings["T"], settings["gamma"], LearningRate, s),
                transcription.Ipc(w, (int)settings["T"], settings["gamma"], LearningRate, s).ByName()),
            "fpa" => (new Fpa((int)settings["n"], settings["eta"], s), transcription.Fpa(w, (int)settings["n"], settings["eta"], s).ByName()),
            "zil+pc" => (new ZilPlusPc((int)settings["K"], settings["gamma"], LearningRate),
                transcription.ZilPlusPc(w, (int)settings["K"], settings["gamma"], LearningRate).ByName()),
            _ => throw new ArgumentException(variant),
        };
    }
}
