using TorchSharp;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Training;

/// <summary>
/// Memory stays flat over a long run: every tensor a training step creates (batch, local tapes, errors, updates, the
/// witness's graph) is disposed by the end of that step, deterministically, not left to the garbage collector. Counted
/// with TorchSharp's per-thread statistics (tensors created on this thread and not yet disposed), which other tests
/// running in parallel do not touch; a tensor freed only by a finalizer would count as live here.
/// </summary>
public sealed class MemoryFlatnessTests
{
    [Theory]
    [InlineData("residual_mlp", "zil", 200, false)]
    [InlineData("lstm", "zil", 200, false)]
    [InlineData("residual_mlp", "bp", 200, false)]
    [InlineData("residual_mlp", "zil-relaxed", 50, false)]
    [InlineData("residual_mlp", "zil", 200, true)]
    public void Live_tensors_do_not_grow_over_a_verified_run(string network, string rule, int steps, bool beside)
    {
        var model = Fixtures.Model(network, "ce", Precision.Float32);
        var data = Fixtures.Data(network, "ce");
        var trainer = new ZilOnnx.Trainer.Training.Trainer(model, RuleFactory.Create(rule), new CrossEntropyLoss(), new Adam(0.001), data,
            new BatchOrder(data.Count, 8, shuffle: true, seed: 0), new VerificationPolicy(1, 1e-3, Beside: beside));

        // The first steps create what lives as long as the run: cached constants, the optimizer's moments.
        for (int i = 0; i < 3; i++) trainer.Step();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < steps; i++) trainer.Step();
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // Side by side (WitnessBeside), the witness's update and output are created on its own thread and disposed on this one,
        // lowering this thread's count by their number each step; its temporaries die with its own scope there.
        long handedOver = beside && WitnessBeside.ThreadsEach(DeviceType.CPU) != null ? (model.Parameters.Count + 1L) * steps : 0;
        Assert.True(after - before == -handedOver,
            $"{rule} on {network}: {after - before + handedOver} more live tensors after {steps} steps ({before} -> {after}, " +
            $"{handedOver} made by the witness's thread)");
    }
}
