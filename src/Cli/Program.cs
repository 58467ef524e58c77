using System.CommandLine;
using System.CommandLine.Invocation;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Commands;
using ZilOnnx.Trainer.Compute;

// Before libtorch allocates anything: keep its freed blocks for the next training step (NativeHeap).
NativeHeap.KeepFreedMemory();
// Under `ulimit -v`, address space is what runs out first: the threads share malloc arenas rather than reserve one each.
NativeHeap.ShareArenasUnderAddressSpaceLimit();

var root = new RootCommand("zilonnx: fine-tune ONNX CNNs with Z-IL, a predictive-coding rule verified against backprop at every step")
{
    InspectCommand.Create(),
    ConvertCommand.Create(),
    FinetuneCommand.Create(),
    VerifyCommand.Create(),
    RunCommand.Create(),
    EvalCommand.Create(),
    OpsCommand.Create(),
    BenchCommand.Create(),
};
HelpExamples.AttachTo(root);
var parse = root.Parse(args);
// Parse errors (unless --help, --version or a directive clears them) are said like every other usage error.
return parse.Action is ParseErrorAction ? UsageErrors.Report(parse, Console.Error) : parse.Invoke();
