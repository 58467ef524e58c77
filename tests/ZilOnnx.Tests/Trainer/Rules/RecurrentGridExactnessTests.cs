using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Rules.Local;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Z-IL against backprop on every case of the recurrent attribute grid (<see cref="RecurrentCaseGrid"/>: RNN, LSTM and GRU
/// nodes with every direction, layout, bias, initial state, sequence lengths, clip, activation and the GRU's
/// linear_before_reset either way), one node each trained on its first output, in float64 and float32. Whatever strategy
/// each step takes (a closed form, the gated ones keeping their gates, or an autograd tape), the update must equal
/// backprop's bit for bit, as for the fixture networks (<see cref="ZilClosedFormTests"/>), alone and in a verified step.
/// </summary>
public sealed class RecurrentGridExactnessTests
{
    public static IEnumerable<object[]> Cases() =>
        RecurrentCaseGrid.All.Where(c => !c.LeavesDisputedDefault)
            .SelectMany(c => new[] { Precision.Float64, Precision.Float32 }.Select(p => new object[] { c.ToString(), p }));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Zil_equals_backprop_bitwise_on_the_node(string description, Precision precision)
    {
        using var scope = NewDisposeScope();
        var c = RecurrentCaseGrid.All.Single(k => k.ToString() == description);
        var (onnx, feeds) = RecurrentNodeModel.Build(c, new RecurrentCaseTensors(c), c.Layout);
        using var model = new PcnModel(PcGraphBuilder.Build(onnx, description), precision, CPU);
        var inputs = feeds.Where(f => model.Graph.DataInputs.Any(d => d.Name == f.Key)).ToDictionary(f => f.Key, f => model.ToTensor(f.Value));
        manual_seed(c.Seed);
        var targets = randn(model.Graph.TrainingOutput.Shape, dtype: model.DType);
        var batch = new Batch(inputs, targets);

        var loss = new MeanSquaredErrorLoss();
        using var zil = new Zil().Compute(model, batch, loss);
        using var bp = new Backprop().Compute(model, batch, loss);
        Assert.All(ParameterDivergence.Compare(zil.Updates, bp.Updates),
            d => Assert.True(d.MaxAbs == 0, $"{description}/{precision}: {d.Name} differs from backprop by {d.MaxAbs:E3}"));

        // The verified step, from one forward pass where the steps share it (the gated closed forms take their gates from
        // backprop's recording): each rule's result is the one it computes alone.
        var (update, witness) = VerifiedStep.Compute(new Zil(), new Backprop(), model, batch, loss);
        using (update) RuleHarness.AssertSameResult(zil, update, $"{description}/{precision}: the verified step's zil");
        using (witness) RuleHarness.AssertSameResult(bp, witness!, $"{description}/{precision}: the verified step's backprop");
    }

    /// <summary>The grid reaches the closed forms it is meant to hold to backprop: GRU steps of both kinds and LSTM steps.</summary>
    [Fact]
    public void The_grid_takes_the_gated_closed_forms()
    {
        var closed = RecurrentCaseGrid.All.Where(c => !c.LeavesDisputedDefault).SelectMany(c =>
        {
            var (onnx, _) = RecurrentNodeModel.Build(c, new RecurrentCaseTensors(c), c.Layout);
            var graph = PcGraphBuilder.Build(onnx, c.ToString());
            return LocalStrategies.For(graph).Where(s => s.Value is ClosedFormStrategy).Select(s => s.Key.Op).OfType<RecurrentStepSpec>();
        }).ToList();
        Assert.Contains(closed, s => s.Cell == RecurrentCell.Gru && s.LinearBeforeReset);
        Assert.Contains(closed, s => s.Cell == RecurrentCell.Gru && !s.LinearBeforeReset);
        Assert.Contains(closed, s => s.Cell == RecurrentCell.Lstm);
    }
}
