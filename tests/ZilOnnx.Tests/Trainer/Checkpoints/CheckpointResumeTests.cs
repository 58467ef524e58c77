using ZilOnnx.Converter.Pcn;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Checkpoints;

/// <summary>
/// A float64 Z-IL run with weight decay, an optimizer with state and a learning-rate schedule, interrupted by a
/// checkpoint and resumed, against the same run uninterrupted: the checkpoint holds the parameters and optimizer
/// state at full precision and the schedule is a function of the step, so the two runs must agree.
/// </summary>
public sealed class CheckpointResumeTests
{
    private const int TotalSteps = 6, Interrupted = 3, BatchSize = 8, Seed = 3;
    private const double LearningRate = 0.05, WeightDecay = 1e-3;

    // Not bit for bit: two identical uninterrupted float64 runs here already differ by ~3e-17 (libtorch's CPU
    // kernels do not promise run-to-run bitwise reductions). A resume that loses anything (the step count behind
    // the schedule and Adam's bias correction, a momentum buffer) moves the parameters by lr * gradient, >= 1e-6.
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData("momentum", "cosine")]
    [InlineData("adam", "cosine:0.001")]
    [InlineData("adam", "step:2:0.5")]
    [InlineData("sgd", "step:2:0.5")]
    public void A_resumed_run_equals_an_uninterrupted_one(string optimizer, string schedule)
    {
        var lrSchedule = LearningRateSchedule.Parse(schedule, TotalSteps);
        IOptimizer NewOptimizer() => OptimizerFactory.Create(optimizer, LearningRate, weightDecay: WeightDecay, schedule: lrSchedule);

        using var straight = Fixtures.Model("mlp", "mse", Precision.Float64);
        Train(straight, NewOptimizer(), 0);

        using var temp = new TempDirectory();
        string path = temp.File("interrupted.pcn");
        var state = new CheckpointState(Interrupted, "zil", "mse", optimizer, LearningRate, BatchSize, true, Seed, "float64",
            WeightDecay, OptimizerFactory.DefaultMomentum, lrSchedule.ToString());
        using (var first = Fixtures.Model("mlp", "mse", Precision.Float64))
        {
            var firstOptimizer = NewOptimizer();
            Train(first, firstOptimizer, 0, Interrupted);
            Checkpoint.Save(path, first, firstOptimizer, state, DataIdentity.Of(Fixtures.Data("mlp", "mse"), BatchSize), ["finetune", "mlp.onnx"]);
        }
        var entries = PcnArchive.Read(path).Entries;
        var read = Checkpoint.ReadState(entries)!;
        Assert.Equal(state with { Version = CheckpointState.CurrentVersion }, read with { Manifest = null });
        Assert.Equal(["finetune", "mlp.onnx"], read.Manifest!.CommandLine);

        double Resume(long restoredSteps)
        {
            using var resumed = Fixtures.Model("mlp", "mse", Precision.Float64);
            var resumedOptimizer = NewOptimizer();
            Checkpoint.Restore(entries, resumed, resumedOptimizer, restoredSteps, read.Manifest);
            Train(resumed, resumedOptimizer, Interrupted);
            return straight.Parameters.Select(p => (p.Value - resumed.Parameters[p.Key]).abs().max().item<double>()).LargestOrNaN();
        }

        double difference = Resume(Interrupted);
        Assert.True(difference <= Tolerance, $"{optimizer}/{schedule}: the resumed run differs from the uninterrupted one by {difference:E3}");
        // The same resume with the optimizer's step count lost: the test can see what it guards against.
        double forgetful = Resume(0);
        Assert.True(forgetful > 1e-6, $"{optimizer}/{schedule}: restarting the schedule changed the parameters by only {forgetful:E3}");
    }

    private static void Train(PcnModel model, IOptimizer optimizer, long from, long to = TotalSteps)
    {
        var data = Fixtures.Data("mlp", "mse");
        var trainer = new ZilOnnx.Trainer.Training.Trainer(model, new Zil(), LossFactory.Create("mse"), optimizer, data,
            new BatchOrder(data.Count, BatchSize, shuffle: true, Seed), new VerificationPolicy(0, 0))
        {
            StepsTaken = from,
        };
        while (trainer.StepsTaken < to) trainer.Step();
    }
}
