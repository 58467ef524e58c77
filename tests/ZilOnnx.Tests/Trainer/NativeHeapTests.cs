using System.Runtime.InteropServices;
using ZilOnnx.Trainer.Compute;

namespace ZilOnnx.Tests.Trainer;

public sealed class NativeHeapTests
{
    // A step's activations: blocks above glibc's default mmap threshold (128 KiB), together well above twice the
    // largest, which is where glibc's own threshold adjustment would set its trim threshold.
    private const int BlockBytes = 1 << 20, BlocksPerStep = 8;
    private const int PageBytes = 4096;

    [Fact]
    public void A_step_reuses_the_memory_the_previous_step_freed_without_page_faults()
    {
        Assert.True(NativeHeap.KeepFreedMemory(), "mallopt is glibc's and the tests run on glibc");
        Step();
        Step();
        // By default every step gets its blocks as fresh pages, BlocksPerStep * BlockBytes / PageBytes = 2048 faults,
        // because the previous step's were handed back to the kernel. The fewest over ten steps, so that other tests'
        // threads taking some of the freed memory in between (the suite runs tests in parallel) cannot make this fail;
        // a step costs a few milliseconds.
        long fewest = Enumerable.Range(0, 10).Min(_ =>
        {
            long before = ThreadMinorFaults();
            Step();
            return ThreadMinorFaults() - before;
        });
        Assert.True(fewest < BlocksPerStep * BlockBytes / PageBytes / 8, $"{fewest} page faults in a step that reuses freed memory");
    }

    [Fact]
    public void Arenas_are_capped_only_under_an_address_space_limit()
    {
        // The test process runs without `ulimit -v` unless its runner sets one; under a limit the cap applies (the 3 GB
        // run of StepMemoryCommandTests is where it matters).
        Assert.Equal(AvailableMemory.AddressSpaceLimit() != null, NativeHeap.ShareArenasUnderAddressSpaceLimit());
    }

    private static void Step()
    {
        var blocks = Enumerable.Range(0, BlocksPerStep).Select(_ => Marshal.AllocHGlobal(BlockBytes)).ToList();
        foreach (var block in blocks)
            for (int offset = 0; offset < BlockBytes; offset += PageBytes) Marshal.WriteByte(block, offset, 1);
        foreach (var block in blocks) Marshal.FreeHGlobal(block);
    }

    /// <summary>Minor page faults of the calling thread (getrusage RUSAGE_THREAD; ru_minflt follows two timevals and four longs).</summary>
    private static long ThreadMinorFaults()
    {
        var usage = new long[18];
        Assert.Equal(0, getrusage(RusageThread, usage));
        return usage[8];
    }

    private const int RusageThread = 1;

    [DllImport("libc")]
    private static extern int getrusage(int who, long[] usage);
}
