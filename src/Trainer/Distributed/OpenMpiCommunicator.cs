using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Distributed;

/// <summary>
/// MPI_COMM_WORLD of an Open MPI job (`mpirun -np N zilonnx ...`). Every collective runs under a
/// <see cref="CollectiveWatchdog"/>, so a rank whose peer died or hangs ends with a message instead of waiting forever.
/// </summary>
public sealed class OpenMpiCommunicator : ICommunicator
{
    private readonly IntPtr _world, _double, _float, _sum, _max;
    private readonly CollectiveWatchdog _watchdog;
    private bool _finalized;

    private OpenMpiCommunicator(IntPtr library, TimeSpan collectiveTimeout, Func<string, string> say)
    {
        _world = OpenMpiLibrary.Handle(library, "ompi_mpi_comm_world");
        _double = OpenMpiLibrary.Handle(library, "ompi_mpi_double");
        _float = OpenMpiLibrary.Handle(library, "ompi_mpi_float");
        _sum = OpenMpiLibrary.Handle(library, "ompi_mpi_op_sum");
        _max = OpenMpiLibrary.Handle(library, "ompi_mpi_op_max");
        Check(OpenMpiLibrary.MPI_Comm_rank(_world, out int rank), "MPI_Comm_rank");
        Check(OpenMpiLibrary.MPI_Comm_size(_world, out int size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        _watchdog = new CollectiveWatchdog(collectiveTimeout, rank, size, Abort, say);
    }

    /// <summary>Loads libmpi and calls MPI_Init; throws <see cref="MpiUnavailableException"/> naming what to install.</summary>
    /// <param name="say">How the watchdog's message names a setting (<see cref="Setting.Render"/>); default: by parameter name.</param>
    public static OpenMpiCommunicator Initialize(TimeSpan collectiveTimeout, Func<string, string>? say = null)
    {
        IntPtr library;
        try
        {
            library = OpenMpiLibrary.Load();
            OpenMpiLibrary.KeepRuntimeSignalHandlers();
            Check(OpenMpiLibrary.MPI_Initialized(out int initialized), "MPI_Initialized");
            if (initialized == 0) Check(OpenMpiLibrary.MPI_Init(IntPtr.Zero, IntPtr.Zero), "MPI_Init");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new MpiUnavailableException($"{Setting.Distributed} mpi needs Open MPI's {OpenMpiLibrary.Name}, which cannot be loaded " +
                $"({e.Message.Split('\n', 2)[0]}): " +
                                              "install Open MPI (Debian: apt-get install openmpi-bin) and launch with mpirun", e);
        }
        return new OpenMpiCommunicator(library, collectiveTimeout, say ?? Setting.Plain);
    }

    public int Rank { get; }
    public int Size { get; }

    public void Sum(double[] values) => _watchdog.Guard("allreduce (sum)", () =>
        OpenMpiLibrary.MPI_Allreduce(OpenMpiLibrary.InPlace, values, values.Length, _double, _sum, _world));

    public void Sum(float[] values) => _watchdog.Guard("allreduce (sum)", () =>
        OpenMpiLibrary.MPI_Allreduce(OpenMpiLibrary.InPlace, values, values.Length, _float, _sum, _world));

    public void Max(double[] values) => _watchdog.Guard("allreduce (max)", () =>
        OpenMpiLibrary.MPI_Allreduce(OpenMpiLibrary.InPlace, values, values.Length, _double, _max, _world));

    /// <summary>MPI_Abort: Open MPI's launcher ends every rank of the job.</summary>
    public void Abort(int exitCode) => OpenMpiLibrary.MPI_Abort(_world, exitCode);

    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        _watchdog.Dispose();
        OpenMpiLibrary.MPI_Finalize();
    }

    private static void Check(int code, string call)
    {
        if (code != 0) throw new CollectiveFailedException($"{call} failed with MPI error {code}");
    }
}
