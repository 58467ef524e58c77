using System.Runtime.InteropServices;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Distributed;

/// <summary>
/// The handful of MPI functions data-parallel training calls, bound directly to Open MPI's libmpi.so.40 (Debian's
/// libopenmpi3). The MPI.NET package cannot serve here: its only build targets Microsoft MPI (msmpi.dll), with
/// MPI_Comm, MPI_Datatype and MPI_Op as MS-MPI's integer constants (MPI_COMM_WORLD = 0x44000000), whereas Open MPI's
/// handles are pointers; loading Open MPI under it ends in a segmentation fault inside MPI_Init's callers
/// (docs/scale-out.md). Open MPI's predefined handles (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, ...) are the addresses
/// of exported globals (ompi_mpi_comm_world, ...), so they are looked up as exports, not declared as constants.
/// </summary>
internal static class OpenMpiLibrary
{
    public const string Name = "libmpi.so.40";

    /// <summary>MPI_IN_PLACE in Open MPI's mpi.h: ((void *) 1).</summary>
    public static readonly IntPtr InPlace = 1;

    [DllImport(Name)] public static extern int MPI_Initialized(out int flag);
    [DllImport(Name)] public static extern int MPI_Init(IntPtr argc, IntPtr argv);
    [DllImport(Name)] public static extern int MPI_Finalize();
    [DllImport(Name)] public static extern int MPI_Comm_rank(IntPtr comm, out int rank);
    [DllImport(Name)] public static extern int MPI_Comm_size(IntPtr comm, out int size);
    [DllImport(Name)]
    public static extern int MPI_Allreduce(IntPtr sendBuffer, [In, Out] double[] buffer, int count, IntPtr type,
        IntPtr op, IntPtr comm);
    [DllImport(Name)]
    public static extern int MPI_Allreduce(IntPtr sendBuffer, [In, Out] float[] buffer, int count, IntPtr type, IntPtr op,
        IntPtr comm);
    [DllImport(Name)] public static extern int MPI_Abort(IntPtr comm, int errorCode);

    // Open MPI loads its transports as plugins that resolve symbols of libmpi and libopen-pal globally; .NET opens
    // libraries with RTLD_LOCAL, so the library is opened once more with RTLD_GLOBAL before the first MPI call.
    private const int RtldNow = 2, RtldGlobal = 0x100;
    [DllImport("libc", EntryPoint = "dlopen")] private static extern IntPtr DlOpen(string file, int mode);
    [DllImport("libc", EntryPoint = "setenv")] private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>Where Open MPI is not on the loader's path (a build under /opt, say), this variable names its libmpi.so.40.</summary>
    public const string PathVariable = "ZILONNX_MPI_LIBRARY";

    /// <summary>
    /// Opens libmpi (with its symbols global) and returns its handle, or throws naming what to install. The
    /// P/Invokes above then bind to this already loaded library, whose soname is the one they name.
    /// </summary>
    public static IntPtr Load()
    {
        string file = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : Name;
        if (DlOpen(file, RtldNow | RtldGlobal) == IntPtr.Zero || !NativeLibrary.TryLoad(file, out IntPtr handle))
            throw new MpiUnavailableException($"{Setting.Distributed} mpi needs Open MPI's {Name}, and {file} cannot be loaded: " +
                $"install Open MPI (Debian: apt-get install openmpi-bin, or set {PathVariable} to its libmpi.so.40) and launch with " +
                "mpirun");
        return handle;
    }

    /// <summary>
    /// Open MPI installs its own handlers for SIGSEGV, SIGBUS, SIGFPE and SIGABRT at MPI_Init, which would take
    /// over the ones .NET uses to raise NullReferenceException and friends; an empty opal_signal list keeps .NET's.
    /// Set in the native environment (Environment.SetEnvironmentVariable does not reach it), before MPI_Init.
    /// </summary>
    public static void KeepRuntimeSignalHandlers() => SetEnv("OMPI_MCA_opal_signal", "", 0);

    /// <summary>The address of one of Open MPI's predefined handles, e.g. ompi_mpi_comm_world.</summary>
    public static IntPtr Handle(IntPtr library, string symbol) => NativeLibrary.GetExport(library, symbol);
}
