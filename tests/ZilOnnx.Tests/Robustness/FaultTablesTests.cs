using Xunit;

namespace ZilOnnx.Tests.Robustness;

/// <summary>The robustness page's fault tables are compared without their measurements, but with everything else.</summary>
public sealed class FaultTablesTests
{
    private static string Page(string exit, string message, string seconds, string megabytes) =>
        $"# page\n{FaultTables.Open}\n| fault | command | exit code | message | time (s) | peak RSS (MB) |\n|---|---|---|---|---|---|\n" +
        $"| f | `zilonnx x` | {exit} | `{message}` | {seconds} | {megabytes} |\n{FaultTables.Close}\n";

    private static readonly string Written = Page("4", "error: step 2: the loss 1.093E+006 is 372837 times the first step's 2.931E+000", "2.0", "200");

    [Fact]
    public void Measurements_and_a_diverging_runs_losses_are_not_compared() =>
        Assert.Equal(FaultTables.Comparable(Written),
            FaultTables.Comparable(Page("4", "error: step 2: the loss 1.094E+006 is 372901.5 times the first step's 2.930E+000", "3.1", "214")));

    [Fact]
    public void The_memory_available_is_not_compared_but_the_estimate_is()
    {
        string Refusal(string needs, string available) =>
            Page("2", $"error: --batch-size 400000: one training step needs about {needs} GB, but {available} are available", "0.4", "205");
        Assert.Equal(FaultTables.Comparable(Refusal("604.3", "23.0 GB")), FaultTables.Comparable(Refusal("604.3", "812 MB")));
        Assert.NotEqual(FaultTables.Comparable(Refusal("604.3", "23.0 GB")), FaultTables.Comparable(Refusal("302.1", "23.0 GB")));
    }

    [Theory]
    [InlineData("2", "error: step 2: the loss 1.093E+006 is 372837 times the first step's 2.931E+000")]
    [InlineData("4", "error: step 3: the loss 1.093E+006 is 372837 times the first step's 2.931E+000")]
    [InlineData("4", "error: step 2: the energy 1.093E+006 is 372837 times the first step's 2.931E+000")]
    public void Exit_codes_and_messages_are(string exit, string message) =>
        Assert.NotEqual(FaultTables.Comparable(Written), FaultTables.Comparable(Page(exit, message, "2.0", "200")));
}
