using System.CommandLine;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>Held-out evaluation during fine-tuning: a seeded split of the training data, or a data set of its own.</summary>
public sealed class ValidationOptions
{
    public Option<double?> Split { get; } = new Option<double?>("--val-split")
    {
        Description = "Hold out this fraction of the training data (drawn with --seed) and evaluate on it"
    }.Within(NumberRange.OpenFraction);
    public Option<string?> Data { get; } = new("--val-data")
    {
        Description = "Held-out data to evaluate on (an .npz, or the test split of an IDX folder or 'fashion-mnist')"
    };
    public Option<int> Every { get; } = new Option<int>("--val-every")
    {
        Description = "Evaluate the held-out data every N steps as well as before and after training (0 = before and after only)",
        DefaultValueFactory = _ => 0
    }.Within(NumberRange.CountOrZero);

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Split, Data, Every }) command.Options.Add(option);
    }

    /// <summary>The training data without the held-out samples, and the held-out data (null when none was asked for).</summary>
    /// <param name="loadTest">Loads a DATA argument's test split for the model's input.</param>
    /// <param name="fraction">--val-split as given, or as the checkpoint of a resumed run recorded it.</param>
    /// <param name="heldOutData">--val-data, or null.</param>
    public static (DataSet Train, DataSet? HeldOut) Apply(double? fraction, string? heldOutData, DataSet data, int seed,
        Func<string, DataSet> loadTest)
    {
        if (fraction != null && heldOutData != null) throw new ArgumentException("give --val-split or --val-data, not both");
        if (heldOutData != null) return (data, loadTest(heldOutData));
        if (fraction == null) return (data, null);
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"--val-split must lie strictly between 0 and 1, got {fraction}");
        long held = (long)Math.Round(fraction.Value * data.Count);
        if (held < 1 || held >= data.Count)
            throw new ArgumentException($"--val-split {fraction} of {data.Count} samples leaves {held} held out " +
                $"and {data.Count - held} to train on; both need at least one");
        var order = Enumerable.Range(0, (int)data.Count).Select(i => (long)i).ToArray();
        // A stream of its own (the batch order uses seed * 1_000_003 + pass, pass >= 0), fixed by the seed, so a
        // resumed run holds out the same samples.
        new Random(unchecked(seed * 1_000_003 - 1)).Shuffle(order);
        var heldOut = order[..(int)held].Order().ToArray();
        var train = order[(int)held..].Order().ToArray();
        return (data.Subset(train, data.Source), data.Subset(heldOut, $"{data.Source} (held out: {held} samples, --val-split {fraction})"));
    }
}
