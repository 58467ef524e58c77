using System.CommandLine;
using System.Diagnostics;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Commands;

/// <summary>`zilonnx finetune MODEL --data DATA -o OUT [options]`: train with a rule, verify against BP, export.</summary>
public static class FinetuneCommand
{
    public static Command Create()
    {
        var options = new TrainingOptions();
        var model = new Argument<string>("MODEL") { Description = "An .onnx model, or a .pcn file (a checkpoint resumes its run)" };
        var output = new Option<string>("--output", "-o") { Description = "The fine-tuned model to write (.onnx or .pcn)", Required = true };
        var verifyEvery = new Option<int>("--verify-every") { Description = "Check every N-th step against backprop (0 = never)", DefaultValueFactory = _ => 1 };
        var metrics = new Option<string?>("--metrics") { Description = "Write one JSON line per step to this file" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Write a checkpoint every N steps (0 = only at the end of an interrupted run)", DefaultValueFactory = _ => 0 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: OUT with .checkpoint.pcn)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the summary" };
        var command = new Command("finetune", "Fine-tune a model with a learning rule, verifying each step against backprop, and export it") { model };
        options.AddTo(command);
        foreach (Option o in new Option[] { output, verifyEvery, metrics, checkpointEvery, checkpoint, quiet }) command.Options.Add(o);

        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string outputPath = parse.GetValue(output)!;
            using var setup = TrainingSetup.Create(parse.GetValue(model)!, parse, options, defaultSteps: null);
            var policy = new VerificationPolicy(parse.GetValue(verifyEvery), setup.Tolerance(parse, options));
            var run = new FinetuneRun(setup, policy, outputPath, parse.GetValue(metrics), parse.GetValue(checkpointEvery),
                parse.GetValue(checkpoint) ?? Path.ChangeExtension(outputPath, ".checkpoint.pcn"), parse.GetValue(quiet));
            return run.Execute();
        }));
        return command;
    }

    /// <summary>One fine-tuning run: the loop, its log lines, metrics, checkpoints and the export.</summary>
    private sealed class FinetuneRun(TrainingSetup setup, VerificationPolicy policy, string outputPath, string? metricsPath,
        int checkpointEvery, string checkpointPath, bool quiet)
    {
        public int Execute()
        {
            var trainer = new Trainer.Training.Trainer(setup.Model, setup.Rule, setup.Loss, setup.Optimizer, setup.Data, setup.Order, policy)
            {
                StepsTaken = setup.State.Step,
            };
            var graph = setup.Model.Graph;
            Log($"{setup.Source.Path}: {graph.Vertices.Count} vertices, depth {graph.MaxDepth}, {graph.Parameters.Count} parameters; " +
                $"rule {setup.Rule.Name}, loss {setup.Loss.Name}, {OptimizerText()}, batch {setup.Order.BatchSize}, " +
                $"{setup.Precision.ToString().ToLowerInvariant()} on {setup.Model.Device.type.ToString().ToLowerInvariant()}");
            foreach (string notice in setup.Notices) Console.WriteLine($"note: {notice}");
            Log($"data: {setup.Data.Source}, {setup.Data.Count} samples; steps {trainer.StepsTaken + 1}..{setup.TotalSteps}" +
                (setup.Resumed != null ? $" (resumed at step {setup.Resumed.Step})" : "") +
                (policy.Every > 0 ? $"; verifying every {policy.Every} step(s) against backprop, tolerance {policy.Tolerance:E1}" : "; verification off"));

            using var metrics = metricsPath == null ? null : new MetricsWriter(metricsPath, append: setup.Resumed != null);
            double maxRel = 0, maxAbs = 0, firstLoss = double.NaN, lastLoss = double.NaN;
            long verified = 0;
            var clock = Stopwatch.StartNew();
            var lastLog = TimeSpan.Zero;
            long logEvery = Math.Max(1, setup.TotalSteps / 20);
            while (trainer.StepsTaken < setup.TotalSteps)
            {
                var step = trainer.Step();
                metrics?.Write(step);
                if (double.IsNaN(firstLoss)) firstLoss = step.Loss;
                lastLoss = step.Loss;
                if (step.Divergences != null)
                {
                    verified++;
                    maxRel = Math.Max(maxRel, step.MaxRelativeDivergence!.Value);
                    maxAbs = Math.Max(maxAbs, step.MaxAbsoluteDivergence!.Value);
                }
                if (step.Step % logEvery == 0 || step.Step == setup.TotalSteps || clock.Elapsed - lastLog > TimeSpan.FromSeconds(10))
                {
                    lastLog = clock.Elapsed;
                    Log($"step {step.Step}/{setup.TotalSteps}  loss {step.Loss:F5}" +
                        (double.IsNaN(step.Accuracy) ? "" : $"  acc {step.Accuracy:P1}") +
                        (step.MaxRelativeDivergence is { } d ? $"  divergence {d:E2}" : "") +
                        $"  {step.Step * (double)setup.Order.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F0} samples/s");
                }
                if (checkpointEvery > 0 && step.Step % checkpointEvery == 0)
                    Checkpoint.Save(checkpointPath, setup.Model, setup.Optimizer, setup.State with { Step = step.Step });
            }

            ModelOutput.Write(outputPath, setup.Model);
            Console.WriteLine($"fine-tuned {setup.TotalSteps - (setup.Resumed?.Step ?? 0)} steps in {clock.Elapsed.TotalSeconds:F1} s: loss {firstLoss:F5} -> {lastLoss:F5}; " +
                (verified > 0 ? $"{verified} steps verified, max divergence from backprop {maxRel:E2} relative ({maxAbs:E2} absolute); " : "") +
                $"wrote {outputPath}");
            return ExitCodes.Success;
        }

        /// <summary>e.g. "momentum 0.9 lr 0.05 wd 0.0001 cosine:0:300": what is not at its default is shown.</summary>
        private string OptimizerText()
        {
            var state = setup.State;
            return setup.Optimizer.Name + (setup.Optimizer.Name == "momentum" ? $" {state.Momentum}" : "") + $" lr {state.LearningRate}" +
                (state.WeightDecay != 0 ? $" wd {state.WeightDecay}" : "") +
                (state.LearningRateSchedule != LearningRateSchedule.Constant.ToString() ? $" {state.LearningRateSchedule}" : "");
        }

        private void Log(string line)
        {
            if (!quiet) Console.WriteLine(line);
        }
    }
}
