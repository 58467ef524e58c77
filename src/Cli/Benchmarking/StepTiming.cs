using System.Diagnostics;
using System.Runtime;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>The timed steps of one rule: milliseconds per step, and per round its time over bp's in the same round.</summary>
public sealed record RuleTimes(string Rule, IReadOnlyList<double> Milliseconds, IReadOnlyList<double> RatiosToBp);

/// <summary>
/// How the warm-up ended: the rounds it ran, for how long, whether .NET's JIT had gone quiet by then (null when the
/// warm-up did not wait for it), and how many methods it still compiled while the rounds were timed (0 on a clean
/// measurement).
/// </summary>
public sealed record WarmupResult(int Rounds, double Seconds, bool? JitQuiet, long CompiledWhileTimed);

/// <summary>
/// Times the rules' training steps in alternation, in one process: after <c>warmup</c> untimed rounds, every timed
/// round runs each rule once on the same batch, starting at a position that moves by one each round (so no rule
/// always follows the same one). A rule's ratio to bp is the median over the rounds of its time over bp's time in
/// that round, so a slow spell of the machine weighs on both sides of a ratio.
/// </summary>
public static class StepTiming
{
    /// <summary>The longest the warm-up waits for the JIT to go quiet.</summary>
    public static readonly TimeSpan WarmupLimit = TimeSpan.FromSeconds(60);

    /// <param name="jitQuietFor">How long the JIT must have compiled nothing before the warm-up ends; zero ends it after
    /// <paramref name="warmup"/> rounds.</param>
    public static (List<RuleTimes> Times, WarmupResult Warmup) Run(BenchSetup setup, IReadOnlyList<BenchRule> rules, int warmup,
        TimeSpan jitQuietFor,
        int rounds, Action<string>? progress = null)
    {
        var (warmupRounds, warmupSeconds, jitQuiet) = WarmUp(setup, rules, warmup, jitQuietFor);
        var times = NewTimes(rules);
        long compiledBefore = JitInfo.GetCompiledMethodCount();
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < rounds; round++)
        {
            TimeRound(setup, rules, round, times);
            if (progress != null && clock.Elapsed.TotalSeconds >= 10)
            {
                progress($"round {round + 1}/{rounds}");
                clock.Restart();
            }
        }
        long compiledWhileTimed = JitInfo.GetCompiledMethodCount() - compiledBefore;
        var bp = times["bp"];
        var result = rules.Select(r => new RuleTimes(r.Name, times[r.Name], times[r.Name].Select((t, k) => t / bp[k]).ToList())).ToList();
        return (result, new WarmupResult(warmupRounds, warmupSeconds, jitQuiet, compiledWhileTimed));
    }

    /// <summary>
    /// At least <paramref name="minimumRounds"/> untimed rounds, then more until the JIT has compiled nothing for
    /// <paramref name="quietFor"/> (or <see cref="WarmupLimit"/> has passed). .NET compiles hot methods again, optimized,
    /// on a background thread for several seconds after they first run; on two cores that thread takes one from
    /// libtorch, and steps it overlaps take up to twice as long (measured in bench/README.md, "Running it").
    /// </summary>
    /// <remarks>The warm-up rounds are timed rounds whose times are dropped, so that the timing code is compiled too.</remarks>
    private static (int Rounds, double Seconds, bool? JitQuiet) WarmUp(BenchSetup setup, IReadOnlyList<BenchRule> rules, int minimumRounds,
        TimeSpan quietFor)
    {
        var dropped = NewTimes(rules);
        var clock = Stopwatch.StartNew();
        var sinceCompilation = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        int round = 0;
        while (round < minimumRounds || (sinceCompilation.Elapsed < quietFor && clock.Elapsed < WarmupLimit))
        {
            TimeRound(setup, rules, round, dropped);
            foreach (var list in dropped.Values) list.Clear();
            round++;
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled) { compiled = now; sinceCompilation.Restart(); }
        }
        return (round, clock.Elapsed.TotalSeconds, quietFor > TimeSpan.Zero ? sinceCompilation.Elapsed >= quietFor : null);
    }

    private static Dictionary<string, List<double>> NewTimes(IReadOnlyList<BenchRule> rules) => rules.ToDictionary(r => r.Name,
        _ => new List<double>());

    /// <summary>One round: each rule's step on the round's batch, starting one rule later each round, each step's time added to its rule's
    /// list.</summary>
    private static void TimeRound(BenchSetup setup, IReadOnlyList<BenchRule> rules, int round, Dictionary<string, List<double>> times)
    {
        var batch = setup.Batches[round % setup.Batches.Count];
        for (int i = 0; i < rules.Count; i++)
        {
            var rule = rules[(round + i) % rules.Count];
            long start = Stopwatch.GetTimestamp();
            rule.Step(setup, batch);
            times[rule.Name].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Each rule's memory for <paramref name="steps"/> steps (<see cref="ProcessMemory.MeasurePeak"/>), measured
    /// <paramref name="repeats"/> times in turn; the largest rise is kept. Null where the peak cannot be reset.
    /// </summary>
    public static Dictionary<string, (long Rise, long Peak)?> Memory(BenchSetup setup, IReadOnlyList<BenchRule> rules, int steps = 2,
        int repeats = 2)
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
