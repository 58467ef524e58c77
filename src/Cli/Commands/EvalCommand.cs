using System.CommandLine;
using System.Diagnostics;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Evaluation;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `zilonnx eval MODEL.onnx --data DATA [--provider auto|cpu|cuda] [--json]`: classification (or segmentation)
/// quality of a model as ONNX Runtime serves it (IDX folders and fashion-mnist use their test split).
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx model with one input and class scores as its first output" };
        var data = new Option<string>("--data")
        {
            Description = "An .npz (x, integer y), a .csv/.tsv table, an IDX folder or 'fashion-mnist' (test split)", Required = true
        };
        var provider = new Option<string>("--provider")
        {
            Description = "auto (CUDA if usable, else CPU), cpu or cuda",
            DefaultValueFactory = _ => "auto"
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Samples per inference call",
            DefaultValueFactory = _ => 256
        }.Within(NumberRange.Count);
        var maxDataGb = DataBudgetOption.Create();
        var labelColumn = LabelColumnOption.Create();
        var preprocessing = new PreprocessingOptions(training: false);
        var json = new Option<bool>("--json")
        {
            Description = "Print machine-readable JSON: loss, top1, top5 (fractions), samples, " +
            "per_class, confusion (segmentation: pixel_accuracy, mean_iou)"
        };
        var losses = new LossOptions();
        var command = new Command("eval",
            "Evaluate a classifier or segmentation model with ONNX Runtime: loss, top-1/top-5 accuracy (pixel accuracy, mean IoU), " +
            "per-class accuracy, confusion matrix, throughput")
            { model, data, provider, batchSize, maxDataGb, json, labelColumn };
        foreach (var option in losses.All) command.Options.Add(option);
        preprocessing.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var loss = LossOf(losses.Settings(parse));
            var budget = DataBudgetOption.Resolve(parse, maxDataGb);
            string path = parse.GetValue(model)!;
            var onnx = OnnxModelFile.Load(path);
            using var session = OnnxRuntimeSession.Open(path, OnnxRuntimeSession.ParseProvider(parse.GetValue(provider)!));
            ShowFallbackNotice(session);
            if (UnusedInputs.Note(path, onnx) is { } note) Console.Error.WriteLine($"note: {note}");
            var input = DataInputOf(session, onnx, path);
            DataSources.CheckLabelColumnApplies(parse.GetValue(data)!, parse.GetValue(labelColumn));
            var set = DataSources.Load(parse.GetValue(data)!, DataSplit.Test, input.Name,
                input.Shape.Select(d => d > 0 ? d : (long?)null).ToList(),
                ModelInputs.IsIdType(input.ElementType), budget, parse.GetValue(labelColumn),
                PreprocessingMetadata.Effective(PreprocessingMetadata.Read(onnx, path), preprocessing.Resolve(parse),
                    ImageFolderSampleReader.Recognizes(parse.GetValue(data)!), path, Console.Error));
            foreach (string notice in set.Notices) Console.Error.WriteLine($"note: {SettingFlags.Say(notice)}");

            // A model that fixes its batch dimension (CNTK exports fix it at 1) is fed batches of that size.
            int batch = input.Shape.Count > 0 && input.Shape[0] > 0 ? (int)input.Shape[0] : parse.GetValue(batchSize);
            var (metrics, servedLoss) = Evaluate(path, onnx, session, input.Name, set, batch,
                new ServedLoss(loss, ServedOutputKind.Of(onnx, onnx.Graph.Output[0].Name)), out bool segmentation, out var elapsed);
            var names = ClassNames.Resolve(set, onnx, path, metrics.Classes);
            if (segmentation && parse.GetValue(json)) Console.WriteLine(SegmentationReport.Of(metrics, servedLoss.Value, set.Count,
                names).ToJson());
            else if (segmentation) SegmentationTable.Print(path, set, metrics, servedLoss.Value, names, session.ActiveProvider, elapsed);
            else if (parse.GetValue(json)) Console.WriteLine(EvalReport.Of(metrics, servedLoss.Value, names).ToJson());
            else Report(path, set, metrics, servedLoss.Value, names, session.ActiveProvider, elapsed);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// The loss the model was trained with. eval reads the classes on axis 1 ([batch, classes] or [batch, classes, H, W]),
    /// so a ce class axis elsewhere would report a loss over other classes than the accuracy counts.
    /// </summary>
    private static ILoss LossOf(LossSettings settings)
    {
        if (settings.ClassAxis is { } axis && axis != 1)
            throw new ArgumentException($"--class-axis {axis}: eval reads the classes on axis 1 ([batch, classes] or [batch, classes, " +
                $"H, W])");
        return settings.Create();
    }

    /// <summary>The one input the graph reads; inputs no node reads are left out (<see cref="UnusedInputs"/>).</summary>
    private static ModelValueInfo DataInputOf(OnnxRuntimeSession session, Converter.Onnx.Proto.ModelProto onnx, string path)
    {
        var read = ModelInputs.DataInputNames(onnx);
        return read.Count == 1 && session.Inputs.SingleOrDefault(i => i.Name == read[0]) is { } input
            ? input
            : throw new ArgumentException($"{path}: eval needs a model with one input (the model's graph reads {read.Count})");
    }

    /// <summary>
    /// Runs every sample through the model. Rows [batch, classes] are classified; outputs [batch, classes, H, W]
    /// with labels [batch, H, W] are segmentations, each pixel counted as a sample (<see cref="PixelRows"/>). Float target
    /// rows (mse, l1, bce, ce with probability rows) count as the class of their largest entry, as the trainer's accuracy does.
    /// </summary>
    private static (ClassificationMetrics Metrics, ServedLoss Loss) Evaluate(string path, Converter.Onnx.Proto.ModelProto onnx,
        OnnxRuntimeSession session,
        string inputName, DataSet set, int batchSize, ServedLoss loss, out bool segmentation, out TimeSpan elapsed)
    {
        ClassificationMetrics? metrics = null;
        segmentation = false;
        var clock = Stopwatch.StartNew();
        for (long start = 0; start < set.Count; start += batchSize)
        {
            int size = (int)Math.Min(batchSize, set.Count - start);
            // Gathered as float64 (or int64 ids), which ONNX Runtime's feed converts to the input's own type.
            var batch = set.Prepare([.. Enumerable.Range(0, size).Select(i => start + i)], ScalarType.Float64);
            var scores = session.Run(new Dictionary<string, HostTensor> { [inputName] = batch.Inputs.ToHostTensor() },
                unread: ModelInputs.UnusedInputNames(onnx)).First().Value;
            segmentation = scores.Rank == 4;
            CheckOutputShape(path, set, scores.Shape, batch.Targets.Shape, size);
            if (metrics == null)
            {
                // The classes are known from the model's first output; every target is checked against them before any is counted.
                DataValidation.Check(set, scores.Shape, loss.Loss);
                metrics = new ClassificationMetrics((int)scores.Shape[1]);
            }
            loss.Add(scores, batch.Targets);
            metrics.Add(segmentation ? PixelRows.Of(scores.Values, scores.Shape) : scores.Values, ClassesOf(batch.Targets, set.HasLabels));
        }
        elapsed = clock.Elapsed;
        return (metrics!, loss);
    }

    /// <summary>The class of each sample (pixel): its label, or the largest entry of its target row.</summary>
    private static double[] ClassesOf(HostBatch.Part targets, bool labels)
    {
        if (labels) return Array.ConvertAll((long[])targets.Values, v => (double)v);
        var values = (double[])targets.Values;
        var rows = targets.Shape.Length == 4 ? PixelRows.Of(values, targets.Shape) : values;
        int classes = (int)targets.Shape[1];
        var classOf = new double[rows.Length / classes];
        for (int row = 0; row < classOf.Length; row++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (rows[row * classes + c] > rows[row * classes + best]) best = c;
            classOf[row] = best;
        }
        return classOf;
    }

    private static void CheckOutputShape(string path, DataSet set, long[] output, long[] labels, int size)
    {
        bool classification = output.Length == 2 && labels.Length == 1;
        bool segmentation = output.Length == 4 && labels.Length == 3 && labels[1] == output[2] && labels[2] == output[3];
        bool rows = !set.HasLabels && (output.Length is 2 or 4) && labels.SequenceEqual(output);
        if (output[0] != size || !(classification || segmentation || rows))
            throw new InferenceInputException($"{path}: the first output has shape [{string.Join(", ", output)}] for labels " +
                $"[{string.Join(", ", labels)}] of {set.TargetsFile ?? set.Source}; " +
                "eval needs [batch, classes] for labels [batch], or [batch, classes, H, W] for labels [batch, H, W] (float targets: " +
                    "shaped like the output)");
    }

    private static void Report(string path, DataSet set, ClassificationMetrics m, double loss, IReadOnlyList<string> names,
        ExecutionProviderChoice provider, TimeSpan elapsed)
    {
        Console.WriteLine($"{path} on {set.Source} ({m.Count} samples, {provider.ToString().ToLowerInvariant()} provider)");
        Console.WriteLine($"loss {loss:F4}  top-1 {m.Top1:P2}" + (m.Classes > 5 ? $"  top-5 {m.Top5:P2}" : "") +
            $"  {m.Count / elapsed.TotalSeconds:F0} samples/s");
        Console.WriteLine("per class (label, name, accuracy, count):");
        int width = Math.Max(4, names.Max(n => n.Length));
        for (int label = 0; label < m.Classes; label++)
            Console.WriteLine($"  {label,3}  {names[label].PadRight(width)}  {FormatAccuracy(m.AccuracyOf(label))}  {m.CountOf(label),6}");
        Console.WriteLine("confusion matrix (rows: label, columns: predicted):");
        m.PrintConfusion(Console.Out, width: 5);
    }

    /// <summary>A class without samples has no accuracy: printed as "-" rather than "NaN %".</summary>
    private static string FormatAccuracy(double accuracy) => (double.IsNaN(accuracy) ? "-" : accuracy.ToString("P2")).PadLeft(8);

    /// <summary>The CUDA fallback of <c>auto</c> is told once per machine state, not on every run (<see cref="OnceNotice"/>).</summary>
    private static void ShowFallbackNotice(OnnxRuntimeSession session)
    {
        if (session.FallbackNotice == null)
        {
            if (session.ActiveProvider == ExecutionProviderChoice.Cuda) OnceNotice.Forget("cuda-fallback");
            return;
        }
        if (OnceNotice.ShouldShow("cuda-fallback", session.FallbackNotice)) Console.Error.WriteLine(session.FallbackNotice);
    }
}
