using System.Diagnostics;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>The timed steps of one rule: milliseconds per step, and per round its time over bp's in the same round.</summary>
public sealed record RuleTimes(string Rule, IReadOnlyList<double> Milliseconds, IReadOnlyList<double> RatiosToBp);

/// <summary>
/// Times the rules' training steps in alternation, in one process: after <c>warmup</c> untimed rounds, every timed
/// round runs each rule once on the same batch, starting at a position that moves by one each round (so no rule
/// always follows the same one). A rule's ratio to bp is the median over the rounds of its time over bp's time in
/// that round, so a slow spell of the machine weighs on both sides of a ratio.
/// </summary>
public static class StepTiming
{
    public static List<RuleTimes> Run(BenchSetup setup, IReadOnlyList<BenchRule> rules, int warmup, int rounds, Action<string>? progress = null)
    {
        for (int round = 0; round < warmup; round++)
            foreach (var rule in rules) rule.Step(setup, setup.Batches[round % setup.Batches.Count]);

        var times = rules.ToDictionary(r => r.Name, _ => new List<double>());
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < rounds; round++)
        {
            var batch = setup.Batches[round % setup.Batches.Count];
            for (int i = 0; i < rules.Count; i++)
            {
                var rule = rules[(round + i) % rules.Count];
                long start = Stopwatch.GetTimestamp();
                rule.Step(setup, batch);
                times[rule.Name].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            if (progress != null && clock.Elapsed.TotalSeconds >= 10)
            {
                progress($"round {round + 1}/{rounds}");
                clock.Restart();
            }
        }
        var bp = times["bp"];
        return rules.Select(r => new RuleTimes(r.Name, times[r.Name], times[r.Name].Select((t, k) => t / bp[k]).ToList())).ToList();
    }

    /// <summary>
    /// Each rule's memory for <paramref name="steps"/> steps (<see cref="ProcessMemory.MeasurePeak"/>), measured
    /// <paramref name="repeats"/> times in turn; the largest rise is kept. Null where the peak cannot be reset.
    /// </summary>
    public static Dictionary<string, (long Rise, long Peak)?> Memory(BenchSetup setup, IReadOnlyList<BenchRule> rules, int steps = 2, int repeats = 2)
    {
        var result = rules.ToDictionary(r => r.Name, _ => ((long Rise, long Peak)?)null);
        for (int repeat = 0; repeat < repeats; repeat++)
            foreach (var rule in rules)
            {
                var measured = ProcessMemory.MeasurePeak(() =>
                {
                    for (int s = 0; s < steps; s++) rule.Step(setup, setup.Batches[s % setup.Batches.Count]);
                });
                if (measured is { } m && (result[rule.Name] is not { } kept || m.Rise > kept.Rise)) result[rule.Name] = m;
            }
        return result;
    }
}
