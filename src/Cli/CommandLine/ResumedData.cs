using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// A checkpoint resumed on other data than it was written training on (another file, size, sample count or first
/// batch): the optimizer's state and the batch order would continue on samples the run never saw, so it is refused
/// unless --force accepts it, and then said in a note. A checkpoint without a manifest has no data to compare.
/// </summary>
public static class ResumedData
{
    public static void Check(TrainingSetup setup, DataIdentity given, bool force)
    {
        if (setup.Resumed?.Manifest?.Data is not { } recorded) return;
        var differences = recorded.DifferencesFrom(given);
        if (differences.Count == 0) return;
        string what = string.Join("; ", differences);
        if (!force)
            throw new DataFormatException(setup.Source.Path, null,
                $"the checkpoint was written training on other data than --data gives ({what}): " +
                                                                   "give --force to resume it on this data");
        setup.Notices.Add($"{setup.Source.Path} was written training on other data than --data gives ({what}); --force resumes it on " +
            $"this data");
    }
}
