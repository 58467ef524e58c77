using Google.Protobuf;
using Xunit;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Robustness;

/// <summary>
/// Files whose headers claim far more data than they hold (10^12 elements without data, dimensions whose product
/// overflows, an external length of 10^12, a folded constant of 10^12 elements) are refused having allocated about
/// what the file itself needs, not what it claims. Measured as the bytes this thread allocates during the attempt
/// (GC.GetAllocatedBytesForCurrentThread, exact for the synchronous load and unaffected by tests running beside it).
/// </summary>
public sealed class HostileMemoryTests
{
    public static TheoryData<string> HeaderLies => new(HostileModels.All.Where(c => c.HeaderLie).Select(c => c.Id));

    /// <summary>What loading any model costs beyond its bytes: parsing, validation, the converter's tables, messages.</summary>
    private const long Overhead = 1 << 20;

    [Theory]
    [MemberData(nameof(HeaderLies))]
    public void Header_lie_is_refused_without_allocating_what_it_claims(string id)
    {
        using var temp = new TempDirectory();
        var hostile = HostileModels.All.Single(c => c.Id == id);
        string folder = Directory.CreateDirectory(Path.Combine(temp.Path, id)).FullName;
        string model = hostile.Build(folder);
        long fileSize = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);

        ModelPipeline.Classify(model); // once to load code and fill caches, which are no part of the file's cost
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (outcome, error) = ModelPipeline.Classify(model);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(outcome is PipelineOutcome.RejectedModelFile or PipelineOutcome.RejectedConversion, $"{outcome}: {error}");
        Assert.True(allocated < 8 * fileSize + Overhead, $"{id}: allocated {allocated:N0} bytes for a {fileSize:N0}-byte file");
    }

    [Fact]
    public void The_template_itself_loads_within_the_same_bound()
    {
        // The bound is not so tight that a valid model of the same size would break it.
        using var temp = new TempDirectory();
        string model = temp.File("template.onnx");
        File.WriteAllBytes(model, HostileModels.Template().ToByteArray());
        ModelPipeline.Classify(model);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (outcome, error) = ModelPipeline.Classify(model);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(outcome == PipelineOutcome.Accepted, error?.ToString());
        Assert.True(allocated < 8 * new FileInfo(model).Length + Overhead, $"allocated {allocated:N0} bytes");
    }
}
