using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The "Examples:" section that `zilonnx [COMMAND] --help` prints after System.CommandLine's own help: one to
/// three real command lines per command, kept here in one place rather than in the command files. Paths under
/// models/ are the shipped models (run from the repository root); `fashion-mnist` is the Debian data set.
/// </summary>
public static class HelpExamples
{
    /// <summary>Examples by command path (subcommand names joined by spaces; "" is `zilonnx` itself).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByCommand = new Dictionary<string, string[]>
    {
        [""] =
        [
            "zilonnx inspect models/lenet5-fashion.onnx",
            "zilonnx finetune models/lenet5-fashion.onnx --data fashion-mnist --steps 300 -o tuned.onnx",
            "zilonnx eval tuned.onnx --data fashion-mnist",
        ],
        ["inspect"] =
        [
            "zilonnx inspect models/lenet5-fashion.onnx",
            "zilonnx inspect models/lstm-fashion-rows.onnx --json",
        ],
        ["convert"] =
        [
            "zilonnx convert models/lenet5-fashion.onnx lenet5.pcn",
            "zilonnx convert lenet5.pcn lenet5.onnx",
        ],
        ["finetune"] =
        [
            "zilonnx finetune models/lenet5-fashion.onnx --data fashion-mnist --rule zil --lr 0.01 --batch-size 64 --steps 300 " +
                "--val-data fashion-mnist --metrics metrics.jsonl --plot curves.png -o tuned.onnx",
            "zilonnx finetune model.onnx --data data.npz --loss mse --optimizer adam --lr 0.001 --lr-schedule cosine --val-split 0.1 " +
                "--steps 1000 --checkpoint-every 100 -o tuned.pcn",
            "zilonnx finetune tuned.checkpoint.pcn --data data.npz --steps 1000 -o tuned.pcn",
        ],
        ["verify"] =
        [
            "zilonnx verify models/lenet5-fashion.onnx --data fashion-mnist --batch-size 8 --steps 3 --precision float64",
            "zilonnx verify models/lenet5-fashion.onnx --data fashion-mnist --rule zil-relaxed --ablate gamma=0.5 --json",
            "zilonnx verify models/lenet5-fashion.onnx --data fashion-mnist --rule il --inference-steps 20 --gamma 0.1",
            "zilonnx verify models/rnn-fashion-rows.onnx --data fashion-mnist --rule fa-zil --precision float64 --json",
            "zilonnx verify models/lenet5-fashion.onnx --data fashion-mnist --rule il --inference-steps 200 --gamma 0.02 --tol 1e-6 " +
                "--energy energy",
            "zilonnx verify models/lenet5-fashion.onnx --data fashion-mnist --rule il --gamma 0.02 --sweep T=1:200 --sweep-out il-T",
        ],
        ["run"] =
        [
            "zilonnx run models/lenet5-fashion.onnx --data inputs.npz -o outputs.npz",
            "zilonnx run tuned.pcn --data inputs.npz -o outputs.npz --engine ort",
            "zilonnx run tuned.onnx --data shirt.png boot.jpg --top 3",
            "zilonnx run tuned.onnx --data photos/ --engine ort --json -o outputs.npz",
        ],
        ["eval"] =
        [
            "zilonnx eval models/lenet5-fashion.onnx --data fashion-mnist",
            "zilonnx eval tuned.onnx --data /usr/share/datasets/fashion-mnist --provider cpu --batch-size 256",
        ],
        ["bench"] =
        [
            "zilonnx bench models/lenet5-fashion.onnx --batch-size 64 --threads 2",
            "zilonnx bench models/lenet5-fashion.onnx --batch-size 64 --rules bp,zil,zil+verify --steps 50 --epoch --json",
        ],
        ["ops"] =
        [
            "zilonnx ops",
            "zilonnx ops --json",
        ],
    };

    /// <summary>Makes the help option of <paramref name="root"/> (it applies to every subcommand) print the examples too.</summary>
    public static void AttachTo(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction builtIn) help.Action = new HelpWithExamples(builtIn);
    }

    /// <summary>The path of <paramref name="command"/> below the root, as used as key of <see cref="ByCommand"/>.</summary>
    public static string PathOf(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Add(result.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    private sealed class HelpWithExamples(HelpAction builtIn) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => builtIn.ClearsParseErrors;

        public override int Invoke(ParseResult parse)
        {
            int code = builtIn.Invoke(parse);
            if (ByCommand.TryGetValue(PathOf(parse), out var examples) && examples.Length > 0)
            {
                var output = parse.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (string example in examples) output.WriteLine($"  {example}");
                output.WriteLine();
            }
            return code;
        }
    }
}
