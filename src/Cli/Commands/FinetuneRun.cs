using System.Diagnostics;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Commands;

/// <summary>One fine-tuning run: the loop, its progress, held-out evaluations, metrics, plot, checkpoints and the export.</summary>
public sealed class FinetuneRun(TrainingSetup setup, VerificationPolicy policy)
{
    public required string OutputPath { get; init; }
    /// <summary>--data as the user gave it, for the resume command printed on interruption.</summary>
    public required string DataArgument { get; init; }
    public string? MetricsPath { get; init; }
    public string? PlotPath { get; init; }
    public int HeldOutEvery { get; init; }
    public int CheckpointEvery { get; init; }
    public required string CheckpointPath { get; init; }
    public bool Quiet { get; init; }
    public double? MaxUpdateNorm { get; init; }

    public int Execute()
    {
        var trainer = new Trainer.Training.Trainer(setup.Model, setup.Rule, setup.Loss, setup.Optimizer, setup.Data, setup.Order, policy)
        {
            StepsTaken = setup.State.Step,
            Guard = new NumericalGuard { MaxUpdateNorm = MaxUpdateNorm },
        };
        PrintHeader(trainer.StepsTaken);
        var progress = new ProgressDisplay(trainer.StepsTaken, setup.TotalSteps, setup.Order.BatchSize, setup.Data.Count, Quiet, ProgressDisplay.ConsoleIsInteractive);
        var history = new TrainingHistory();
        EvaluationResult? before = EvaluateHeldOut(trainer.StepsTaken, "before training", history, progress);

        using var metrics = MetricsPath == null ? null : new MetricsWriter(MetricsPath, append: setup.Resumed != null);
        using var interruption = new Interruption();
        double maxRel = 0, maxAbs = 0;
        long verified = 0;
        var clock = Stopwatch.StartNew();
        while (trainer.StepsTaken < setup.TotalSteps)
        {
            var step = trainer.Step();
            history.Steps.Add(step);
            if (step.MaxRelativeDivergence is { } rel)
            {
                verified++;
                maxRel = Math.Max(maxRel, rel);
                maxAbs = Math.Max(maxAbs, step.MaxAbsoluteDivergence!.Value);
            }
            progress.Report(step);
            bool evaluate = step.Step == setup.TotalSteps || (HeldOutEvery > 0 && step.Step % HeldOutEvery == 0);
            var heldOut = evaluate ? EvaluateHeldOut(step.Step, $"after step {step.Step}", history, progress) : null;
            metrics?.Write(step, ProgressDisplay.EpochOf(step.Step, setup.Order.BatchSize, setup.Data.Count), heldOut);
            if (CheckpointEvery > 0 && step.Step % CheckpointEvery == 0)
                Checkpoint.Save(CheckpointPath, setup.Model, setup.Optimizer, setup.State with { Step = step.Step });
            if (interruption.Signal is { } signal && step.Step < setup.TotalSteps) return Interrupt(signal, step.Step, progress);
        }
        progress.EndBar();

        ModelOutput.Write(OutputPath, setup.Model);
        if (PlotPath != null) TrainingPlot.Save(PlotPath, history, $"{Path.GetFileName(setup.Source.Path)}: rule {setup.Rule.Name}, {setup.Loss.Name}, {setup.Optimizer.Name}", policy.Tolerance);
        PrintSummary(history, clock.Elapsed, verified, maxRel, maxAbs, before);
        return ExitCodes.Success;
    }

    /// <summary>Ctrl-C or SIGTERM between steps: the run's state goes to the checkpoint; the output is not written.</summary>
    private int Interrupt(string signal, long step, ProgressDisplay progress)
    {
        progress.EndBar();
        Checkpoint.Save(CheckpointPath, setup.Model, setup.Optimizer, setup.State with { Step = step });
        Console.Error.WriteLine($"interrupted ({signal}) after step {step}/{setup.TotalSteps}: wrote the checkpoint {CheckpointPath}; " +
                                $"`zilonnx finetune {CheckpointPath} --data {DataArgument} --steps {setup.TotalSteps} -o {OutputPath}` resumes the run");
        return ExitCodes.Interrupted;
    }

    private void PrintHeader(long firstStep)
    {
        var graph = setup.Model.Graph;
        Log($"{setup.Source.Path}: {graph.Vertices.Count} vertices, depth {graph.MaxDepth}, {graph.Parameters.Count} parameters; " +
            $"rule {setup.Rule.Name}, loss {setup.Loss.Name}, {OptimizerText()}, batch {setup.Order.BatchSize}, " +
            $"{setup.Precision.ToString().ToLowerInvariant()} on {setup.Model.Device.type.ToString().ToLowerInvariant()}");
        foreach (string notice in setup.Notices) Console.WriteLine($"note: {notice}");
        Log($"data: {setup.Data.Source}, {setup.Data.Count} samples; steps {firstStep + 1}..{setup.TotalSteps}" +
            (setup.Resumed != null ? $" (resumed at step {setup.Resumed.Step})" : "") +
            (policy.Every > 0 ? $"; verifying every {policy.Every} step(s) against backprop, " +
                (policy.StopOnFailure ? $"tolerance {policy.Tolerance:E1}" : $"measuring the divergence only ({setup.Rule.Name} approximates backprop)")
                : "; verification off"));
        if (setup.HeldOut != null) Log($"held-out data: {setup.HeldOut.Source}, {setup.HeldOut.Count} samples");
    }

    /// <summary>The trainer's own evaluation of the held-out data (PCN forward pass), when there is any.</summary>
    private EvaluationResult? EvaluateHeldOut(long step, string when, TrainingHistory history, ProgressDisplay progress)
    {
        if (setup.HeldOut == null) return null;
        var result = HeldOutEvaluation.Run(setup.Model, setup.HeldOut, setup.Loss);
        history.HeldOut.Add((step, result));
        progress.Line($"held-out {when}: loss {result.Loss:F5}" + (double.IsNaN(result.Accuracy) ? "" : $"  top-1 {result.Accuracy:P2}") + $"  ({result.Samples} samples)");
        return result;
    }

    private void PrintSummary(TrainingHistory history, TimeSpan elapsed, long verified, double maxRel, double maxAbs, EvaluationResult? before)
    {
        if (history.Steps.Count == 0)
        {
            Console.WriteLine($"no steps to take: the run is already at step {setup.TotalSteps}; wrote {OutputPath}");
            return;
        }
        double firstLoss = history.Steps[0].Loss, lastLoss = history.Steps[^1].Loss;
        var after = history.HeldOut.Count > 0 ? history.HeldOut[^1].Result : null;
        string heldOut = before != null && after != null && !double.IsNaN(after.Accuracy)
            ? $"held-out top-1 {before.Accuracy:P2} -> {after.Accuracy:P2}; " : "";
        Console.WriteLine($"fine-tuned {history.Steps.Count} steps in {elapsed.TotalSeconds:F1} s: loss {firstLoss:F5} -> {lastLoss:F5}; " + heldOut +
            (verified > 0 ? $"{verified} steps verified, max divergence from backprop {maxRel:E2} relative ({maxAbs:E2} absolute); " : "") +
            InferenceStepsText(history) + $"wrote {OutputPath}" + (PlotPath != null ? $" and {PlotPath}" : ""));
    }

    /// <summary>For rules with PC dynamics, how long the relaxations ran (with il --tol, each step stops on its own).</summary>
    private static string InferenceStepsText(TrainingHistory history)
    {
        var counts = history.Steps.Where(s => s.InferenceSteps != null).Select(s => s.InferenceSteps!.Value).ToList();
        if (counts.Count == 0) return "";
        int low = counts.Min(), high = counts.Max();
        return low == high ? $"{low} inference steps per step; " : $"{low} to {high} inference steps per step (mean {counts.Average():F1}); ";
    }

    private string OptimizerText()
    {
        var state = setup.State;
        return setup.Optimizer.Name + (setup.Optimizer.Name == "momentum" ? $" {state.Momentum}" : "") + $" lr {state.LearningRate}" +
            (state.WeightDecay != 0 ? $" wd {state.WeightDecay}" : "") +
            (state.LearningRateSchedule != LearningRateSchedule.Constant.ToString() ? $" {state.LearningRateSchedule}" : "");
    }

    private void Log(string line)
    {
        if (!Quiet) Console.WriteLine(line);
    }
}
