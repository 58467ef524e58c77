using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Z-IL against PyTorch itself: gradients and SGD trajectories that torch 1.13 computed in float64 on the
/// same exported networks (tests/fixtures/generate_fixtures.py). This closes the loop beyond our own BP.
/// </summary>
public sealed class PyTorchReferenceTests
{
    /// <summary>Networks with committed PyTorch references (LeNet-5's are too large to commit).</summary>
    public static IEnumerable<object[]> Networks() =>
        from network in Fixtures.Networks.Where(n => n.HasPyTorchReferences)
        from loss in network.Losses
        select new object[] { network.Model, loss };

    public static IEnumerable<object[]> Trajectories() =>
        from n in Networks()
        from steps in new[] { 1, 20 }
        from precision in new[] { Precision.Float64, Precision.Float32 }
        select new object[] { n[0], n[1], steps, precision };

    // Two float64 implementations (libtorch 2.10 here, torch 1.13 there) summing in different orders agree to
    // ~1e-15 relative; 1e-9 leaves room for that and nothing else.
    private const double Float64AgreementWithPyTorch = 1e-9;

    [Theory]
    [MemberData(nameof(Networks))]
    public void Zil_update_equals_pytorch_gradient(string network, string loss)
    {
        using var model = Fixtures.Model(network, loss, Precision.Float64);
        var data = Fixtures.Data(network, loss);
        var batch = data.Take(new BatchOrder(data.Count, RuleHarness.BatchSize, false, 0).IndicesOf(0), model.DType, model.Device);
        using var result = new Zil().Compute(model, batch, LossFactory.Create(loss));
        var reference = Fixtures.Arrays($"{Fixtures.DataOf(network)}.grads.npz");
        // Both ways: a parameter Z-IL left out of its update would otherwise never be compared with torch's gradient.
        var torchNames = reference.Keys.Where(k => k.StartsWith(loss + "/")).Select(k => k[(loss.Length + 1)..]);
        Assert.Equal(torchNames.Order(StringComparer.Ordinal), result.Updates.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, update) in result.Updates)
        {
            using var gradient = model.ToTensor(reference[$"{loss}/{name}"]);
            using var difference = update + gradient;
            double relative = difference.MaxAbs() / gradient.MaxAbs();
            Assert.True(relative <= Float64AgreementWithPyTorch, $"{network}/{loss}/{name}: -update differs from torch's gradient by {relative:E3} (relative)");
        }
    }

    [Theory]
    [MemberData(nameof(Trajectories))]
    public void Zil_sgd_trajectory_equals_pytorch_sgd(string network, string loss, int steps, Precision precision)
    {
        using var model = TrajectoryHarness.Train(network, loss, precision, new Zil(), steps);
        var expected = Fixtures.Arrays($"{Fixtures.DataOf(network)}.{loss}.steps{steps}.expected.npz");
        using var initial = Fixtures.Model(network, loss, Precision.Float64);
        var expectedTensors = model.Parameters.Keys.ToDictionary(k => k, k => initial.ToTensor(expected[k]));
        double relative = TrajectoryHarness.RelativeToUpdate(model.Parameters, expectedTensors, initial);
        // float64: as for one gradient. float32: the trajectory is computed in float32 against a float64
        // reference, so it carries float32 rounding of weights whose total movement can be ~1e-5 of their size;
        // 1e-2 of the movement is the bound that float32 allows there, far below any real deviation (order 1).
        double tolerance = precision == Precision.Float64 ? Float64AgreementWithPyTorch : 1e-2;
        Assert.True(relative <= tolerance, $"{network}/{loss}/{steps} steps/{precision}: parameters differ from PyTorch's by {relative:E3} of the update");
    }
}
