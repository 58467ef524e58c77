using System.CommandLine;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Optimizers;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>The optimizer's momentum, weight decay and learning-rate schedule for a run.</summary>
public sealed record OptimizerSettings(double Momentum, double WeightDecay, LearningRateSchedule Schedule)
{
    /// <summary>
    /// From the command line, or from the checkpoint a run resumes: these settings shape the rest of the run
    /// (a cosine schedule's T included), so an option left out takes the checkpoint's value, and one given with
    /// another value is a usage error rather than a run that silently stops continuing the checkpointed one.
    /// </summary>
    public static OptimizerSettings Resolve(ParseResult parse, TrainingOptions options, string optimizerName, long totalSteps,
        ResumedSettings run)
    {
        if (parse.GetResult(options.Momentum) is { Implicit: false } && !optimizerName.Equals("momentum",
            StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--momentum applies to --optimizer momentum only, not {optimizerName}");
        double momentum = parse.GetValue(options.Momentum), weightDecay = parse.GetValue(options.WeightDecay);
        var schedule = LearningRateSchedule.Parse(parse.GetValue(options.LearningRateSchedule)!, totalSteps);
        if (run.Resumed is { } resumed)
        {
            momentum = run.Continue(options.Momentum, momentum, resumed.Momentum, run.IsGiven(options.Momentum));
            weightDecay = run.Continue(options.WeightDecay, weightDecay, resumed.WeightDecay, run.IsGiven(options.WeightDecay));
            schedule = run.Continue(options.LearningRateSchedule, schedule, LearningRateSchedule.Parse(resumed.LearningRateSchedule,
                totalSteps),
                run.IsGiven(options.LearningRateSchedule));
        }
        return new OptimizerSettings(momentum, weightDecay, schedule);
    }
}
