using System.Runtime.InteropServices;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// Recognises an allocation that failed, wherever it surfaces: .NET's own (<see cref="OutOfMemoryException"/>, also as the
/// inner exception of a thread or task that could not be started), libtorch's, which TorchSharp passes on as an
/// <see cref="ExternalException"/> carrying the c10::Error's text ("DefaultCPUAllocator: can't allocate memory: you
/// tried to allocate N bytes" on the CPU, "CUDA out of memory. Tried to allocate ..." on a GPU), and libtorch itself not
/// loading under an address-space limit (its code alone maps about 370 MB), which TorchSharp reports as a failed type
/// initializer.
/// </summary>
public static class OutOfMemory
{
    private static readonly string[] NativeMarks = ["can't allocate memory", "out of memory"];

    public static bool Is(Exception e) => Cause(e) != null;

    /// <summary>What failed, in one line: libtorch's message without its "[enforce fail at ...]" prefix and C++ frames.</summary>
    public static string Describe(Exception e)
    {
        var cause = Cause(e) ?? e;
        string limit = AvailableMemory.AddressSpaceLimit() is { } bytes
            ? $" within the address-space limit (ulimit -v) of {bytes / (double)(1L << 30):F1} GB" : "";
        if (cause is TypeInitializationException) return "libtorch could not be loaded" + limit;
        // .NET's own message ("Exception of type 'System.OutOfMemoryException' was thrown.") says nothing more than the type.
        if (cause is OutOfMemoryException) return "the .NET runtime could not allocate memory" + limit;
        string first = cause.Message.Split('\n', 2)[0].Trim();
        int allocator = first.IndexOf("DefaultCPUAllocator: ", StringComparison.Ordinal);
        return allocator >= 0 ? first[(allocator + "DefaultCPUAllocator: ".Length)..] : first;
    }

    private static Exception? Cause(Exception e)
    {
        for (var cause = e; cause != null; cause = cause.InnerException)
            if (IsAllocationFailure(cause)) return cause;
        return null;
    }

    private static bool IsAllocationFailure(Exception e) => e switch
    {
        OutOfMemoryException => true,
        ExternalException => NativeMarks.Any(mark => e.Message.Contains(mark, StringComparison.OrdinalIgnoreCase)),
        // Without an address-space limit a libtorch that does not load is a broken installation, not a lack of memory.
        TypeInitializationException { TypeName: "TorchSharp.torch" } => AvailableMemory.AddressSpaceLimit() != null,
        _ => false,
    };
}
