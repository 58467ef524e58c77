using TorchSharp;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// A verified step's witness beside the rule's sweep (<see cref="WitnessBeside"/>): on another thread, both with half the
/// threads, the thread count set back after, failures on either side reaching the caller only once both sides are done,
/// and the witness's tensors in the caller's scopes as if computed there. Its exactness is held by VerifiedStepTests and
/// by every verified bench and CLI run (max divergence 0).
/// </summary>
public sealed class WitnessBesideTests
{
    [Theory]
    [InlineData(1, null)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    public void Each_side_takes_half_the_threads_and_one_thread_runs_them_in_turn(int threads, int? each)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            Assert.Equal(each, WitnessBeside.ThreadsEach(DeviceType.CPU));
            Assert.Null(WitnessBeside.ThreadsEach(DeviceType.CUDA));
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Fact]
    public void The_witness_runs_on_its_own_thread_and_the_thread_count_is_set_back()
    {
        int before = get_num_threads();
        int caller = Environment.CurrentManagedThreadId;
        (int Thread, int Threads) witnessSide = default, ruleSide = default;
        using var outer = NewDisposeScope();
        RuleResult witness;
        using (var current = NewDisposeScope())
        {
            (_, witness) = WitnessBeside.Run(() =>
            {
                witnessSide = (Environment.CurrentManagedThreadId, get_num_threads());
                return Result(2.0);
            }, () =>
            {
                ruleSide = (Environment.CurrentManagedThreadId, get_num_threads());
                return Result(1.0);
            }, threadsEach: 1, current);
        }
        Assert.NotEqual(caller, witnessSide.Thread);
        Assert.Equal((caller, 1), ruleSide);
        Assert.Equal(1, witnessSide.Threads);
        Assert.Equal(before, get_num_threads());
        // Where a witness computed on this thread puts its tensors: outside the current scope, alive until the outer one ends.
        Assert.Equal(2.0, witness.Updates["w"].sum().item<float>());
        outer.Dispose();
        Assert.Throws<InvalidOperationException>(() => witness.Output.sum());
    }

    [Fact]
    public void A_failing_witness_fails_the_step_and_the_rules_result_is_disposed()
    {
        using var current = NewDisposeScope();
        var ruleResult = Result(1.0);
        var failure = Assert.Throws<ArgumentException>(() => WitnessBeside.Run(
            () => throw new ArgumentException("witness failed"), () => ruleResult, threadsEach: 1, current));
        Assert.Equal("witness failed", failure.Message);
        Assert.Throws<InvalidOperationException>(() => ruleResult.Output.sum());
    }

    [Fact]
    public void A_failing_rule_waits_for_the_witness_before_it_fails_the_step()
    {
        using var current = NewDisposeScope();
        bool witnessDone = false;
        Assert.Throws<InvalidOperationException>(() => WitnessBeside.Run(() =>
        {
            Thread.Sleep(200);
            witnessDone = true;
            return Result(1.0);
        }, () => throw new InvalidOperationException("rule failed"), threadsEach: 1, current));
        // The witness reads the recorded forward pass, which the caller frees as the exception passes.
        Assert.True(witnessDone);
    }

    private static RuleResult Result(double value) =>
        new(new Dictionary<string, Tensor> { ["w"] = full(2, value / 2) }, value, ones(1));
}
