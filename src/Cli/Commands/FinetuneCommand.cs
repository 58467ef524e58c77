using System.CommandLine;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Cli.Outputs;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Commands;

/// <summary>`zilonnx finetune MODEL --data DATA -o OUT [options]`: train with a rule, verify against BP, export.</summary>
public static class FinetuneCommand
{
    public static Command Create()
    {
        var options = new TrainingOptions();
        var validation = new ValidationOptions();
        var distributed = new DistributedOptions();
        var model = new Argument<string>("MODEL") { Description = "An .onnx model, or a .pcn file (a checkpoint resumes its run)" };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The fine-tuned model to write (.onnx or .pcn)",
            Required = true
        };
        var verifyEvery = new Option<int>("--verify-every")
        {
            Description = "Check every N-th step against backprop (0 = never)",
            DefaultValueFactory = _ => 1
        }
            .Within(NumberRange.CountOrZero);
        var metrics = new Option<string?>("--metrics") { Description = "Write one JSON line per step to this file" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of the loss, accuracy and divergence curves to this file" };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Write a checkpoint every N steps (0 = only when " +
            "Ctrl-C or SIGTERM interrupts the run)", DefaultValueFactory = _ => 0
        }
            .Within(NumberRange.CountOrZero);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: OUT with .checkpoint.pcn)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the summary" };
        var maxUpdateNorm = new Option<double?>("--max-update-norm")
        {
            Description = "Stop with exit code 4 when a step's update (L2 norm over all parameters) exceeds this"
        }
            .Within(NumberRange.Positive);
        var maxLossGrowth = new Option<double>("--max-loss-growth")
        {
            Description = "Stop with exit code 4 when a step's loss exceeds the run's first by this factor (the run diverges)",
            DefaultValueFactory = _ => NumericalGuard.DefaultMaxLossGrowth,
        }.Within(NumberRange.Above(1));
        var force = new Option<bool>("--force")
        {
            Description = "Allow -o to name the input model itself (it is replaced), and a " +
            "checkpoint to resume on other data than it was written training on"
        };
        var command = new Command("finetune",
            "Fine-tune a model with a learning rule, verifying each step against backprop, and export it") { model };
        options.AddTo(command);
        validation.AddTo(command);
        distributed.AddTo(command);
        foreach (Option o in new Option[] { output, verifyEvery, metrics, plot, checkpointEvery, checkpoint, quiet, maxUpdateNorm,
            maxLossGrowth, force }) command.Options.Add(o);

        command.SetAction(parse =>
        {
            ICommunicator? job = null;
            int code = CommandRunner.Run(() => { job = distributed.Open(parse); return ExitCodes.Success; });
            if (code == ExitCodes.Success) code = CommandRunner.Run(() => Run(parse, job!), RankErrors(job!));
            return DistributedOptions.Close(job, code);
        });
        return command;

        int Run(ParseResult parse, ICommunicator job)
        {
            string outputPath = parse.GetValue(output)!, modelPath = parse.GetValue(model)!;
            ModelOutput.EnsureNotInput(modelPath, outputPath, parse.GetValue(force));
            string checkpointPath = parse.GetValue(checkpoint) ?? Path.ChangeExtension(outputPath, ".checkpoint.pcn");
            // Rank 0 alone writes files (FinetuneRun), so it alone checks and locks them; a refusal there aborts the job.
            using var outputs = job.Rank == 0 ? PlanOutputs(parse, modelPath, outputPath, checkpointPath).Prepare() : null;
            using var setup = TrainingSetup.Create(modelPath, parse, options, defaultSteps: null, validation: validation, ranks: job.Size);
            CheckResumedStep(setup, parse, options);
            var data = DataIdentity.Of(setup.Data, setup.Order.BatchSize);
            ResumedData.Check(setup, data, parse.GetValue(force));
            setup.Notices.AddRange(ExportedClassNames.Stamp(setup.Model.Graph, setup.Data));
            var run = new FinetuneRun(setup, new VerificationPolicy(parse.GetValue(verifyEvery), setup.Tolerance(parse, options),
                // An approximate rule (il) is verified to measure how far it is from backprop, never to stop the run.
                StopOnFailure: setup.Rule.IsExact, Beside: setup.Settings.VerifyBeside))
            {
                OutputPath = outputPath,
                Data = data,
                CommandLine = ResumeCommand.Words(parse),
                // --force allowed this run to replace its input model or to resume on other data; the resume reads the
                // checkpoint, not that model, and its data are the ones this run records: it needs neither.
                ResumeCommand = ResumeCommand.For(parse, model, checkpointPath, force),
                MetricsPath = parse.GetValue(metrics),
                PlotPath = parse.GetValue(plot),
                HeldOutEvery = parse.GetValue(validation.Every),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                CheckpointPath = checkpointPath,
                Quiet = parse.GetValue(quiet),
                MaxUpdateNorm = parse.GetValue(maxUpdateNorm),
                MaxLossGrowth = parse.GetValue(maxLossGrowth),
                Job = job,
            };
            return run.Execute();
        }

        /// <summary>The model and data the run reads, and every file it may write (the checkpoint even without --checkpoint-every: an
        /// interruption writes it).</summary>
        OutputPlan PlanOutputs(ParseResult parse, string modelPath, string outputPath, string checkpointPath)
        {
            string checkpointOption = parse.GetValue(checkpoint) != null ? "--checkpoint" : "--checkpoint (default)";
            // A resumed checkpoint is the run's own state: its checkpoints replace it, as the printed resume command has them do.
            string[] mayReplaceModel = [.. parse.GetValue(force) ? ["-o"] : Array.Empty<string>(),
                .. Checkpoint.IsCheckpointFile(modelPath) ? [checkpointOption] : Array.Empty<string>()];
            var plan = new OutputPlan().ReadsModel(modelPath, mayReplaceModel);
            foreach (string data in DataSources.Locate(parse.GetValue(options.Data)!)) plan.ReadsData("--data", data);
            if (parse.GetValue(validation.Data) is { } heldOut)
                foreach (string data in DataSources.Locate(heldOut)) plan.ReadsData("--val-data", data);
            plan.Writes("-o", outputPath).Writes(checkpointOption, checkpointPath);
            if (parse.GetValue(metrics) is { } metricsPath) plan.Writes("--metrics", metricsPath, appends: true);
            if (parse.GetValue(plot) is { } plotPath) plan.Writes("--plot", plotPath);
            return plan;
        }
    }

    /// <summary>
    /// A checkpoint already past the run's last step: without this the run would take no step and export the
    /// checkpoint's parameters as if it had trained to the step asked for.
    /// </summary>
    private static void CheckResumedStep(TrainingSetup setup, ParseResult parse, TrainingOptions options)
    {
        if (setup.Resumed is not { } resumed || resumed.Step <= setup.TotalSteps) return;
        string given = parse.GetValue(options.Epochs) is { } epochs ? $"--epochs {epochs} ends the run at step {setup.TotalSteps}"
            : parse.GetValue(options.Steps) is { } steps ? $"--steps {steps} ends the run"
            : $"without --steps, the run ends after one epoch, at step {setup.TotalSteps}";
        throw new ArgumentException($"{given}, before step {resumed.Step}, where the checkpoint {setup.Source.Path} already is: " +
                                    $"give --steps over {resumed.Step} to continue it");
    }

    /// <summary>Errors of rank 0 (or of a single process) as they are; other ranks' lines say which rank wrote them.</summary>
    private static TextWriter RankErrors(ICommunicator job) => job.Rank == 0 ? Console.Error : new RankPrefixedWriter(Console.Error,
        job.Rank);
}
