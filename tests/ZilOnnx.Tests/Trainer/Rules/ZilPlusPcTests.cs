using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>`zil+pc`: Z-IL's step followed by K relaxed steps; with K = 0 it is Z-IL, bit for bit.</summary>
public sealed class ZilPlusPcTests
{
    [Theory]
    [InlineData("mlp", "mse")]
    [InlineData("lenet5", "ce")]
    [InlineData("rnn_tanh", "ce")]
    [InlineData("lstm", "mse")]
    public void With_no_relaxed_steps_it_is_zil_bit_for_bit(string network, string loss)
    {
        using var model = Fixtures.Model(network, loss, Precision.Float32);
        var batch = RuleHarness.FirstBatch(model, network, loss);
        var lossFunction = LossFactory.Create(loss);
        using var zil = new Zil().Compute(model, batch, lossFunction);
        using var zilPlusPc = new ZilPlusPc(0, 0.1, 0.05).Compute(model, batch, lossFunction);
        Assert.True(new ZilPlusPc(0, 0.1, 0.05).IsExact);
        foreach (var (name, update) in zil.Updates)
            Assert.True((zilPlusPc.Updates[name] - update).MaxAbs() == 0, $"{network}: {name} differs from zil's");
        Assert.Equal(zil.Loss, zilPlusPc.Loss);
    }

    /// <summary>K > 0 adds the relaxed steps' terms, leaves the run's own parameters alone, and is measured, not held to backprop.</summary>
    [Fact]
    public void Relaxed_steps_change_the_update_but_not_the_model()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var before = model.Parameters.ToDictionary(p => p.Key, p => p.Value.clone());
        var batch = RuleHarness.FirstBatch(model, "mlp", "mse");
        var rule = new ZilPlusPc(3, 0.1, 0.05);
        Assert.False(((ILearningRule)rule).IsExact);
        using var zil = new Zil().Compute(model, batch, new MeanSquaredErrorLoss());
        using var result = rule.Compute(model, batch, new MeanSquaredErrorLoss());
        double change = result.Updates.Max(p => (p.Value - zil.Updates[p.Key]).MaxAbs() / zil.Updates[p.Key].MaxAbs());
        Assert.True(change > 1e-2, $"K = 3 changes zil's update by only {change:E3} relative");
        foreach (var (name, value) in before) Assert.True((model.Parameters[name] - value).MaxAbs() == 0, name);
    }
}
