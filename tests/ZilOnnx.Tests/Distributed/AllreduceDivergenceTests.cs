using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Distributed;

/// <summary>
/// The divergences of a data-parallel step are the largest over the ranks, and a NaN on one rank stays NaN on every
/// rank, although MPI_MAX compares with '&gt;' and would hand a NaN's slot to the other rank's number.
/// </summary>
public sealed class AllreduceDivergenceTests
{
    [Fact]
    public void A_nan_on_one_rank_reaches_every_rank()
    {
        ParameterDivergence[][] shards =
        [
            [new("w", double.NaN, double.NaN), new("b", 1e-15, 1e-12)],
            [new("w", 1e-16, 2e-13), new("b", 3e-15, 3e-13)],
        ];
        var reduced = InMemoryJob.Run(shards.Length, rank => new AllreduceUpdateReducer(rank).Reduce(shards[rank.Rank]));
        foreach (var divergences in reduced)
        {
            var byName = divergences.ToDictionary(d => d.Name);
            Assert.True(double.IsNaN(byName["w"].MaxRel) && double.IsNaN(byName["w"].MaxAbs), byName["w"].ToString());
            Assert.Equal(new ParameterDivergence("b", 3e-15, 1e-12), byName["b"]);
        }
    }

    [Fact]
    public void The_stand_in_for_mpi_max_drops_a_nan_as_open_mpi_does()
    {
        // Without this the test above could pass against a communicator that keeps NaN by itself.
        var results = InMemoryJob.Run(2, rank =>
        {
            double[] values = [rank.Rank == 0 ? double.NaN : 1.0];
            rank.Max(values);
            return values[0];
        });
        Assert.All(results, v => Assert.Equal(1.0, v));
    }

    /// <summary>
    /// Ranks as threads of one process. Max folds the ranks' arrays in rank order with '&gt;', as Open MPI's MPI_MAX
    /// does on doubles (ompi/mca/op/base: out = out &gt; in ? out : in): a NaN already in the result loses to the next
    /// rank's number.
    /// </summary>
    private sealed class InMemoryJob(int rank, int size, Barrier barrier, double[]?[] posted) : ICommunicator
    {
        public static List<T> Run<T>(int size, Func<InMemoryJob, T> body)
        {
            using var barrier = new Barrier(size);
            var posted = new double[]?[size];
            // A thread of its own per rank: ranks wait for each other, which pooled threads under a busy test run may not.
            var tasks = Enumerable.Range(0, size)
                .Select(r => Task.Factory.StartNew(() => body(new InMemoryJob(r, size, barrier, posted)), TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(tasks);
            return tasks.Select(t => t.Result).ToList();
        }

        public int Rank => rank;
        public int Size => size;

        public void Max(double[] values) => Combine(values, (result, next) => result > next ? result : next);
        public void Sum(double[] values) => Combine(values, (result, next) => result + next);
        public void Sum(float[] values) => throw new NotSupportedException();
        public void Abort(int exitCode) => throw new NotSupportedException();
        public void Dispose() { }

        private void Combine(double[] values, Func<double, double, double> op)
        {
            posted[rank] = (double[])values.Clone();
            barrier.SignalAndWait();
            for (int i = 0; i < values.Length; i++)
            {
                double result = posted[0]![i];
                for (int r = 1; r < size; r++) result = op(result, posted[r]![i]);
                values[i] = result;
            }
            barrier.SignalAndWait();
        }
    }
}
