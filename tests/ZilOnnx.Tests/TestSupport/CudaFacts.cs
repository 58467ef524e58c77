using static TorchSharp.torch;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// Whether this build's libtorch reaches a CUDA device. The CPU build (the default, and CI's) never does; a build with
/// -p:TorchDevice=cuda on a machine with an NVIDIA GPU does.
/// </summary>
internal static class CudaPresence
{
    public static readonly bool Available = cuda.is_available();

    public const string AbsentReason = "no CUDA device is reachable: this build links the CPU libtorch, or the machine has no " +
        "NVIDIA GPU; build with -p:TorchDevice=cuda on an NVIDIA machine to run it (README, On an NVIDIA GPU)";

    public const string PresentReason = "a CUDA device is reachable, so --device cuda succeeds here; this test checks the CPU " +
        "build's refusal";
}

/// <summary>A test of the CUDA path: it runs where a CUDA device is reachable and is reported as skipped, with the reason, elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!CudaPresence.Available) Skip = CudaPresence.AbsentReason;
    }
}

/// <summary>A theory of the CUDA path; skipped, with the reason, where no CUDA device is reachable.</summary>
public sealed class CudaTheoryAttribute : TheoryAttribute
{
    public CudaTheoryAttribute()
    {
        if (!CudaPresence.Available) Skip = CudaPresence.AbsentReason;
    }
}

/// <summary>A test of what a build without CUDA does; reported as skipped, with the reason, where CUDA is reachable.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (CudaPresence.Available) Skip = CudaPresence.PresentReason;
    }
}
