namespace ZilOnnx.Trainer.Verification;

/// <summary>A verified step diverged from BP by more than the tolerance (exit code 3).</summary>
public sealed class VerificationFailedException(string message, IReadOnlyList<ParameterDivergence> divergences) : Exception(message)
{
    public IReadOnlyList<ParameterDivergence> Divergences { get; } = divergences;
}
