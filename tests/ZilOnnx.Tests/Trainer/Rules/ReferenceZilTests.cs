using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Rules.Reference;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Rules;

public sealed class ReferenceZilTests(Xunit.Abstractions.ITestOutputHelper log)
{
    public static IEnumerable<object[]> Cases() =>
        from network in Fixtures.Networks
        from loss in network.Losses
        select new object[] { network.Model, loss };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Measure(string network, string loss)
    {
        using var model = Fixtures.Model(network, loss, Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, network, loss);
        var lossFunction = LossFactory.Create(loss);
        using var reference = new ReferenceZil().Compute(model, batch, lossFunction);
        using var zil = new Zil().Compute(model, batch, lossFunction);
        using var bp = new Backprop().Compute(model, batch, lossFunction);
        var notBitwise = zil.Updates.Where(p => !p.Value.equal(reference.Updates[p.Key]).all().item<bool>()).Select(p => p.Key).ToList();
        double toZil = ParameterDivergence.Compare(zil.Updates, reference.Updates).Select(d => d.MaxRel).LargestOrNaN();
        double toBp = ParameterDivergence.Compare(reference.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();
        log.WriteLine($"{network}/{loss}: zil {toZil:E3} notbitwise [{string.Join(",", notBitwise)}] bp {toBp:E3}");
    }
}
