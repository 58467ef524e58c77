using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Verification;

/// <summary>
/// A verified Z-IL step records one forward pass for Z-IL and its witness (<see cref="Zil.ComputeWithWitness"/>). Sharing
/// it must change nothing either rule computes: the witness is exactly what backprop computes alone (so nothing of Z-IL's
/// reaches it) and Z-IL's update exactly what Z-IL computes alone (so a fault in Z-IL shows in the comparison as it did with
/// two forward passes). Bit for bit, not to a tolerance: the shared values are those of the same kernels on the same
/// inputs, and everything after them is each rule's own arithmetic, unchanged.
/// </summary>
public sealed class VerifiedStepTests
{
    public static IEnumerable<object[]> Cases() => RuleHarness.NetworksLossesPrecisions();

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_forward_pass_gives_each_rule_its_own_update_bit_for_bit(string network, string loss, Precision precision)
    {
        using var model = Fixtures.Model(network, loss, precision);
        AssertSharingChangesNothing(model, RuleHarness.FirstBatch(model, network, loss), LossFactory.Create(loss), $"{network}/{loss}/{precision}");
    }

    /// <summary>
    /// `--verify-beside`: the witness's backward on a thread of its own beside Z-IL's sweep, each with half the threads
    /// (<see cref="WitnessBeside"/>). Running at once changes nothing either computes: each result is its rule's alone with
    /// that thread count (libtorch's sums may round otherwise with another count, so the rules alone take it too).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Side_by_side_each_rule_still_gives_its_own_update_bit_for_bit(string network, string loss, Precision precision)
    {
        using var model = Fixtures.Model(network, loss, precision);
        AssertSharingChangesNothing(model, RuleHarness.FirstBatch(model, network, loss), LossFactory.Create(loss),
            $"{network}/{loss}/{precision} beside", beside: true);
    }

    /// <summary>The layer-normalized fixture: a fused LayerNormalization vertex beside MatMuls, a transformer's pieces.</summary>
    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void A_layer_norm_model_shares_its_forward_pass_exactly(Precision precision)
    {
        string path = Fixtures.PathOf("layer_norm.onnx");
        var graph = PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions { TrainOnLogits = true });
        using var model = new PcnModel(graph, precision, CPU);
        var input = graph.DataInputs.Single();
        manual_seed(4);
        var x = randn(input.Shape, dtype: model.DType);
        var y = randint(0, graph.TrainingOutput.Shape[^1], [input.Shape[0]], dtype: ScalarType.Int64);
        AssertSharingChangesNothing(model, new Batch(new Dictionary<string, Tensor> { [input.Name] = x }, y), new CrossEntropyLoss(),
            $"layer_norm/{precision}");
    }

    /// <summary>
    /// Z-IL reruns the kernels of recurrent steps it keeps on tapes (here an RNN with sequence lengths), so there a shared
    /// forward pass would save nothing; the LSTM and GRU steps PyTorch exports take closed forms and share.
    /// </summary>
    [Theory]
    [InlineData("lenet5", true)]
    [InlineData("residual_mlp", true)]
    [InlineData("rnn_tanh", true)]
    [InlineData("lstm", true)]
    [InlineData("gru", true)]
    [InlineData("rnn_seq_lens", false)]
    public void Sharing_is_left_out_where_zil_runs_the_recurrent_steps_again_anyway(string network, bool shares)
    {
        var graph = Fixtures.Graph(network, "ce");
        Assert.Equal(shares, VerifiedStep.SharesForwardPass(graph));
        // The memory estimate counts both rules' tapes only where they are held at once.
        var verified = StepMemoryEstimate.For(graph, Precision.Float32, new Zil(), "sgd", verified: true);
        var alone = StepMemoryEstimate.For(graph, Precision.Float32, new Zil(), "sgd", verified: false);
        Assert.Equal(shares ? 2 * alone.Tapes : alone.Tapes, verified.Tapes);
    }

    [Fact]
    public void Only_an_unchunked_zil_step_shares()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, "mlp", "mse");
        var loss = new MeanSquaredErrorLoss();
        // Any other pair takes a forward pass each and gives what the two rules give alone.
        var (update, witness) = VerifiedStep.Compute(RuleFactory.Create("zil-relaxed"), new Backprop(), model, batch, loss);
        using var relaxed = RuleFactory.Create("zil-relaxed").Compute(model, batch, loss);
        RuleHarness.AssertSameResult(relaxed, update, "zil-relaxed");
        using (var bp = new Backprop().Compute(model, batch, loss)) RuleHarness.AssertSameResult(bp, witness!, "its witness");
        update.Dispose();
        witness!.Dispose();
        var (alone, none) = VerifiedStep.Compute(new Zil(), null, model, batch, loss);
        Assert.Null(none);
        alone.Dispose();
    }

    private static void AssertSharingChangesNothing(PcnModel model, Batch batch, ILoss loss, string what, bool beside = false)
    {
        using var scope = NewDisposeScope();
        int threads = get_num_threads();
        var (update, witness) = VerifiedStep.Compute(new Zil(), new Backprop(), model, batch, loss, beside);
        Assert.Equal(threads, get_num_threads());
        int alone = beside ? WitnessBeside.ThreadsEach(model.Device.type) ?? threads : threads;
        var (zil, bp) = RuleHarness.WithThreads(alone,
            () => (new Zil().Compute(model, batch, loss), new Backprop().Compute(model, batch, loss)));
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        RuleHarness.AssertSameResult(zil, update, $"{what}: zil");
        RuleHarness.AssertSameResult(bp, witness!, $"{what}: the witness");
    }
}
