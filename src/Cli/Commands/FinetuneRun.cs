using System.Diagnostics;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// One fine-tuning run: the loop, its progress, held-out evaluations, metrics, plot, checkpoints and the export.
/// In an MPI job every rank trains its shard of each batch and holds the same parameters after every step; rank 0
/// alone prints, evaluates the held-out data and writes files, so that N ranks write what one process would.
/// </summary>
public sealed class FinetuneRun(TrainingSetup setup, VerificationPolicy policy)
{
    public required string OutputPath { get; init; }
    /// <summary>The training data's identity, which checkpoints record.</summary>
    public required DataIdentity Data { get; init; }
    /// <summary>The command line of this run, which checkpoints record.</summary>
    public required IReadOnlyList<string> CommandLine { get; init; }
    /// <summary>The shell command that resumes this run from its checkpoint, printed on interruption.</summary>
    public required string ResumeCommand { get; init; }
    public string? MetricsPath { get; init; }
    public string? PlotPath { get; init; }
    public int HeldOutEvery { get; init; }
    public int CheckpointEvery { get; init; }
    public required string CheckpointPath { get; init; }
    public bool Quiet { get; init; }
    public double? MaxUpdateNorm { get; init; }
    public double? MaxLossGrowth { get; init; }
    /// <summary>The processes this run is one of (--distributed mpi), or this process alone.</summary>
    public ICommunicator Job { get; init; } = SingleProcess.Instance;

    private bool IsRoot => Job.Rank == 0;

    public int Execute()
    {
        using var trainer = new Trainer.Training.Trainer(setup.Model, setup.Rule, setup.Loss, setup.Optimizer, setup.Data, setup.Order,
            policy)
        {
            StepsTaken = setup.State.Step,
            Guard = new NumericalGuard { MaxUpdateNorm = MaxUpdateNorm, MaxLossGrowth = MaxLossGrowth },
            Reducer = Job.Size > 1 ? new AllreduceUpdateReducer(Job) : NoReduction.Instance,
        };
        bool quiet = Quiet || !IsRoot;
        if (IsRoot) PrintHeader(trainer.StepsTaken);
        // mpirun hands its ranks a pseudo-terminal even when its own output goes to a file: plain lines under MPI.
        var progress = new ProgressDisplay(trainer.StepsTaken, setup.TotalSteps, setup.Order.BatchSize, setup.Data.Count, quiet,
            ProgressDisplay.ConsoleIsInteractive && Job.Size == 1);
        var history = new TrainingHistory();
        EvaluationResult? before = EvaluateHeldOut(trainer.StepsTaken, "before training", history, progress);

        using var metrics = MetricsPath == null || !IsRoot ? null : new MetricsWriter(MetricsPath, append: setup.Resumed != null);
        using var interruption = new Interruption(Job.Size > 1 ? NoticeJobSignal : null);
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
                // Math.Max keeps a NaN (Enumerable.Max would not): the summary must not show a NaN step as a pass.
                maxRel = Math.Max(maxRel, rel);
                maxAbs = Math.Max(maxAbs, step.MaxAbsoluteDivergence!.Value);
            }
            progress.Report(step);
            bool evaluate = step.Step == setup.TotalSteps || (HeldOutEvery > 0 && step.Step % HeldOutEvery == 0);
            var heldOut = evaluate ? EvaluateHeldOut(step.Step, $"after step {step.Step}", history, progress) : null;
            metrics?.Write(step, ProgressDisplay.EpochOf(step.Step, setup.Order.BatchSize, setup.Data.Count), heldOut);
            if (IsRoot && CheckpointEvery > 0 && step.Step % CheckpointEvery == 0)
                SaveCheckpoint(step.Step);
            if (AgreedSignal(interruption) is { } signal && step.Step < setup.TotalSteps) return Interrupt(signal, step.Step, progress);
        }
        progress.EndBar();
        if (!IsRoot) return ExitCodes.Success;

        ExportCheck.Check(setup.Model, setup.Data, setup.Order);
        ModelOutput.Write(OutputPath, setup.Model, setup.Data.Preprocessing);
        if (PlotPath != null) TrainingPlot.Save(PlotPath, history,
            $"{Path.GetFileName(setup.Source.Path)}: rule {setup.Rule.Name}, {setup.Loss.Name}, {setup.Optimizer.Name}", policy.Tolerance);
        PrintSummary(history, clock.Elapsed, verified, maxRel, maxAbs, before);
        if (Job.Size > 1 && history.Steps.Count > 0) PrintCommunication(trainer.Reducer, history.Steps.Count, clock.Elapsed);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The signal this process received, or in an MPI job the one any rank received: the ranks agree (one small
    /// allreduce) so that all of them stop after the same step and rank 0's checkpoint is that step's.
    /// </summary>
    private string? AgreedSignal(Interruption interruption)
    {
        string? signal = interruption.Signal;
        if (Job.Size == 1) return signal;
        double[] stop = [signal != null ? 1 : 0];
        Job.Max(stop);
        return stop[0] > 0 ? signal ?? "a signal to another rank" : null;
    }

    /// <summary>Ctrl-C or SIGTERM between steps: the run's state goes to the checkpoint; the output is not written.</summary>
    private int Interrupt(string signal, long step, ProgressDisplay progress)
    {
        progress.EndBar();
        if (!IsRoot) return ExitCodes.Interrupted;
        SaveCheckpoint(step);
        Console.Error.WriteLine($"interrupted ({signal}) after step {step}/{setup.TotalSteps}: wrote the checkpoint {CheckpointPath}; " +
                                $"`{ResumeCommand}` resumes the run");
        return ExitCodes.Interrupted;
    }

    private void SaveCheckpoint(long step) =>
        Checkpoint.Save(CheckpointPath, setup.Model, setup.Optimizer, setup.State with { Step = step }, Data, CommandLine);

    /// <summary>
    /// Open MPI's mpirun sends SIGTERM to every rank when it is interrupted itself (Ctrl-C), and to the ranks still
    /// running when one rank has ended; in the second case the rank may be waiting inside a collective that will never
    /// complete, so it says so at once rather than only when the step ends.
    /// </summary>
    private void NoticeJobSignal(string signal) =>
        Console.Error.WriteLine($"rank {Job.Rank} of {Job.Size}: {signal} received (mpirun sends SIGTERM to every rank when it is " +
            $"interrupted or when a rank of the job has ended); " +
                                (IsRoot ? $"the job stops, and {CheckpointPath} is written if this rank reaches the end of its step"
                                    : "this rank stops"));

    private void PrintHeader(long firstStep)
    {
        var graph = setup.Model.Graph;
        Log($"{setup.Source.Path}: {graph.Vertices.Count} vertices, depth {graph.MaxDepth}, {graph.Parameters.Count} parameters; " +
            $"rule {setup.Rule.Name}, loss {setup.Loss.Name}, {OptimizerText()}, batch {setup.Order.BatchSize}, " +
            $"{setup.Precision.ToString().ToLowerInvariant()} on {setup.Model.Device.type.ToString().ToLowerInvariant()}" +
            (Job.Size > 1 ? $"; data-parallel over {Job.Size} MPI ranks, {setup.Order.BatchSize / Job.Size} samples each" : ""));
        foreach (string notice in setup.Notices) Console.WriteLine($"note: {notice}");
        if (Job is not SingleProcess && Job.Size == 1)
            Console.WriteLine("note: --distributed mpi in a job of one process (not launched by mpirun -np N): " +
                "it trains every batch alone");
        Log($"data: {setup.Data.Source}, {setup.Data.Count} samples; steps {firstStep + 1}..{setup.TotalSteps}" +
            (setup.Resumed != null ? $" (resumed at step {setup.Resumed.Step})" : "") +
            (policy.Every > 0 ? $"; verifying every {policy.Every} step(s) against backprop, " +
                (policy.StopOnFailure ? $"tolerance {policy.Tolerance:E1}"
                    : $"measuring the divergence only ({setup.Rule.Name} approximates backprop)")
                : "; verification off"));
        if (setup.HeldOut != null) Log($"held-out data: {setup.HeldOut.Source}, {setup.HeldOut.Count} samples");
    }

    /// <summary>The trainer's own evaluation of the held-out data (PCN forward pass), when there is any.</summary>
    private EvaluationResult? EvaluateHeldOut(long step, string when, TrainingHistory history, ProgressDisplay progress)
    {
        if (setup.HeldOut == null || !IsRoot) return null;
        var result = HeldOutEvaluation.Run(setup.Model, setup.HeldOut, setup.Loss);
        history.HeldOut.Add((step, result));
        progress.Line($"held-out {when}: loss {result.Loss:F5}" + (double.IsNaN(result.Accuracy) ? "" : $"  top-1 {result.Accuracy:P2}")
            + $"  ({result.Samples} samples)");
        return result;
    }

    private void PrintSummary(TrainingHistory history, TimeSpan elapsed, long verified, double maxRel, double maxAbs,
        EvaluationResult? before)
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
        Console.WriteLine($"fine-tuned {history.Steps.Count} steps in {elapsed.TotalSeconds:F1} s: loss {firstLoss:F5} -> {lastLoss:F5}; "
            + heldOut +
            (verified > 0 ? $"{verified} steps verified, max divergence from backprop {maxRel:E2} relative ({maxAbs:E2} absolute); " : "") +
            InferenceStepsText(history) + $"wrote {OutputPath}" + (PlotPath != null ? $" and {PlotPath}" : ""));
    }

    /// <summary>For rules with PC dynamics, how long the relaxations ran (with il --tol, each step stops on its own).</summary>
    private static string InferenceStepsText(TrainingHistory history)
    {
        var counts = history.Steps.Where(s => s.InferenceSteps != null).Select(s => s.InferenceSteps!.Value).ToList();
        if (counts.Count == 0) return "";
        int low = counts.Min(), high = counts.Max();
        return low == high ? $"{low} inference steps per step; "
            : $"{low} to {high} inference steps per step (mean {counts.Average():F1}); ";
    }

    /// <summary>Rank 0's share of the run spent in allreduces (waiting for the other ranks included), per step.</summary>
    private void PrintCommunication(Trainer.Distributed.IUpdateReducer reducer, int steps, TimeSpan elapsed)
    {
        double perStep = reducer.CommunicationTime.TotalMilliseconds / steps;
        Console.WriteLine($"allreduce over {Job.Size} ranks: {perStep:F2} ms and {reducer.BytesReduced / steps} bytes per step on rank 0 " +
            $"({reducer.CommunicationTime.TotalSeconds / elapsed.TotalSeconds:P0} of the run, waiting for the slowest rank included); " +
            $"{(double)steps * setup.Order.BatchSize / elapsed.TotalSeconds:F0} samples/s");
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
