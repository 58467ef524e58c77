using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Trainer.Training;

/// <summary>Stops a run at the first NaN or Inf, before it reaches the parameters.</summary>
public static class NumericalGuard
{
    public static void Check(RuleResult result, long step)
    {
        if (!double.IsFinite(result.Loss))
            throw new NumericalFailureException($"step {step + 1}: the loss is {result.Loss}");
        foreach (var (name, update) in result.Updates)
            if (!update.isfinite().all().item<bool>())
                throw new NumericalFailureException($"step {step + 1}: the update of parameter '{name}' contains NaN or Inf");
    }
}

public sealed class NumericalFailureException(string message) : Exception(message);
