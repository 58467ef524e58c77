using System.CommandLine;
using System.Diagnostics;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Evaluation;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `zilonnx eval MODEL.onnx --data DATA [--provider auto|cpu|cuda]`: classification quality of a model as
/// ONNX Runtime serves it (IDX folders and fashion-mnist use their test split).
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx model with one input and class scores as its first output" };
        var data = new Option<string>("--data") { Description = "An .npz (x, integer y), a .csv/.tsv table, an IDX folder or 'fashion-mnist' (test split)", Required = true };
        var provider = new Option<string>("--provider") { Description = "auto (CUDA if usable, else CPU), cpu or cuda", DefaultValueFactory = _ => "auto" };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per inference call", DefaultValueFactory = _ => 256 }.Within(NumberRange.Count);
        var maxDataGb = DataBudgetOption.Create();
        var labelColumn = LabelColumnOption.Create();
        var command = new Command("eval", "Evaluate a classifier with ONNX Runtime: loss, top-1/top-5 accuracy, confusion matrix, throughput")
            { model, data, provider, batchSize, maxDataGb, labelColumn };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var budget = DataBudgetOption.Resolve(parse, maxDataGb);
            string path = parse.GetValue(model)!;
            var onnx = OnnxModelFile.Load(path);
            using var session = OnnxRuntimeSession.Open(path, OnnxRuntimeSession.ParseProvider(parse.GetValue(provider)!));
            if (session.FallbackNotice != null) Console.Error.WriteLine(session.FallbackNotice);
            var input = session.Inputs.Count == 1 ? session.Inputs[0] : throw new ArgumentException($"{path}: eval needs a model with one input");
            DataSources.CheckLabelColumnApplies(parse.GetValue(data)!, parse.GetValue(labelColumn));
            var set = DataSources.Load(parse.GetValue(data)!, DataSplit.Test, input.Name, input.Shape.Select(d => d > 0 ? d : (long?)null).ToList(),
                ModelInputs.IsIdType(input.ElementType), budget, parse.GetValue(labelColumn));
            foreach (string notice in set.Notices) Console.Error.WriteLine($"note: {notice}");
            if (!set.HasLabels) throw new DataFormatException(set.Source, "y", "eval needs integer class labels");

            // A model that fixes its batch dimension (CNTK exports fix it at 1) is fed batches of that size.
            int batch = input.Shape.Count > 0 && input.Shape[0] > 0 ? (int)input.Shape[0] : parse.GetValue(batchSize);
            var metrics = Evaluate(session, set, batch, OutputKindOf(onnx), out var elapsed);
            Report(path, set, metrics, session.ActiveProvider, elapsed);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static ClassificationMetrics Evaluate(OnnxRuntimeSession session, DataSet set, int batchSize, OutputKind kind, out TimeSpan elapsed)
    {
        ClassificationMetrics? metrics = null;
        var clock = Stopwatch.StartNew();
        for (long start = 0; start < set.Count; start += batchSize)
        {
            int size = (int)Math.Min(batchSize, set.Count - start);
            // Gathered as float64 (or int64 ids), which ONNX Runtime's feed converts to the input's own type.
            var batch = set.Prepare([.. Enumerable.Range(0, size).Select(i => start + i)], ScalarType.Float64);
            var scores = session.Run(new Dictionary<string, HostTensor> { [session.Inputs[0].Name] = batch.Inputs.ToHostTensor() }).First().Value;
            if (scores.Rank != 2 || scores.Shape[0] != size)
                throw new InferenceInputException($"the first output has shape [{string.Join(", ", scores.Shape)}]; eval needs [batch, classes]");
            if (metrics == null)
            {
                // The classes are known from the model's first output; every label is checked against them before any is counted.
                DataValidation.CheckLabels(set, classes: scores.Shape[1]);
                metrics = new ClassificationMetrics((int)scores.Shape[1], kind);
            }
            metrics.Add(scores.Values, Array.ConvertAll((long[])batch.Targets.Values, v => (double)v));
        }
        elapsed = clock.Elapsed;
        return metrics!;
    }

    /// <summary>The output's last operator tells whether rows are logits, probabilities or log-probabilities.</summary>
    private static OutputKind OutputKindOf(Converter.Onnx.Proto.ModelProto model)
    {
        string output = model.Graph.Output[0].Name;
        string? op = model.Graph.Node.LastOrDefault(n => n.Output.Contains(output))?.OpType;
        return op switch { "Softmax" => OutputKind.Probabilities, "LogSoftmax" => OutputKind.LogProbabilities, _ => OutputKind.Logits };
    }

    private static void Report(string path, DataSet set, ClassificationMetrics m, ExecutionProviderChoice provider, TimeSpan elapsed)
    {
        Console.WriteLine($"{path} on {set.Source} ({m.Count} samples, {provider.ToString().ToLowerInvariant()} provider)");
        Console.WriteLine($"loss {m.Loss:F4}  top-1 {m.Top1:P2}" + (m.Classes > 5 ? $"  top-5 {m.Top5:P2}" : "") +
            $"  {m.Count / elapsed.TotalSeconds:F0} samples/s");
        Console.WriteLine("confusion matrix (rows: label, columns: predicted):");
        for (int label = 0; label < m.Classes; label++)
            Console.WriteLine($"  {label,3}: " + string.Join(" ", Enumerable.Range(0, m.Classes).Select(p => m.Confusion(label, p).ToString().PadLeft(5))));
    }
}
