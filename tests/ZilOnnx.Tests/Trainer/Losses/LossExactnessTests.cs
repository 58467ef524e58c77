using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Losses;

/// <summary>
/// Every loss and reduction (ce with label smoothing too) keeps the exact rules equal to BP on every fixture network,
/// in float64 and float32: the output error is the loss's own local derivative, so the bound of the existing exactness
/// tests holds for zil, zil-relaxed and fa-zil, and zil, whose every operation is backprop's, matches it bit for bit.
/// </summary>
public sealed class LossExactnessTests
{
    public static readonly LossSettings[] Settings =
    [
        new("mse", LossReduction.Mean),
        new("l1", LossReduction.Sample),
        new("l1", LossReduction.Mean),
        new("bce", LossReduction.Sample),
        new("bce", LossReduction.Mean),
        new("ce", LossReduction.Sample),
        new("ce", LossReduction.Mean),
        new("ce", LossReduction.Sample, LabelSmoothing: 0.1),
        new("ce", LossReduction.Mean, LabelSmoothing: 0.2),
    ];

    public static IEnumerable<object[]> Cases() =>
        from network in Fixtures.Networks
        from settings in Settings
        where settings.Name != "ce" || network.Losses.Contains("ce") // ce needs the fixture's labels
        from precision in new[] { Precision.Float64, Precision.Float32 }
        select new object[] { network.Model, Describe(settings), precision };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exact_rules_equal_backprop(string network, string loss, Precision precision)
    {
        var settings = Settings.Single(s => Describe(s) == loss);
        var lossFunction = settings.Create();
        using var model = Fixtures.Model(network, settings.Name, precision);
        var batch = RuleHarness.FirstBatch(model, network, settings.Name);
        using var bp = new Backprop().Compute(model, batch, lossFunction);
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        // The relaxed dynamics take depth + 1 steps over every vertex: on the unrolled recurrent nets that is minutes for
        // this matrix, and their exactness does not depend on the loss beyond the output error zil checks here.
        string[] rules = Fixtures.Of(network).IsRecurrent ? ["zil"] : ["zil", "zil-relaxed", "fa-zil"];
        foreach (string rule in rules)
        {
            using var result = RuleFactory.Create(rule).Compute(model, batch, lossFunction);
            var divergences = ParameterDivergence.Compare(result.Updates, bp.Updates);
            double divergence = divergences.Select(d => d.MaxRel).LargestOrNaN();
            Assert.True(divergence <= Tolerances.Exactness(precision), $"{network}/{loss}/{precision}/{rule}: relative divergence {divergence:E3}");
            // zil runs backprop's operations in backprop's order, the loss's derivative included: not one bit differs.
            if (rule == "zil") Assert.True(divergences.All(d => d.MaxAbs == 0), $"{network}/{loss}/{precision}/zil: {divergence:E3}, not bitwise");
        }
    }

    private static string Describe(LossSettings s) => $"{s.Name} {s.Reduction.Name()}" + (s.LabelSmoothing is { } e ? $" smoothing {e}" : "");
}
