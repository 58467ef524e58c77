using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// The trajectory of the acceptance check: plain SGD, lr 0.05, batch 8, no shuffling, K steps, on a
/// fixture, driven by the same Trainer the command line uses (verification off: the tests compare themselves).
/// </summary>
internal static class TrajectoryHarness
{
    public const double LearningRate = 0.05;

    public static PcnModel Train(string network, string loss, Precision precision, ILearningRule rule, int steps)
    {
        var model = Fixtures.Model(network, loss, precision);
        var data = Fixtures.Data(network, loss);
        var trainer = new ZilOnnx.Trainer.Training.Trainer(model, rule, LossFactory.Create(loss), new Sgd(LearningRate, momentum: 0), data,
            new BatchOrder(data.Count, RuleHarness.BatchSize, shuffle: false, seed: 0), new VerificationPolicy(0, 0));
        for (int i = 0; i < steps; i++) trainer.Step();
        return model;
    }

    /// <summary>max over parameters of max|a - b| / max|b - initial|: the difference relative to how far training moved.</summary>
    public static double RelativeToUpdate(IReadOnlyDictionary<string, Tensor> actual, IReadOnlyDictionary<string, Tensor> expected, PcnModel initial)
    {
        double worst = 0;
        foreach (var (name, e) in expected)
        {
            using var start = initial.ToTensor(initial.Graph.Parameters.Single(p => p.Name == name).Initial).to(e.dtype);
            using var moved = e - start;
            using var difference = actual[name].to(e.dtype) - e;
            worst = Math.Max(worst, difference.MaxAbs() / moved.MaxAbs());
        }
        return worst;
    }
}
