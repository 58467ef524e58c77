using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Training;

/// <summary>
/// The Trainer's verdict on a verified step: a NaN divergence of one parameter, beside finite ones, fails it. The NaN
/// comes from another shard of a data-parallel job, the one place a step's divergences meet that the rule's own update
/// (which the numerical guard checks first) does not reach.
/// </summary>
public sealed class TrainerVerificationTests
{
    private const string NaNParameter = "fc2.weight";

    private static ZilOnnx.Trainer.Training.Trainer Trainer(bool stopOnFailure)
    {
        var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var data = Fixtures.Data("mlp", "mse");
        return new ZilOnnx.Trainer.Training.Trainer(model, new Zil(), new MeanSquaredErrorLoss(), new Sgd(0.05, momentum: 0), data,
            new BatchOrder(data.Count, 8, shuffle: false, seed: 0), new VerificationPolicy(1, 1e-10, stopOnFailure))
        {
            Reducer = new AnotherShardWentNaN(NaNParameter),
        };
    }

    [Fact]
    public void A_nan_divergence_of_one_parameter_stops_the_run_with_a_verification_failure_before_the_update()
    {
        var trainer = Trainer(stopOnFailure: true);
        using var before = trainer.Model.Parameters[NaNParameter].clone();
        var e = Assert.Throws<VerificationFailedException>(() => trainer.Step());
        Assert.Contains($"parameter '{NaNParameter}' by NaN", e.Message);
        Assert.Equal(0, trainer.StepsTaken);
        Assert.True(trainer.Model.Parameters[NaNParameter].equal(before).all().item<bool>(), "the failed step changed the parameters");
    }

    [Fact]
    public void Without_stopping_the_step_reports_the_nan_as_its_largest_divergence()
    {
        var step = Trainer(stopOnFailure: false).Step();
        Assert.True(double.IsNaN(step.MaxRelativeDivergence!.Value), $"{step.MaxRelativeDivergence}");
        Assert.True(double.IsNaN(step.MaxAbsoluteDivergence!.Value), $"{step.MaxAbsoluteDivergence}");
        Assert.Contains(step.Divergences!, d => d.Name != NaNParameter && d.MaxRel <= 1e-10);
    }

    /// <summary>One process of a job whose other shard's update of <paramref name="parameter"/> went NaN.</summary>
    private sealed class AnotherShardWentNaN(string parameter) : IUpdateReducer
    {
        public int Ranks => 1;
        public long[] ShardOf(long[] globalBatch) => globalBatch;
        public (RuleResult Result, double Accuracy) Reduce(RuleResult shard, double shardAccuracy) => (shard, shardAccuracy);

        public IReadOnlyList<ParameterDivergence> Reduce(IReadOnlyList<ParameterDivergence> shard) =>
            shard.Select(d => d.Name == parameter ? d with { MaxAbs = double.NaN, MaxRel = double.NaN } : d).ToList();

        public TimeSpan CommunicationTime => TimeSpan.Zero;
        public long BytesReduced => 0;
    }
}
