using System.CommandLine;
using ZilOnnx.Trainer.Losses;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// --loss, --reduction, --class-axis and --label-smoothing: the training commands train with them and `eval` reports the
/// same loss, so they are defined once and cannot drift apart.
/// </summary>
public sealed class LossOptions
{
    public Option<string> Loss { get; } = new("--loss")
    {
        Description = "Loss: ce (softmax cross-entropy on the logits), mse, bce " +
        "(sigmoid cross-entropy on the logits, multi-label targets in [0, 1]) or l1", DefaultValueFactory = _ => "ce"
    };
    public Option<string> Reduction { get; } = new("--reduction")
    {
        Description = "sample (sum over a sample's positions or features, " +
        "1/2 for mse; mean over samples) or mean (torch.nn's: mean over every labelled position or element)",
        DefaultValueFactory = _ => LossReduction.Sample.Name()
    };
    public Option<int?> ClassAxis { get; } = new Option<int?>("--class-axis")
    {
        Description = "--loss ce: the output's class axis (default 1 for outputs of rank 4 or more, [N, C, H, W]; else the last)"
    }.Within(NumberRange.Count);
    public Option<double?> LabelSmoothing { get; } = new Option<double?>("--label-smoothing")
    {
        Description = "--loss ce: label smoothing in [0, 1), as torch.nn.CrossEntropyLoss's label_smoothing"
    }.Within(NumberRange.Decay);

    public IEnumerable<Option> All => [Loss, Reduction, ClassAxis, LabelSmoothing];

    /// <summary>
    /// The settings as given (a run that resumes a checkpoint continues its own: <see cref="TrainingSettingsResolver"/>).
    /// </summary>
    public LossSettings Settings(ParseResult parse) =>
        new(parse.GetValue(Loss)!, LossReductions.Parse(parse.GetValue(Reduction)!), parse.GetValue(ClassAxis),
            parse.GetValue(LabelSmoothing));
}
