using Xunit;

namespace ZilOnnx.Tests.Robustness;

/// <summary>
/// Every fault around a run (<see cref="RunFaults"/>) ends as a user can act on: its documented exit code, one `error:`
/// line and no stack trace, nothing in its folder changed, added or left behind (pipes stay pipes, links stay links
/// to unchanged targets, no temporary or lock file), and a bounded peak memory.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class RunFaultTests(RunFaultRun run)
{
    /// <summary>The bound for a fault (a zip bomb included): far above the ~200 MB a run's libraries take.</summary>
    private const long PeakRssBoundKilobytes = 1024 * 1024;

    public static TheoryData<string> Ids() => [.. RunFaults.All.Select(f => f.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void A_fault_ends_with_its_exit_code_one_error_line_and_nothing_changed(string id)
    {
        var result = run.Of(id);
        Assert.True(result.ExitCode == result.Case.ExitCode, $"expected exit {result.Case.ExitCode}: {result}");
        var errors = result.ErrorLines;
        Assert.True(errors.Length == 1 && errors[0].StartsWith("error: ", StringComparison.Ordinal), $"expected one error line: {result}");
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal(result.Before.OrderBy(e => e.Key), result.After.OrderBy(e => e.Key));
        Assert.True(result.PeakRssKilobytes < PeakRssBoundKilobytes, $"peak RSS {result.PeakRssKilobytes} kB: {result}");
    }
}
