using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// fixed_batch4.onnx, a torch export at batch 4 without dynamic axes, trained on a batch of 8: two chunks of 4 whose
/// updates are averaged must give PyTorch's update of the mean loss over all 8 (fixed_batch4.expected.npz).
/// </summary>
public sealed class ChunkedRuleTests
{
    [Theory]
    [InlineData("zil")]
    [InlineData("bp")]
    public void Chunks_of_the_fixed_batch_give_autograds_update_of_the_whole_batch(string ruleName)
    {
        string path = Fixtures.PathOf("fixed_batch4.onnx");
        var graph = PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions { TrainOnLogits = true });
        Assert.Equal([4L, 5L], graph.DataInputs.Single().Shape);
        using var model = new PcnModel(graph, Precision.Float64, CPU);
        var arrays = Fixtures.Arrays("fixed_batch4.npz");
        var data = new DataSet(path, "x", arrays["x"], arrays["y"]);
        var batch = data.Take(new BatchOrder(data.Count, 8, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
        var rule = ChunkedRule.For(RuleFactory.Create(ruleName), graphBatch: 4, batchSize: 8);
        Assert.IsType<ChunkedRule>(rule);

        using var result = rule.Compute(model, batch, LossFactory.Create("ce"));
        var expected = Fixtures.Arrays("fixed_batch4.expected.npz");
        foreach (var (name, update) in result.Updates)
        {
            var grad = expected["grad." + name].Values;
            using var values = update.to(ScalarType.Float64).contiguous();
            double[] actual = values.data<double>().ToArray();
            double scale = grad.Max(Math.Abs);
            Assert.True(scale > 1e-3, $"{name}: PyTorch's gradient is {scale:E3} at most, so matching it proves nothing");
            // float64 on both sides; only the order of the sums differs (two chunk means averaged, against one mean
            // of 8), which moves the last bits: 1e-12 of the largest gradient.
            for (int i = 0; i < grad.Length; i++)
                Assert.True(Math.Abs(actual[i] + grad[i]) <= 1e-12 * scale, $"{name}[{i}]: update {actual[i]:R}, PyTorch's gradient {grad[i]:R}");
        }
    }

    [Fact]
    public void A_batch_the_graph_takes_whole_is_not_chunked()
    {
        var zil = new Zil();
        Assert.Same(zil, ChunkedRule.For(zil, graphBatch: 8, batchSize: 8));
    }
}
