using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Trainer.Studies;

/// <summary>One setting of classic IL and its divergence from BP on the study's batch.</summary>
/// <param name="Energy">F at the start of the last inference step.</param>
/// <param name="EnergyStart">F at the start of the first inference step (the feed-forward state). A stable relaxation is
/// gradient descent on F and never raises it, so F above this marks a relaxation that is blowing up.</param>
public sealed record StudyPoint(int InferenceSteps, double Gamma, double MaxRelativeDivergence, double MaxAbsoluteDivergence, double Energy,
    double EnergyStart);

/// <summary>
/// The studies of classic inference learning (`verify --sweep`): its divergence from BP on one batch, from the same
/// parameters, as T or gamma varies. Nothing is trained; every point starts from the model as it is.
/// </summary>
public static class IlStudy
{
    /// <summary>il's divergence for every T in <paramref name="inferenceSteps"/>, from one relaxation of max(T) steps.</summary>
    public static List<StudyPoint> SweepInferenceSteps(PcnModel model, Batch batch, ILoss loss, double gamma,
        IReadOnlyCollection<int> inferenceSteps)
    {
        var wanted = inferenceSteps.ToHashSet();
        using var backprop = new Backprop().Compute(model, batch, loss);
        var trace = new InferenceTrace(model, backprop.Updates, wanted.Contains);
        using (new Il(inferenceSteps.Max(), gamma).Observed(trace).Compute(model, batch, loss)) { }
        return trace.Steps.Where(s => s.Divergence != null)
            .Select(s => new StudyPoint(s.Step, gamma, s.Divergence!.MaxRel, s.Divergence.MaxAbs, s.Energy,
                trace.Steps[0].Energy)).ToList();
    }

    /// <summary>il's divergence with T steps at each gamma, one relaxation per gamma.</summary>
    public static List<StudyPoint> SweepGamma(PcnModel model, Batch batch, ILoss loss, int inferenceSteps, IEnumerable<double> gammas)
    {
        using var backprop = new Backprop().Compute(model, batch, loss);
        var points = new List<StudyPoint>();
        foreach (double gamma in gammas)
        {
            var trace = new InferenceTrace(model, backprop.Updates, t => t == inferenceSteps);
            using (new Il(inferenceSteps, gamma).Observed(trace).Compute(model, batch, loss)) { }
            var last = trace.Steps[^1];
            points.Add(new StudyPoint(inferenceSteps, gamma, last.Divergence!.MaxRel, last.Divergence.MaxAbs, last.Energy,
                trace.Steps[0].Energy));
        }
        return points;
    }

    /// <summary>The energy F at every inference step of one relaxation of the rule on the batch.</summary>
    public static List<TracedStep> Energy(PcnModel model, Batch batch, ILoss loss, IRelaxingRule rule)
    {
        var trace = new InferenceTrace(model, backprop: null);
        using (rule.Observed(trace).Compute(model, batch, loss)) { }
        return trace.Steps;
    }
}
