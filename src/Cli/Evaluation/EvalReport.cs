using System.Text.Json;
using System.Text.Json.Serialization;
using ZilOnnx.Cli.Reporting;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>One class's line of `eval`'s per-class report.</summary>
public sealed record ClassAccuracy(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("count")] long Count);

/// <summary>
/// What `eval --json` prints. Accuracies are fractions in [0, 1]; a class the data has no sample of has accuracy
/// "NaN" (non-finite numbers are strings, <see cref="NonFiniteJson"/>). <c>confusion</c> rows are labels, columns predictions.
/// </summary>
public sealed record EvalReport(
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("top1")] double Top1,
    [property: JsonPropertyName("top5")] double Top5,
    [property: JsonPropertyName("samples")] long Samples,
    [property: JsonPropertyName("per_class")] IReadOnlyList<ClassAccuracy> PerClass,
    [property: JsonPropertyName("confusion")] IReadOnlyList<long[]> Confusion)
{
    public static EvalReport Of(ClassificationMetrics m, double loss, IReadOnlyList<string> names) => new(
        loss, m.Top1, m.Top5, m.Count,
        [.. Enumerable.Range(0, m.Classes).Select(c => new ClassAccuracy(names[c], m.AccuracyOf(c), m.CountOf(c)))],
        m.ConfusionRows());

    public string ToJson() => JsonSerializer.Serialize(this, NonFiniteJson.Options);
}
