using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Studies;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Classic IL against BP as the relaxation runs longer (T), with the energy stop (`--tol`) and when the output's
/// error nodes are small next to the hidden ones (the known result of Whittington and Bogacz, 2017).
/// </summary>
public sealed class IlConvergenceTests
{
    private static Batch FirstBatch(PcnModel model, string fixture, string loss)
    {
        var data = Fixtures.Data(fixture, loss);
        return data.Take(new BatchOrder(data.Count, RuleHarness.BatchSize, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
    }

    private static double Divergence(PcnModel model, Batch batch, ILoss loss, ILearningRule rule)
    {
        using var result = rule.Compute(model, batch, loss);
        using var bp = new Backprop().Compute(model, batch, loss);
        return ParameterDivergence.Compare(result.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();
    }

    /// <summary>
    /// At T = 1 only the output's error is non-zero, so every hidden parameter's update is 0 and the relative divergence
    /// is 1 (at least 0.5 asserted). Relaxed to equilibrium (gamma 0.1, T 500: F has settled to 1e-5 relative by
    /// T 300) with the output's energy weighted by s (its errors s times smaller; the update divided by s again, as the
    /// rule returns it), il approaches BP: to first order the equilibrium errors are BP's times (I + s J J^T / B)^-1, so the
    /// divergence falls with s. Measured on this network: 0.98 at s = 1, 1.2e-3 at s = 1e-3, 3.0e-4 at s = 1e-4;
    /// asserted: over 0.5 at s = 1, under 1e-3 at s = 1e-4, and at least twice smaller at 1e-4 than at 1e-3.
    /// </summary>
    [Fact]
    public void Il_at_equilibrium_approaches_backprop_when_output_errors_are_small_and_is_far_from_it_at_one_step()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var batch = FirstBatch(model, "mlp", "mse");
        ILoss full = new MeanSquaredErrorLoss();

        double oneStep = Divergence(model, batch, full, new Il(1, 0.1));
        double equilibriumFull = Divergence(model, batch, full, new Il(500, 0.1));
        double smaller = Divergence(model, batch, full, new Il(500, 0.1, outputWeight: 1e-3));
        double smallest = Divergence(model, batch, full, new Il(500, 0.1, outputWeight: 1e-4));

        Assert.True(oneStep >= 0.5, $"T = 1: divergence {oneStep:E3}");
        Assert.True(equilibriumFull > 0.5, $"T = 500, full-size output errors: divergence {equilibriumFull:E3}");
        Assert.True(smallest < 1e-3, $"T = 500, output errors scaled by 1e-4: divergence {smallest:E3}");
        Assert.True(smallest * 2 < smaller, $"T = 500: divergence {smaller:E3} at 1e-3, {smallest:E3} at 1e-4");
    }

    /// <summary>
    /// `--output-weight S` as a user runs it: il near equilibrium (T 300, gamma 0.1) moves towards backprop as S falls
    /// from 1 through 0.1 to 0.01. Measured: 0.98, 0.12 and 1.2e-2 relative; asserted: each at most 0.8 times the one before
    /// and the last under 2e-2 (to first order the factor (I + S J J^T / B)^-1 departs from I by about S J J^T / B, so the
    /// divergence falls about as S once S J J^T / B is small).
    /// </summary>
    [Fact]
    public void Il_s_distance_to_backprop_falls_with_the_output_weight()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var batch = FirstBatch(model, "mlp", "mse");
        var loss = new MeanSquaredErrorLoss();
        var divergences = new[] { 1.0, 0.1, 0.01 }.Select(s => Divergence(model, batch, loss, new Il(300, 0.1, outputWeight: s))).ToList();
        string seen = string.Join(", ", divergences.Select(d => d.ToString("E3")));
        Assert.True(divergences[1] <= 0.8 * divergences[0] && divergences[2] <= 0.8 * divergences[1], $"S = 1, 0.1, 0.01: {seen}");
        Assert.True(divergences[2] < 2e-2, $"S = 0.01: {seen}");
    }

    /// <summary>
    /// One relaxation of T_max steps gives il's update for every T: the point at T is bitwise what a separate il run
    /// with T steps gives, because il's dynamics do not depend on T.
    /// </summary>
    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet5")]
    [InlineData("rnn_tanh")]
    public void A_sweep_over_T_gives_what_separate_runs_give(string network)
    {
        using var model = Fixtures.Model(network, "mse", Precision.Float64);
        var batch = FirstBatch(model, network, "mse");
        var loss = new MeanSquaredErrorLoss();
        var points = IlStudy.SweepInferenceSteps(model, batch, loss, 0.1, [1, 3, 7]);
        Assert.Equal([1, 3, 7], points.Select(p => p.InferenceSteps));
        // Equal, not close: the sweep's relaxation and each separate run are the same operations on the same tensors in
        // this process, adding each parameter's terms in the same order, and so is the backprop witness each is
        // compared with; nothing differs that rounding could differ in.
        foreach (var point in points)
            Assert.Equal(Divergence(model, batch, loss, new Il(point.InferenceSteps, 0.1)), point.MaxRelativeDivergence);
    }

    /// <summary>
    /// `--tol`: the relaxation stops at the first step whose energy changed by at most tol relative, and reports it.
    /// The energy of il at gamma 0.1 falls (gradient descent on F below its stability bound; near its minimum it
    /// wobbles by 1e-5 relative across ReLU kinks), so a loose tolerance stops early and a tolerance of 0 never does.
    /// </summary>
    [Fact]
    public void The_energy_tolerance_stops_the_relaxation_early_and_reports_the_steps_used()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var batch = FirstBatch(model, "mlp", "mse");
        var loss = new MeanSquaredErrorLoss();
        var energy = IlStudy.Energy(model, batch, loss, new Il(200, 0.1));
        Assert.True(energy[^1].Energy < 0.95 * energy[0].Energy, $"F {energy[0].Energy} -> {energy[^1].Energy}");
        // The first step t >= 2 (1-based) whose relative change is at most tol is where il --tol stops.
        const double tolerance = 1e-3;
        int expected = energy.Skip(1).First(s => Math.Abs(s.Energy - energy[s.Step - 2].Energy) <= tolerance * Math.Abs(energy[s.Step - 2].Energy)).Step;

        using var stopped = new Il(200, 0.1, energyTolerance: tolerance).Compute(model, batch, loss);
        Assert.Equal(expected, stopped.InferenceSteps);
        Assert.True(expected < 200, $"stopped at {expected}");
        using var full = new Il(200, 0.1, energyTolerance: 0).Compute(model, batch, loss);
        Assert.Equal(200, full.InferenceSteps);

        // The stopped run's update is il's update with T = the steps it used, bit for bit: the tolerance only reads the
        // energy, so both runs are the same operations on the same tensors in this process.
        using var same = new Il(expected, 0.1).Compute(model, batch, loss);
        foreach (var (name, update) in same.Updates) Assert.True((update - stopped.Updates[name]).abs().max().item<double>() == 0, name);
    }
}
