using Xunit.Abstractions;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The recurrent grid really covers what it claims: every value of every attribute, each in at least two cases
/// that are computed and compared (a case the converter refuses does not count).
/// </summary>
public sealed class RecurrentCaseGridTests(ITestOutputHelper output)
{
    private static IEnumerable<(string Attribute, string Value)> Values(RecurrentCase c)
    {
        yield return ("cell", c.Cell.ToString());
        yield return ("opset", c.Opset.ToString());
        yield return ("layout", c.Layout.ToString());
        yield return ("direction", c.Direction);
        yield return ("bias", c.Bias.ToString());
        yield return ("initial_h", c.InitialH.ToString());
        if (c.InitialH || c.InitialC) yield return ("initial states as data", c.InitialStatesAsData.ToString());
        yield return ("sequence_lens", c.SequenceLengths is null ? "absent" : "given");
        foreach (int length in c.SequenceLengths ?? [])
            yield return ("sequence length", length == 0 ? "0" : length == 1 ? "1" : length == c.Steps ? "T" : "between");
        yield return ("clip", c.Clip?.ToString() ?? "absent");
        yield return ("activations", c.Activations is null ? "absent" : "given");
        foreach (string name in c.EffectiveActivations) yield return ("activation", name);
        if (c.Activations is not null) yield return ("activation_alpha", c.Alphas is null ? "absent" : "given");
        if (c.Activations is not null) yield return ("activation_beta", c.Betas is null ? "absent" : "given");
        yield return ("outputs", string.Join(",", c.OutputNames.Where(n => n != "")));
        yield return ("steps", c.Steps.ToString());
        yield return ("batch", c.Batch.ToString());
        yield return ("input size", c.InputSize.ToString());
        yield return ("hidden size", c.Hidden.ToString());
        if (c.Cell == RecurrentCell.Lstm)
        {
            yield return ("LSTM initial_c", c.InitialC.ToString());
            yield return ("LSTM input_forget", c.InputForget?.ToString() ?? "absent");
            yield return ("LSTM peepholes", c.Peepholes.ToString());
            foreach (string name in c.EffectiveActivations) yield return ("LSTM activation", name);
        }
        if (c.Cell == RecurrentCell.Gru)
        {
            yield return ("GRU linear_before_reset", c.LinearBeforeReset?.ToString() ?? "absent");
            foreach (string name in c.EffectiveActivations) yield return ("GRU activation", name);
        }
        if (c.Cell == RecurrentCell.Rnn)
            foreach (string name in c.EffectiveActivations) yield return ("RNN activation", name);
    }

    [Fact]
    public void Every_attribute_value_occurs_at_least_twice()
    {
        var compared = RecurrentCaseGrid.All.Where(c => !c.LeavesDisputedDefault).ToList();
        output.WriteLine($"{RecurrentCaseGrid.All.Count} cases: {compared.Count} compared, {RecurrentCaseGrid.All.Count - compared.Count} refused for a disputed default");
        var counts = compared.SelectMany(Values).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        string[] activations = [.. RecurrentCaseGrid.PlainActivations, .. RecurrentCaseGrid.ParameterisedActivations];
        var expected = new List<(string, string)>();
        foreach (var cell in Enum.GetValues<RecurrentCell>()) expected.Add(("cell", cell.ToString()));
        foreach (int opset in RecurrentCaseGrid.Opsets) expected.Add(("opset", opset.ToString()));
        expected.AddRange([("layout", "0"), ("layout", "1"), ("direction", "forward"), ("direction", "reverse"), ("direction", "bidirectional")]);
        foreach (string a in new[] { "bias", "initial_h", "initial states as data", "LSTM initial_c", "LSTM peepholes" })
            expected.AddRange([(a, "True"), (a, "False")]);
        expected.AddRange([("sequence_lens", "absent"), ("sequence_lens", "given"), ("sequence length", "0"), ("sequence length", "1"),
            ("sequence length", "T"), ("sequence length", "between"), ("clip", "absent"), ("clip", "0.5"), ("clip", "1.25"),
            ("activations", "absent"), ("activations", "given"), ("activation_alpha", "absent"), ("activation_alpha", "given"),
            ("activation_beta", "absent"), ("activation_beta", "given"),
            ("outputs", "Y"), ("outputs", "Y_h"), ("outputs", "Y_c"), ("outputs", "Y,Y_h"), ("outputs", "Y,Y_h,Y_c")]);
        foreach (string v in new[] { "absent", "0", "1" }) expected.AddRange([("LSTM input_forget", v), ("GRU linear_before_reset", v)]);
        for (int n = 1; n <= 5; n++) expected.Add(("steps", n.ToString()));
        for (int n = 1; n <= 3; n++) expected.Add(("batch", n.ToString()));
        for (int n = 2; n <= 4; n++) expected.AddRange([("input size", n.ToString()), ("hidden size", n.ToString())]);
        foreach (string cell in new[] { "RNN", "LSTM", "GRU" })
            foreach (string name in activations) expected.Add(($"{cell} activation", name));

        var rare = expected.Where(v => counts.GetValueOrDefault(v) < 2).Select(v => $"{v.Item1}={v.Item2} ({counts.GetValueOrDefault(v)})").ToList();
        Assert.True(rare.Count == 0, $"covered fewer than twice: {string.Join(", ", rare)}");
    }
}
