using System.Text;
using System.Text.Json;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Settings;
using ZilOnnx.Trainer.Studies;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Studies;

/// <summary>
/// `verify --dump`'s archive, written and read back with the project's own .npz reader: its shapes, and its numbers against
/// what they are defined to be (the feed-forward pass, the loss gradient at the output, F, zil-relaxed's errors).
/// The residual MLP is levelled (identity vertices), and its exporter names hold '/'.
/// </summary>
public sealed class VertexDumpTests
{
    private const string Network = "residual_mlp", Loss = "mse";

    [Fact]
    public void A_zil_dump_holds_the_forward_values_and_at_the_output_the_negative_loss_gradient()
    {
        using var model = Fixtures.Model(Network, Loss, Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, Network, Loss);
        var loss = LossFactory.Create(Loss);
        var dump = VertexDump.Capture(model, batch, loss, new Zil());
        var divergences = Divergences(model, batch, loss);
        dump.AddDivergences(divergences);
        dump.AddDivergences(divergences);
        var (arrays, index) = WriteAndRead(dump);

        Assert.Equal("schedule", index.GetProperty("mode").GetString());
        Assert.Equal(new long[] { 1 }, arrays["steps"].Shape);
        var forward = model.Forward(batch.Inputs);
        var output = model.Graph.TrainingOutput;
        foreach (var (v, key) in Keys(model, index))
        {
            long[] shape = [1, .. forward[v].shape];
            Assert.Equal(shape, arrays[$"value.{key}"].Shape);
            Assert.Equal(shape, arrays[$"error.{key}"].Shape);
            Assert.Equal(new long[] { 1 }, arrays[$"energy.{key}"].Shape);
            // zil's strategies compute the same forward functions as the PCN forward pass, some by other kernels: float64
            // rounding (1e-16 relative per operation, a few operations deep) stays far below 1e-12.
            AssertClose(Host(forward[v]), arrays[$"value.{key}"].Values, 1e-12, $"value of {v.Name}");
            double[] error = arrays[$"error.{key}"].Values;
            if (v != output) Assert.Equal(error.Sum(e => e * e) / 2, arrays[$"energy.{key}"].Values[0], 12);
            Assert.True(error.Any(e => e != 0), $"{v.Name}: the error at its step d(v) is all zero, so checking it shows nothing");
        }
        // eps_out = -dLoss/d(mu_out) (docs/zil.md section 1), from autograd on the loss alone; its term of F is the loss.
        var outputKey = Keys(model, index).Single(k => k.Vertex == output).Key;
        var (gradient, lossValue) = LossGradient(loss, forward[output], batch.Targets);
        AssertClose(gradient.Select(g => -g).ToArray(), arrays[$"error.{outputKey}"].Values, 1e-14, "error of the output");
        Assert.Equal(lossValue, arrays[$"energy.{outputKey}"].Values[0], 14);
        foreach (var d in divergences)
        {
            string key = index.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == d.Name)
                .GetProperty("key").GetString()!;
            Assert.Equal(new[] { d.MaxRel, d.MaxRel }, arrays[$"divergence.{key}"].Values);
            Assert.Equal(new[] { d.MaxAbs, d.MaxAbs }, arrays[$"divergence_abs.{key}"].Values);
        }
    }

    [Fact]
    public void A_relaxation_dump_starts_from_the_forward_pass_and_its_energy_terms_sum_to_F_at_every_step()
    {
        using var model = Fixtures.Model(Network, Loss, Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, Network, Loss);
        var loss = LossFactory.Create(Loss);
        const int steps = 7;
        var dump = VertexDump.Capture(model, batch, loss, new Il(steps, gamma: 0.2));
        var (arrays, index) = WriteAndRead(dump);
        var trace = new InferenceTrace(model, backprop: null);
        using (new Il(steps, gamma: 0.2).Observed(trace).Compute(model, batch, loss)) { }

        Assert.Equal("relaxation", index.GetProperty("mode").GetString());
        Assert.Equal(Enumerable.Range(0, steps).Select(s => (double)s), arrays["steps"].Values);
        var forward = model.Forward(batch.Inputs);
        var output = model.Graph.TrainingOutput;
        var energy = new double[steps];
        foreach (var (v, key) in Keys(model, index))
        {
            var value = arrays[$"value.{key}"];
            Assert.Equal([steps, .. forward[v].shape], value.Shape);
            Assert.Equal(value.Shape, arrays[$"error.{key}"].Shape);
            int rowLength = value.Values.Length / steps;
            // Step 0 starts from the feed-forward state (C1), which the relaxation takes from this very forward pass.
            Assert.Equal(Host(forward[v]), value.Values[..rowLength]);
            double[] firstErrors = arrays[$"error.{key}"].Values[..rowLength];
            if (v != output) Assert.All(firstErrors, e => Assert.Equal(0.0, e));
            else AssertClose(LossGradient(loss, forward[v], batch.Targets).Gradient.Select(g => -g).ToArray(), firstErrors, 1e-14,
                "error of the output");
            for (int t = 0; t < steps; t++) energy[t] += arrays[$"energy.{key}"].Values[t];
        }
        // The same relaxation, observed twice: F is the sum of the terms (up to the order of summation: 1e-14 relative).
        for (int t = 0; t < steps; t++) Assert.Equal(trace.Steps[t].Energy, energy[t], 1e-14 * trace.Steps[t].Energy);
        Assert.True(energy[^1] < energy[0], string.Join(", ", energy));
    }

    [Fact]
    public void Zil_relaxed_errors_at_each_vertexs_own_step_are_zils_scheduled_errors()
    {
        using var model = Fixtures.Model(Network, Loss, Precision.Float64);
        var batch = RuleHarness.FirstBatch(model, Network, Loss);
        var loss = LossFactory.Create(Loss);
        var (scheduled, _) = WriteAndRead(VertexDump.Capture(model, batch, loss, new Zil()));
        var (relaxed, index) = WriteAndRead(VertexDump.Capture(model, batch, loss, RuleFactory.Create("zil-relaxed")));

        foreach (var (v, key) in Keys(model, index))
        {
            var errors = relaxed[$"error.{key}"];
            int rowLength = errors.Values.Length / (int)errors.Shape[0];
            // Two exact rules reaching the BP error by different sums: float64 rounding, far below 1e-12 of the error's size.
            AssertClose(scheduled[$"error.{key}"].Values, errors.Values.AsSpan(v.Depth * rowLength, rowLength).ToArray(), 1e-12,
                $"error of {v.Name} at step {v.Depth}");
        }
    }

    [Fact]
    public void Backprop_has_no_value_or_error_nodes_to_dump()
    {
        using var model = Fixtures.Model(Network, Loss, Precision.Float64);
        var error = Assert.Throws<SettingException>(() => VertexDump.Capture(model, RuleHarness.FirstBatch(model, Network, Loss),
            LossFactory.Create(Loss), new Backprop()));
        Assert.Contains("rule bp has no value or error nodes", error.Message);
    }

    private static IReadOnlyList<ParameterDivergence> Divergences(PcnModel model, Batch batch, ILoss loss)
    {
        using var zil = new Zil().Compute(model, batch, loss);
        using var bp = new Backprop().Compute(model, batch, loss);
        return ParameterDivergence.Compare(zil.Updates, bp.Updates);
    }

    private static (OrderedDictionary<string, HostTensor> Arrays, JsonElement Index) WriteAndRead(VertexDump dump)
    {
        using var temp = new TempDirectory();
        string path = temp.File("dump.npz");
        dump.Write(path);
        var arrays = NpzArchive.Read(path);
        string json = Encoding.UTF8.GetString(arrays[VertexDump.IndexArray].Values.Select(b => (byte)b).ToArray());
        return (arrays, JsonDocument.Parse(json).RootElement.Clone());
    }

    /// <summary>Every free vertex with its array key, from the index: one key each, none holding '/'.</summary>
    private static List<(Vertex Vertex, string Key)> Keys(PcnModel model, JsonElement index)
    {
        var byName = model.Graph.Vertices.Where(PcGraph.IsFree).ToDictionary(v => v.Name);
        var keys = index.GetProperty("vertices").EnumerateArray()
            .Select(e => (byName[e.GetProperty("name").GetString()!], e.GetProperty("key").GetString()!)).ToList();
        Assert.Equal(byName.Count, keys.Count);
        Assert.Equal(keys.Count, keys.Select(k => k.Item2).Distinct().Count());
        Assert.All(keys, k => Assert.DoesNotContain('/', k.Item2));
        return keys;
    }

    private static (double[] Gradient, double Loss) LossGradient(ILoss loss, Tensor output, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var leaf = output.detach().clone().requires_grad_(true);
        var value = loss.Value(leaf, targets);
        var gradient = autograd.grad([value], [leaf])[0];
        return (Host(gradient), value.ToDouble());
    }

    private static double[] Host(Tensor t)
    {
        using var host = t.detach().to(ScalarType.Float64, CPU).contiguous();
        return host.data<double>().ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= relative * scale, $"{what}: differs by {worst:E3}, over {relative:E0} of its size {scale:E3}");
    }
}
