using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Optimizers;

/// <summary>
/// Z-IL driven by each optimizer with weight decay and a learning-rate schedule, against torch.optim and
/// torch.optim.lr_scheduler on the same network, data and batches (mlp.optimizers.expected.npz, written by
/// tests/fixtures/generate_fixtures.py): 10 float64 steps, batch 8, no shuffling.
/// </summary>
public sealed class PyTorchOptimizerTests
{
    private const int Steps = 10;

    // As for PyTorch's SGD trajectories (PyTorchReferenceTests): two float64 implementations summing in different
    // orders agree to ~1e-15 of the update; torch's recursive schedulers differ from the closed forms by ~1e-16.
    private const double Float64AgreementWithPyTorch = 1e-9;

    /// <param name="key">The torch run in the fixture: SGD(momentum=0.9, weight_decay=1e-3) with StepLR(3, 0.5),
    /// Adam(weight_decay=1e-2) with CosineAnnealingLR(T_max=10, eta_min=1e-3), SGD(weight_decay=1e-2) with
    /// CosineAnnealingLR(T_max=10).</param>
    [Theory]
    [InlineData("momentum_step", "mse", "momentum", 0.05, 1e-3, "step:3:0.5")]
    [InlineData("adam_cosine", "ce", "adam", 0.01, 1e-2, "cosine:0.001")]
    [InlineData("sgd_cosine", "ce", "sgd", 0.05, 1e-2, "cosine")]
    public void Zil_with_decay_and_a_schedule_follows_torch_optim(string key, string loss, string optimizer, double learningRate,
        double weightDecay, string schedule)
    {
        using var model = Fixtures.Model("mlp", loss, Precision.Float64);
        var data = Fixtures.Data("mlp", loss);
        var trainer = new ZilOnnx.Trainer.Training.Trainer(model, new Zil(), LossFactory.Create(loss),
            OptimizerFactory.Create(optimizer, learningRate, weightDecay: weightDecay, schedule: LearningRateSchedule.Parse(schedule, Steps)),
            data, new BatchOrder(data.Count, RuleHarness.BatchSize, shuffle: false, seed: 0), new VerificationPolicy(0, 0));
        for (int i = 0; i < Steps; i++) trainer.Step();

        var expected = Fixtures.Arrays("mlp.optimizers.expected.npz");
        using var initial = Fixtures.Model("mlp", loss, Precision.Float64);
        var expectedTensors = model.Parameters.Keys.ToDictionary(k => k, k => initial.ToTensor(expected[$"{key}/{k}"]));
        double relative = TrajectoryHarness.RelativeToUpdate(model.Parameters, expectedTensors, initial);
        Assert.True(relative <= Float64AgreementWithPyTorch, $"{key}: parameters differ from torch.optim's by {relative:E3} of the update");
    }
}
