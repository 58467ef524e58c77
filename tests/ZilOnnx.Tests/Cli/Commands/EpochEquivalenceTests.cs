using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// The product's promise on the shipped model and real data: a full epoch of Fashion-MNIST fine-tuning with Z-IL
/// ends at the test accuracy backprop reaches from the same seed, and ONNX Runtime measures that accuracy on the
/// export too. (Fashion-MNIST is the installed set in CI; on a machine without it, the embedded subset.)
/// Two full epochs take a while: the test runs alone, after the parallel ones, with a generous time limit.
/// </summary>
[CollectionDefinition(nameof(EpochEquivalenceTests), DisableParallelization = true)]
public sealed class EpochEquivalenceCollection;

[Collection(nameof(EpochEquivalenceTests))]
public sealed class EpochEquivalenceTests
{
    [Fact]
    public void One_epoch_of_zil_reaches_the_test_accuracy_of_bp_and_onnx_runtime_agrees()
    {
        using var temp = new TempDirectory();
        var trainer = new Dictionary<string, string>();
        var nearTies = new Dictionary<string, IReadOnlySet<long>>();
        long samples = 0;
        foreach (string rule in new[] { "bp", "zil" })
        {
            string output = temp.File($"{rule}.onnx");
            var run = CliProcess.Run(TimeSpan.FromMinutes(15), "finetune", Path.Combine(Repository.Root, "models", "lenet5-fashion.onnx"), "--data", "fashion-mnist",
                "--rule", rule, "--loss", "ce", "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "64", "--epochs", "1", "--seed", "1",
                "--verify-every", "0", "--val-data", "fashion-mnist", "--quiet", "-o", output);
            Assert.True(run.ExitCode == 0, run.ToString());
            trainer[rule] = Regex.Match(run.Output, @"held-out top-1 \S+ % -> (\S+ %)").Groups[1].Value;
            Assert.NotEqual("", trainer[rule]);

            var eval = CliProcess.Run("eval", output, "--data", "fashion-mnist", "--provider", "cpu");
            Assert.True(eval.ExitCode == 0, eval.ToString());
            // The trainer's forward pass (TorchSharp) and ONNX Runtime, on the same test images: two float32 engines,
            // the same right answers but for near ties, whose top-1 their own rounding may flip (NearTies says why).
            string onnxRuntime = Regex.Match(eval.Output, @"top-1 (\S+ %)").Groups[1].Value;
            Assert.NotEqual("", onnxRuntime);
            (samples, nearTies[rule]) = NearTies.Find(output, "fashion-mnist");
            NearTies.AssertAccuraciesAgree(trainer[rule], onnxRuntime, samples, nearTies[rule].Count, $"{rule}: the trainer and ONNX Runtime");
        }
        // Z-IL's updates are bitwise backprop's (float32 included), so the two runs take the same steps; but they are two
        // processes, which libtorch does not promise to round alike (ResumedParameters), and over an epoch in float32
        // one bit apart can flip a near tie: the accuracies are equal but for near ties of either export.
        NearTies.AssertAccuraciesAgree(trainer["bp"], trainer["zil"], samples, nearTies["bp"].Union(nearTies["zil"]).Count(), "bp and zil");
    }
}
