using System.Runtime.InteropServices;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Training;

/// <summary>A step whose allocation fails inside libtorch ends as an error naming the batch size, with the parameters as they were.</summary>
public sealed class StepOutOfMemoryTests
{
    /// <summary>A rule whose step fails as libtorch's allocator does when it cannot allocate (the exception TorchSharp raises).</summary>
    private sealed class AllocationFailing(string message) : ILearningRule
    {
        public string Name => "failing";
        public RuleResult Compute(PcnModel model, Batch batch, ILoss loss) => throw new ExternalException(message);
    }

    private static ZilOnnx.Trainer.Training.Trainer TrainerOf(ILearningRule rule, PcnModel model)
    {
        var data = Fixtures.Data("mlp", "ce");
        return new ZilOnnx.Trainer.Training.Trainer(model, rule, new CrossEntropyLoss(), OptimizerFactory.Create("sgd", 0.1), data, new BatchOrder(data.Count, 8, shuffle: false, seed: 0),
            new VerificationPolicy(1, 1e-4));
    }

    [Fact]
    public void An_allocation_failure_in_a_step_names_the_batch_size_and_leaves_the_parameters_alone()
    {
        using var model = Fixtures.Model("mlp", "ce", Precision.Float32);
        var before = model.Parameters.ToDictionary(p => p.Key, p => p.Value.clone());
        var trainer = TrainerOf(new AllocationFailing("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: " +
            "you tried to allocate 125440000 bytes. Error code 12 (Cannot allocate memory)\nframe #0: c10::ThrowEnforceNotMet(...)"), model);

        var e = Assert.Throws<StepMemoryException>(() => trainer.Step());

        Assert.Equal("batchSize 8: step 1 ran out of memory (can't allocate memory: you tried to allocate 125440000 bytes. " +
                     "Error code 12 (Cannot allocate memory)); use a smaller batchSize", e.Message);
        Assert.Equal("--batch-size 8: step 1 ran out of memory (can't allocate memory: you tried to allocate 125440000 bytes. " +
                     "Error code 12 (Cannot allocate memory)); use a smaller --batch-size", SettingFlags.MessageOf(e));
        Assert.Equal(0, trainer.StepsTaken);
        foreach (var (name, value) in model.Parameters) Assert.True((value - before[name]).MaxAbs() == 0, $"parameter {name} changed");
    }

    [Fact]
    public void Any_other_failure_in_a_step_passes_through_as_it_was()
    {
        using var model = Fixtures.Model("mlp", "ce", Precision.Float32);
        var trainer = TrainerOf(new AllocationFailing("The size of tensor a (5) must match the size of tensor b (7)"), model);
        var e = Assert.Throws<ExternalException>(() => trainer.Step());
        Assert.StartsWith("The size of tensor a (5)", e.Message);
    }
}
