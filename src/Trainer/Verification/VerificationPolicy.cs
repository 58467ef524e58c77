namespace ZilOnnx.Trainer.Verification;

/// <summary>Verify every <paramref name="Every"/>-th step against BP (0 = never); fail above <paramref name="Tolerance"/>
/// (relative); with <paramref name="Beside"/>, run the witness's backward beside Z-IL's sweep where they share a forward
/// pass (<see cref="Rules.WitnessBeside"/>).</summary>
public sealed record VerificationPolicy(int Every, double Tolerance, bool StopOnFailure = true, bool Beside = false)
{
    public bool IsDue(long step) => Every > 0 && step % Every == 0;
}
