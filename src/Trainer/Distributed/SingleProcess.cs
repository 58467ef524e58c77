namespace ZilOnnx.Trainer.Distributed;

/// <summary>A job of one process: every collective is the identity.</summary>
public sealed class SingleProcess : ICommunicator
{
    public static readonly SingleProcess Instance = new();

    public int Rank => 0;
    public int Size => 1;
    public void Sum(double[] values) { }
    public void Sum(float[] values) { }
    public void Max(double[] values) { }
    public void Abort(int exitCode) => Environment.Exit(exitCode);
    public void Dispose() { }
}
