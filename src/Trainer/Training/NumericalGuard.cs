using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Settings;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// Stops a run at the first NaN or Inf (or an update larger than <see cref="MaxUpdateNorm"/>, or a loss grown past
/// <see cref="MaxLossGrowth"/> times the first), before the step's update reaches the parameters, so the last
/// checkpoint and the output stay those of good parameters. The check itself costs one host read per step; only
/// when it fails does <see cref="Locate"/> find where the blow-up began.
/// </summary>
public sealed class NumericalGuard
{
    /// <summary>
    /// `finetune --max-loss-growth`'s default: a loss 10^4 times its first is no noisy step (a fine-tuning run's batch
    /// losses vary by a factor of ten or so) but a run that diverges, which left alone reaches huge but finite numbers
    /// (LeNet-5 at --lr 10: a loss of 1e10) and exports a model whose outputs overflow.
    /// </summary>
    public const double DefaultMaxLossGrowth = 1e4;

    /// <summary>The largest L2 norm of a step's update (all parameters together) accepted, or null for no limit.</summary>
    public double? MaxUpdateNorm { get; init; }

    /// <summary>The largest factor by which a step's loss may exceed the first checked step's, or null for no limit.</summary>
    public double? MaxLossGrowth { get; init; }

    private double? _firstLoss;

    /// <param name="rule">The rule that computed the result: a relaxing rule's relaxation is searched too when the blow-up
    /// is not in the feed-forward pass or backprop's errors.</param>
    public void Check(RuleResult result, long step, PcnModel model, Batch batch, ILoss loss, ILearningRule? rule = null)
    {
        string at = $"step {step + 1}";
        if (!double.IsFinite(result.Loss))
        {
            var origin = Locate(model, batch, loss, rule);
            throw new NumericalFailureException($"{at}: the loss is {result.Loss}; {origin.Description}")
            {
                Step = step + 1, Origin = origin,
            };
        }
        CheckLossGrowth(result.Loss, at);
        using var scope = NewDisposeScope();
        // The usual step is decided in the updates' own precision, two operations per parameter and one host read:
        // a finite sum of squares clearly under the limit. Anything else is decided by the float64 sums below.
        double fast = stack(result.Updates.Values.Select(u => u.mul(u).sum()).ToList()).sum().ToDouble();
        if (double.IsFinite(fast) && !(fast > MaxUpdateNorm * MaxUpdateNorm * (1 - 1e-3))) return;
        var squares = result.Updates.ToDictionary(u => u.Key, u => u.Value.to(ScalarType.Float64).Squared().sum());
        double norm = Math.Sqrt(stack(squares.Values.ToList()).sum().ToDouble());
        if (!double.IsFinite(norm))
        {
            string parameter = squares.First(s => !double.IsFinite(s.Value.ToDouble())).Key;
            var origin = Locate(model, batch, loss, rule);
            throw new NumericalFailureException($"{at}: the update of parameter '{parameter}' contains NaN or Inf; {origin.Description}")
            {
                Step = step + 1, Origin = origin,
            };
        }
        if (norm > MaxUpdateNorm)
        {
            string largest = squares.MaxBy(s => s.Value.ToDouble()).Key;
            throw new NumericalFailureException($"{at}: the update's norm {norm:E3} exceeds {Setting.MaxUpdateNorm} {MaxUpdateNorm:E3} " +
                $"(largest on parameter '{largest}')");
        }
    }

    /// <summary>
    /// The first step's loss is the reference (a resumed run's first step after resuming). A first loss of 0 has no
    /// factor to grow by, so such a run is watched for NaN and Inf alone.
    /// </summary>
    private void CheckLossGrowth(double value, string at)
    {
        if (MaxLossGrowth is not { } limit) return;
        if (_firstLoss is not { } first)
        {
            _firstLoss = value;
            return;
        }
        if (first > 0 && value > first * limit)
        {
            double growth = value / first;
            throw new NumericalFailureException($"{at}: the loss {value:E3} is " +
                $"{(growth < 1e6 ? growth.ToString("F0") : growth.ToString("E2"))} times the first step's {first:E3}, " +
                $"over {Setting.MaxLossGrowth} {limit:G}: the run diverges (a smaller {Setting.LearningRate} may keep it stable)");
        }
    }

    /// <summary>
    /// Where a non-finite number first appears in this step: the first vertex (in topological order) whose
    /// feed-forward value is not finite, else the error nearest the output (smallest d(v), the first Z-IL computes)
    /// that is not. Errors are taken as backprop's gradients, which Z-IL's error nodes equal. Where those are all
    /// finite and the rule relaxes, the blow-up is in its relaxation: the first prediction, error, energy, displacement or
    /// value node there that is not finite (<see cref="IRelaxingRule.LocateNonFinite"/>).
    /// </summary>
    public static NonFiniteOrigin Locate(PcnModel model, Batch batch, ILoss loss, ILearningRule? rule = null)
    {
        if (FeedForwardOrigin(model, batch, loss) is { } origin) return origin;
        if (rule is IRelaxingRule relaxing && relaxing.LocateNonFinite(model, batch, loss) is { } relaxed) return relaxed;
        return new NonFiniteOrigin("update", rule is IRelaxingRule
            ? "every value and error is finite, and so is the relaxation (its predictions, errors, energy and value nodes): the " +
                "parameters' Hebbian products overflow"
            : "every value and error is finite: the parameters' Hebbian products overflow");
    }

    private static NonFiniteOrigin? FeedForwardOrigin(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        var graph = model.Graph;
        var values = new Dictionary<Vertex, Tensor>();
        using (enable_grad())
        {
            // Parameters as autograd leaves, so that every value downstream of one carries the graph to its error.
            var roots = model.Parameters.ToDictionary(p => p.Key, p => p.Value.detach().requires_grad_(true));
            foreach (var v in graph.Vertices)
            {
                values[v] = v.Kind == VertexKind.DataInput
                    ? model.DataValue(v, batch.Inputs)
                    : model.Predict(v, model.Inputs(v, u => values[u], view => model.ApplyView(view, roots[view.Root.Name])));
                if (!IsFinite(values[v]))
                    return new("value", $"first non-finite: the value of vertex '{v.Name}' (node '{v.NodeName}', {v.Op.OpType})", v.Name);
            }
            var output = values[graph.TrainingOutput];
            var lossValue = loss.Value(output, batch.Targets);
            if (!IsFinite(lossValue))
                return new("loss", "the feed-forward values are finite; the loss is not (targets or output out of the loss's range)");
            var reached = graph.Vertices.Where(v => v.ReachesOutput && v.Kind != VertexKind.DataInput
                && values[v].requires_grad).OrderBy(v => v.Depth).ToList();
            var gradients = autograd.grad([lossValue], reached.Select(v => values[v]).ToList(), allow_unused: true);
            for (int i = 0; i < reached.Count; i++)
                if (gradients[i].Defined() is { } g && !IsFinite(g))
                    return new("error", $"first non-finite: the error of vertex '{reached[i].Name}' (node '{reached[i].NodeName}', " +
                        $"{reached[i].Op.OpType}, d = {reached[i].Depth})", reached[i].Name);
        }
        return null;
    }

    private static bool IsFinite(Tensor t) => !t.is_floating_point() || t.isfinite().all().item<bool>();
}

/// <summary>A NaN, an Inf or a diverging run: the message says where, and what setting may keep the run stable.</summary>
public sealed class NumericalFailureException(string template) : SettingMessageException(template)
{
    /// <summary>The training step that failed, from 1, where one did.</summary>
    public long? Step { get; init; }

    /// <summary>Where a NaN or Inf began; null for a finite blow-up (an update norm or loss growth over its limit).</summary>
    public NonFiniteOrigin? Origin { get; init; }

    /// <summary>The failed step's divergences from backprop, where it was verified.</summary>
    public IReadOnlyList<ParameterDivergence>? Divergences { get; init; }

    /// <summary>The same failure, with the step's divergences from backprop.</summary>
    public NumericalFailureException WithDivergences(IReadOnlyList<ParameterDivergence>? divergences) =>
        new(Template) { Step = Step, Origin = Origin, Divergences = divergences };
}
