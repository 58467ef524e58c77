namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// Integer-typed data cases convert but are not claimed: the PCN trains floating-point tensors, so their results
/// are not compared. Listed by name so that such a case cannot turn into a failure or vanish unnoticed.
/// </summary>
public sealed class IntegerDataConformanceTests(ConformanceSuiteRun run) : IClassFixture<ConformanceSuiteRun>
{
    public static IEnumerable<object[]> Cases() => RequiredCases.IntegerDataNotClaimed.Select(c => new object[] { c.Suite, c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Integer_data_case_converts_and_is_not_claimed(string suite, string name)
    {
        var outcome = run.Find(suite, name);
        Assert.True(outcome.Status == CaseStatus.NotClaimed, $"{suite}/{name}: {outcome.Status}: {outcome.Detail}");
        Assert.Contains("its data is not floating point", outcome.Detail);
    }
}
