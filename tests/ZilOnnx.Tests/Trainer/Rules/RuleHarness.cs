using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>Runs a rule and BP on the first batch of a fixture and returns the largest relative divergence.</summary>
internal static class RuleHarness
{
    public const int BatchSize = 8;

    public static double MaxRelativeDivergence(PcnModel model, ILearningRule rule, string fixture, string loss)
    {
        var batch = FirstBatch(model, fixture, loss);
        var lossFunction = LossFactory.Create(loss);
        using var ruleResult = rule.Compute(model, batch, lossFunction);
        using var bpResult = new Backprop().Compute(model, batch, lossFunction);
        return ParameterDivergence.Compare(ruleResult.Updates, bpResult.Updates).Max(d => d.MaxRel);
    }

    /// <summary>The fixture's first batch of <see cref="BatchSize"/> samples, in order, in the model's precision.</summary>
    public static Batch FirstBatch(PcnModel model, string fixture, string loss)
    {
        var data = Fixtures.Data(fixture, loss);
        return data.Take(new BatchOrder(data.Count, BatchSize, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
    }

    public static IEnumerable<object[]> NetworksLossesPrecisions() =>
        from network in Fixtures.Networks
        from loss in network.Losses
        from precision in new[] { Precision.Float64, Precision.Float32 }
        select new object[] { network.Model, loss, precision };
}
