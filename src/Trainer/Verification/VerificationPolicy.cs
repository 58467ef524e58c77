namespace ZilOnnx.Trainer.Verification;

/// <summary>Verify every <paramref name="Every"/>-th step against BP (0 = never); fail above <paramref name="Tolerance"/>
/// (relative).</summary>
public sealed record VerificationPolicy(int Every, double Tolerance, bool StopOnFailure = true)
{
    public bool IsDue(long step) => Every > 0 && step % Every == 0;
}
