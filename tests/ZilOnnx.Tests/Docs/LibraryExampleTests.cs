using System.Text.RegularExpressions;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Examples;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Docs;

/// <summary>
/// docs/library.md's example is examples/library/TrainAndInspect.cs, word for word, and it runs: K verified Z-IL steps on
/// LeNet-5, an error per vertex, and an export that ONNX Runtime serves with the trained weights.
/// </summary>
public sealed class LibraryExampleTests
{
    private const string Example = "examples/library/TrainAndInspect.cs";

    [Fact]
    public void The_docs_example_is_the_compiled_example_file()
    {
        string doc = File.ReadAllText(Repository.PathOf("docs", "library.md"));
        var block = Regex.Match(doc, $@"<!-- {Regex.Escape(Example)} -->\s*```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, $"docs/library.md has no csharp block after <!-- {Example} -->");
        Assert.Equal(File.ReadAllText(Repository.PathOf(Example.Split('/'))).ReplaceLineEndings("\n"), block.Groups[1].Value);
    }

    [Fact]
    public void The_example_trains_reads_every_vertexs_error_and_exports_a_model_onnx_runtime_serves()
    {
        using var temp = new TempDirectory();
        string model = Fixtures.PathOf("lenet5.onnx"), output = temp.File("tuned.onnx");
        var log = new StringWriter();

        TrainAndInspect.Run(model, Fixtures.PathOf("lenet5.ce.npz"), output, steps: 3, log);

        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // float64 Z-IL equals backprop to rounding: the step lines print divergences of 1e-16 or 0, never near the 1e-10 tolerance.
        var stepLines = lines.Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, stepLines.Count);
        Assert.All(stepLines, l => Assert.Matches(@"divergence from backprop (0\.0E\+000|\d\.\dE-01[3-9]|\d\.\dE-0[2-9]\d)$", l));
        // One line per free vertex, each with a non-zero error: the output's loss gradient reached every layer.
        var vertexLines = lines.Where(l => l.Contains("largest |error|", StringComparison.Ordinal)).ToList();
        Assert.True(vertexLines.Count >= 8, string.Join("\n", lines));
        Assert.All(vertexLines, l => Assert.DoesNotMatch(@"largest \|error\| 0\.000E\+000$", l));

        // The export is the original graph with changed initializers, and ONNX Runtime runs it.
        var original = OnnxModelFile.Load(model).Graph.Initializer.ToDictionary(t => t.Name);
        var tuned = OnnxModelFile.Load(output).Graph.Initializer.ToList();
        Assert.Equal(original.Keys.Order(), tuned.Select(t => t.Name).Order());
        Assert.Contains(tuned, t => !t.Equals(original[t.Name]));
        using var session = OnnxRuntimeSession.Open(output, ExecutionProviderChoice.Cpu);
        var x = Fixtures.Arrays("lenet5.ce.npz")["x"];
        var outputs = session.Run(new Dictionary<string, HostTensor> { ["x"] = x });
        Assert.All(outputs.Values.Single().Values, v => Assert.True(double.IsFinite(v)));
    }
}
