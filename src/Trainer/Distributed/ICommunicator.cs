namespace ZilOnnx.Trainer.Distributed;

/// <summary>
/// The few collective operations data-parallel training needs: every process (rank) of the job calls each
/// operation in the same order, and each call returns only when all ranks have made it. Sums and maxima are
/// computed in place, so every rank ends with the same numbers.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index in the job, 0..Size-1; rank 0 writes the run's files.</summary>
    int Rank { get; }

    /// <summary>The number of processes in the job.</summary>
    int Size { get; }

    void Sum(double[] values);

    void Sum(float[] values);

    void Max(double[] values);

    /// <summary>Ends every process of the job with <paramref name="exitCode"/>; used when a collective cannot finish.</summary>
    void Abort(int exitCode);
}
