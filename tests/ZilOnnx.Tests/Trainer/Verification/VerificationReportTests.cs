using System.Text.Json;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Verification;

/// <summary>The verdict of `verify`: a parameter whose divergence is NaN fails it, and the report still prints.</summary>
public sealed class VerificationReportTests
{
    private static VerificationReport Report(params ParameterDivergence[] parameters) => new("zil", "float64", 1, 1e-10, parameters);

    [Fact]
    public void A_nan_in_one_parameter_fails_verification()
    {
        var report = Report(new("a", 1e-15, 1e-12), new("b", double.NaN, double.NaN), new("c", 1e-16, 3e-13));
        Assert.False(report.Passed);
        Assert.True(double.IsNaN(report.MaxRelativeDivergence));
        Assert.True(double.IsNaN(report.MaxAbsoluteDivergence));
    }

    [Fact]
    public void Finite_divergences_within_the_tolerance_pass_and_none_at_all_is_zero()
    {
        Assert.True(Report(new("a", 1e-15, 1e-12), new("c", 1e-16, 3e-13)).Passed);
        Assert.Equal(1e-12, Report(new("a", 1e-15, 1e-12), new("c", 1e-16, 3e-13)).MaxRelativeDivergence);
        Assert.Equal(0, Report().MaxRelativeDivergence);
    }

    [Fact]
    public void The_json_of_a_nan_report_is_written_and_says_it_failed()
    {
        var report = Report(new("a", 1e-15, 1e-12), new("b", double.NaN, double.NaN));
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report.ToJson(), NonFiniteJson.Options));
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal("NaN", json.RootElement.GetProperty("max_rel_divergence").GetString());
        var text = new StringWriter();
        report.Print(text);
        Assert.Contains("FAILED", text.ToString());
    }
}
