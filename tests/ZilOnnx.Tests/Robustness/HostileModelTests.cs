using Xunit;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Robustness;

/// <summary>
/// Every hostile file of the catalogue, fed to the real program: `inspect`, `convert` and `finetune` end with exit
/// code 2 and one line on stderr that starts with `error:`, names the file and says what is wrong, with no stack
/// trace, well within the hang guard; a well-formed model that cannot be converted is reported by `inspect` (exit 0) and
/// refused by the other two. Nothing is written where the commands were told to write.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class HostileModelTests(HostileRun run)
{
    public static TheoryData<string> CaseIds => new(HostileModels.All.Select(c => c.Id));

    [Fact]
    public void The_template_every_case_is_made_from_works_with_every_command()
    {
        foreach (var command in run.Control.Commands)
            Assert.True(command.ExitCode == 0, command.ToString());
        Assert.Equal(PipelineOutcome.Accepted, run.Control.Outcome);
    }

    [Fact]
    public void Case_ids_are_unique_and_every_section_has_cases()
    {
        Assert.Equal(HostileModels.All.Count, HostileModels.All.Select(c => c.Id).Distinct().Count());
        Assert.All(HostileModels.Sections, s => Assert.Contains(HostileModels.All, c => c.Section == s));
        Assert.All(HostileModels.All, c => Assert.Contains(c.Section, HostileModels.Sections));
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void In_process_the_file_is_refused_with_a_model_error(string id)
    {
        var result = run.Of(id);
        if (result.Case.Kind == HostileKind.BadCheckpoint)
        {
            // Only resuming reads a checkpoint's state; the model it carries is sound.
            Assert.True(result.Outcome == PipelineOutcome.Accepted, $"{id}: {result.Outcome}: {result.Message}");
            return;
        }
        var expected = result.Case.Kind == HostileKind.Unsupported
            ? [PipelineOutcome.RejectedConversion]
            : new[] { PipelineOutcome.RejectedModelFile, PipelineOutcome.RejectedConversion };
        Assert.True(expected.Contains(result.Outcome), $"{id}: {result.Outcome}: {result.Message}");
        Assert.StartsWith(result.ModelPath + ": ", result.Message);
        Assert.Contains(result.Case.Expect, result.Message);
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Every_command_ends_with_exit_code_2_and_one_error_line_naming_the_file(string id)
    {
        var result = run.Of(id);
        foreach (var command in result.Commands)
        {
            Assert.False(command.TimedOut, command.ToString());
            Assert.True(command.Elapsed < HostileRun.ProcessBound, command.ToString());
            Assert.DoesNotContain("   at ", command.Error + command.Output); // no stack trace
            Assert.DoesNotContain("internal error", command.Error);

            if (result.Case.Kind == HostileKind.BadCheckpoint && command.Command != "finetune")
            {
                // inspect and convert read the model a checkpoint carries, not its run state.
                Assert.True(command.ExitCode == 0, command.ToString());
                Assert.Empty(command.ErrorLines);
                continue;
            }
            if (command.Command == "inspect" && result.Case.Kind == HostileKind.Unsupported)
            {
                // By design: inspect reports what it cannot convert and succeeds.
                Assert.True(command.ExitCode == 0, command.ToString());
                Assert.Empty(command.ErrorLines);
                string report = Assert.Single(command.Output.Split('\n'), l => l.StartsWith("unsupported: ") || l.StartsWith("cannot convert: "));
                Assert.Contains(result.Case.Expect, report);
                continue;
            }

            Assert.True(command.ExitCode == 2, command.ToString());
            string line = Assert.Single(command.ErrorLines);
            Assert.StartsWith("error: ", line);
            Assert.Contains(result.ModelPath, line);
            Assert.Contains(result.Case.Expect, line);
        }
        // Nothing was written: no converted model, no fine-tuned model, no checkpoint (only a sound model converts).
        var written = Directory.GetFileSystemEntries(result.OutputFolder).Select(Path.GetFileName);
        Assert.Equal(result.Case.Kind == HostileKind.BadCheckpoint ? ["converted.onnx"] : [], written);
    }
}
