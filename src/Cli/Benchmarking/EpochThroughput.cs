using System.Diagnostics;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>One rule's pass over the data: the time its training steps took, and samples per second.</summary>
public sealed record EpochRun(string Rule, double Seconds, double SamplesPerSecond);

public sealed record EpochResult(string Data, long Samples, long Steps, int BatchSize, IReadOnlyList<EpochRun> Runs);

/// <summary>
/// A full epoch of training per rule (bp and zil, verification off) with the trainer itself, batch assembly
/// included, each on its own copy of the model from the original weights, as `finetune --verify-every 0` runs it.
/// The two trainers take their steps in alternation, so a slow spell of the machine weighs on both.
/// </summary>
public static class EpochThroughput
{
    public static EpochResult Run(BenchSetup setup, DataSet data, IReadOnlyList<string> ruleNames, int seed,
        Action<string>? progress = null)
    {
        var graph = setup.Model.Graph;
        var input = graph.DataInputs.First();
        if (!data.Inputs.Shape[1..].SequenceEqual(input.Shape[1..]))
            throw new ArgumentException($"--epoch: the samples of {data.Source} are [{string.Join(", ", data.Inputs.Shape[1..])}], " +
                                        $"the model's input takes [{string.Join(", ", input.Shape[1..])}]");
        DataValidation.Check(data, graph.TrainingOutput.Shape, setup.Loss);
        long steps = (data.Count + setup.BatchSize - 1) / setup.BatchSize;
        var models = new List<PcnModel>();
        var trainers = new List<Trainer.Training.Trainer>();
        try
        {
            trainers.AddRange(ruleNames.Select(name =>
            {
                var model = new PcnModel(graph, setup.Precision, setup.Model.Device);
                models.Add(model);
                return new Trainer.Training.Trainer(model, RuleFactory.Create(name), setup.Loss, setup.NewOptimizer(), data,
                    new BatchOrder(data.Count, setup.BatchSize, shuffle: true, seed), new VerificationPolicy(0, 0));
            }));
            var seconds = new double[trainers.Count];
            var clock = Stopwatch.StartNew();
            for (long step = 0; step < steps; step++)
            {
                for (int i = 0; i < trainers.Count; i++)
                {
                    int k = (int)((step + i) % trainers.Count);
                    long start = Stopwatch.GetTimestamp();
                    trainers[k].Step();
                    seconds[k] += Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
                if (progress != null && clock.Elapsed.TotalSeconds >= 10)
                {
                    progress($"epoch step {step + 1}/{steps}");
                    clock.Restart();
                }
            }
            long samples = steps * setup.BatchSize;
            return new EpochResult(data.Source, data.Count, steps, setup.BatchSize,
                ruleNames.Select((name, i) => new EpochRun(name, seconds[i], samples / seconds[i])).ToList());
        }
        finally
        {
            foreach (var trainer in trainers) trainer.Dispose();
            foreach (var model in models) model.Dispose();
        }
    }
}
