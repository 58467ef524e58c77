using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Rules.Local;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Z-IL takes the written-out local products (IClosedForm) wherever a closed form covers the vertex, beside autograd
/// tapes for the rest, and its update still equals backprop's to the last bit.
/// </summary>
public sealed class ZilClosedFormTests
{
    [Theory]
    [InlineData("rnn_tanh", Precision.Float64)]
    [InlineData("rnn_tanh", Precision.Float32)]
    [InlineData("rnn_relu", Precision.Float32)]
    [InlineData("rnn_initial_h", Precision.Float32)]
    [InlineData("mlp", Precision.Float64)]
    [InlineData("mlp", Precision.Float32)]
    [InlineData("residual_mlp", Precision.Float32)]
    [InlineData("lenet5", Precision.Float32)]
    [InlineData("lstm", Precision.Float32)]
    [InlineData("lstm_many_to_many", Precision.Float64)]
    [InlineData("lstm_many_to_many", Precision.Float32)]
    [InlineData("gru", Precision.Float64)]
    [InlineData("gru", Precision.Float32)]
    public void Zil_takes_the_closed_forms_and_equals_backprop_bitwise(string network, Precision precision)
    {
        using var scope = NewDisposeScope();
        using var model = Fixtures.Model(network, "mse", precision);
        var batch = RuleHarness.FirstBatch(model, network, "mse");

        var strategies = LocalStrategies.For(model.Graph);
        var written = model.Graph.Vertices.Where(v => v.ReachesOutput && PcGraph.IsFree(v) && IsWrittenOut(v)).ToList();
        Assert.NotEmpty(written);
        foreach (var v in model.Graph.Vertices.Where(v => v.ReachesOutput && PcGraph.IsFree(v)
            && v.Op is RecurrentStepSpec or GemmSpec or MatMulSpec or ReshapeSpec or TransposeSpec or SqueezeSpec or ConcatSpec))
        {
            bool closedForm = strategies[v] is ClosedFormStrategy;
            Assert.True(closedForm == written.Contains(v), $"{network}: {v.Name} ({v.Op.OpType}) closed form {closedForm}");
        }

        var loss = new MeanSquaredErrorLoss();
        using var zil = new Zil().Compute(model, batch, loss);
        using var bp = new Backprop().Compute(model, batch, loss);
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        // Bit for bit on any machine, not to a tolerance: Z-IL forms every product with the operations autograd's
        // backward runs for it (the closed forms with those of mm's, addmm's and sum_to's backward, on the same
        // layouts; the rest on tapes of the same kernels), on the same values in this process (libtorch aligns every
        // tensor it allocates alike), and adds the terms in autograd's order. The same kernel on the same data sums in
        // the same order whatever SIMD width or thread count the machine gives libtorch (this holds with
        // ATEN_CPU_CAPABILITY=default, avx2 or avx512, and with OMP_NUM_THREADS=1), so a difference even in the last
        // bit means Z-IL's operations or their order left autograd's.
        Assert.All(ParameterDivergence.Compare(zil.Updates, bp.Updates),
            d => Assert.True(d.MaxAbs == 0, $"{network}/{precision}: {d.Name} differs from backprop by {d.MaxAbs:E3}"));
    }

    /// <summary>
    /// What the closed forms cover, stated on its own: an RNN step (tanh or relu), a GRU step (sigmoid and tanh) and an LSTM step (sigmoid, tanh and tanh, no peepholes or input_forget), each without clip or lengths and
    /// with its initial state not trained; a Gemm with alpha = beta = 1, a MatMul by a matrix or of stacks with the same batch axes, and the
    /// operators that only move values.
    /// </summary>
    private static bool IsWrittenOut(Vertex v) => v.Op switch
    {
        RecurrentStepSpec s => IsWrittenOutCell(s, v) && s.Clip is null
                               && v.Operands[RecurrentSlots.SequenceLengths] is Operand.Absent
                               && v.Operands[RecurrentSlots.InitialH] is Operand.Absent or Operand.FromConstant,
        GemmSpec g => g.Alpha == 1.0 && (g.Beta == 1.0 || v.Operands.Count < 3 || v.Operands[2] is Operand.Absent),
        MatMulSpec => OperandShape(v, 1).Length == 2
                       || OperandShape(v, 0).Length == OperandShape(v, 1).Length && OperandShape(v, 0)[..^2].SequenceEqual(OperandShape(v, 1)[..^2]),
        ReshapeSpec or TransposeSpec or SqueezeSpec or ConcatSpec => true,
        _ => false,
    };

    private static bool IsWrittenOutCell(RecurrentStepSpec s, Vertex v) => s.Cell switch
    {
        RecurrentCell.Rnn => s.Activations[0].Name is "Tanh" or "Relu",
        RecurrentCell.Gru => s.Activations.Take(2).Select(a => a.Name).SequenceEqual(["Sigmoid", "Tanh"]),
        _ => !s.InputForget && v.Operands[RecurrentSlots.P] is Operand.Absent
             && s.Activations.Take(3).Select(a => a.Name).SequenceEqual(["Sigmoid", "Tanh", "Tanh"]),
    };

    private static long[] OperandShape(Vertex v, int slot) => v.Operands[slot] switch
    {
        Operand.FromVertex f => f.Source.Shape,
        Operand.FromParameter p => p.View.Shape,
        Operand.FromConstant c => c.Value.Shape,
        _ => [],
    };
}
