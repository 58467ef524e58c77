using System.CommandLine;
using System.Text.Json;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Outputs;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Cli.Studies;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `zilonnx verify MODEL --data DATA [--steps K] [--rule R] [--ablate ...] [--json]`: runs K training steps of
/// the rule, checks each against BP, and reports per-parameter divergences (maxima over all steps) and, for rules
/// with PC dynamics, the inference steps each relaxation ran (<see cref="VerifiedSteps"/>, also when a step blows up). The
/// studies (`--sweep`, `--energy`) are <see cref="VerifyStudies"/>; `--dump` is <see cref="VerifyDump"/>.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var options = new TrainingOptions(augment: false);
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .pcn model" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("verify", "Run training steps of a rule and compare every update with backprop's") { model, json };
        var studies = new VerifyStudies();
        var dump = new VerifyDump();
        options.AddTo(command);
        studies.AddTo(command);
        dump.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            studies.Validate(parse, options);
            dump.Validate(parse, studies);
            using var outputs = dump.PlanOutputs(parse, studies.PlanOutputs(parse, new OutputPlan().ReadsModel(parse.GetValue(model)!),
                options)).Prepare();
            using var setup = TrainingSetup.Create(parse.GetValue(model)!, parse, options, defaultSteps: 1);
            foreach (string notice in setup.Notices) Console.Error.WriteLine($"note: {notice}");
            if (studies.SweepAsked(parse)) return studies.RunSweep(parse, setup, options, parse.GetValue(json));
            studies.RunEnergy(parse, setup);
            dump.Start(parse, setup);
            if (!setup.Rule.IsExact)
                Console.Error.WriteLine($"note: rule {setup.Rule.Name} approximates backprop: its divergence is measured, and one over " +
                    $"the tolerance fails verification (exit code 3) as for any rule");
            double tolerance = setup.Tolerance(parse, options);
            using var trainer = new Trainer.Training.Trainer(setup.Model, setup.Rule, setup.Loss, setup.Optimizer, setup.Data, setup.Order,
                new VerificationPolicy(1, tolerance, StopOnFailure: false, Beside: setup.Settings.VerifyBeside));
            var (report, failure) = VerifiedSteps.Run(trainer, setup, tolerance, dump.Record);
            // Also after a blow-up: the dump holds the relaxation of the first batch and the divergences up to the failed step.
            dump.Write();
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report.ToJson(), NonFiniteJson.Options));
            else report.Print(Console.Out);
            if (failure != null) throw failure;
            return report.Passed ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }));
        return command;
    }
}
