using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

internal enum CaseStatus { Passed, Failed, Rejected, NotClaimed }

/// <summary>What became of one case. <see cref="Detail"/> says why, or how close the results came.</summary>
internal sealed record CaseOutcome(ConformanceCase Case, CaseStatus Status, string Detail, bool OnnxRuntimeCompared = false);

/// <summary>
/// Runs one conformance case through the converter and the PCN forward pass, in float64 and float32, and compares
/// every graph output with the reference output and with ONNX Runtime's output for the same model and inputs.
/// </summary>
internal static class ConformanceRunner
{
    /// <summary>The reference outputs are float32 (computed by NumPy or PyTorch), so float64 results can only agree
    /// to float32 rounding: a few ulps (1.2e-7 each) relative, more for sums of many terms.</summary>
    public static readonly Tolerance Float64VsFloat32 = new(2e-6, 2e-7,
        "float64 PCN against float32 results: float32 rounding of the reference, ~16 ulps (1.2e-7 each)");

    /// <summary>Both sides round in float32, possibly summing in different orders (im2col vs direct convolution).</summary>
    public static readonly Tolerance Float32VsFloat32 = new(2e-5, 2e-6,
        "float32 PCN against float32 results: both sides round, summing in different orders (~160 ulps)");

    public static CaseOutcome Run(ConformanceCase c)
    {
        // Anything but a conversion error is a failure of the case, never of the whole run.
        try { return RunCase(c); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new CaseOutcome(c, CaseStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static CaseOutcome RunCase(ConformanceCase c)
    {
        if (NotClaimedBecause(c) is { } reason) return new CaseOutcome(c, CaseStatus.NotClaimed, reason);
        var source = c.Model;
        if (c.DefaultOpset < OperatorRegistry.MinOpset)
            source = OpsetRelabel.To(source, OperatorRegistry.MinOpset)
                ?? throw new InvalidOperationException("checked by NotClaimedBecause");
        try { OnnxModelValidator.Validate(source.Clone(), c.ModelPath); }
        catch (OnnxModelException e) { return new CaseOutcome(c, CaseStatus.Rejected, e.Message); }

        var weights = WeightInputs.Find(source, c.FedInputs.Select(i => i.Name));
        // The PCN computes in floating point; integer data (test_add_uint8) still has to convert, or be
        // rejected clearly, but its results are not compared.
        var dataValues = c.FedInputs.Where(i => !weights.Contains(i.Name)).Concat(source.Graph.Output).ToList();
        // Integer outputs computed from float data (MaxPool's Indices) are compared too, exactly in effect: the
        // tolerances are far below 1 at their magnitudes.
        bool floatingData = dataValues.All(v => ConformanceCase.IsFloatingTensor(v)
            || (source.Graph.Output.Contains(v) && v.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Int64));
        // Double data (the opset-6 PyTorch Add cases hold uninitialised memory: denormals and magnitudes beyond
        // float32's range) is compared in float64 only; float32 cannot represent it.
        Precision[] precisions = dataValues.All(ConformanceCase.IsFloatTensor) ? [Precision.Float64, Precision.Float32] : [Precision.Float64];
        var report = new List<string>();
        bool ortCompared = true;
        foreach (var set in c.DataSets())
        {
            var model = WeightInputs.Inline(source, weights, set.Inputs);
            var data = set.Inputs.Where(kv => !weights.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            var results = new List<(string Label, HostTensor Expected, long[] Shape, double[] Values, Tolerance Tolerance)>();
            try
            {
                if (data.Count == 0 || !StaticGraphEvaluator.OutputsDependOnData(model, data.Keys))
                {
                    var outputs = StaticGraphEvaluator.Evaluate(model, c.ModelPath, data);
                    var ort = RunOnnxRuntime(c, set, report);
                    ortCompared &= ort != null;
                    for (int i = 0; i < outputs.Count; i++)
                        AddComparisons(results, $"static {c.Model.Graph.Output[i].Name}", set.Outputs[i], ort?[i], outputs[i].Shape, outputs[i].Values, Float64VsFloat32);
                }
                else
                {
                    var graph = PcGraphBuilder.Build(model, c.ModelPath);
                    if (!floatingData) return new CaseOutcome(c, CaseStatus.NotClaimed, "converts, but its data is not floating point, so results are not compared");
                    var ort = RunOnnxRuntime(c, set, report);
                    ortCompared &= ort != null;
                    foreach (var precision in precisions)
                    {
                        var tolerance = precision == Precision.Float64 ? Float64VsFloat32 : Float32VsFloat32;
                        var outputs = ForwardPcn(graph, precision, data);
                        for (int i = 0; i < outputs.Count; i++)
                            AddComparisons(results, $"{precision} {c.Model.Graph.Output[i].Name}", set.Outputs[i], ort?[i], outputs[i].Shape, outputs[i].Values, tolerance);
                    }
                }
            }
            catch (ModelConversionException e) { return new CaseOutcome(c, CaseStatus.Rejected, e.Message); }
            catch (KernelException e) { return new CaseOutcome(c, CaseStatus.Failed, $"{set.Name}: kernel error: {e.Message}"); }

            double worst = 0;
            foreach (var r in results)
            {
                var deviation = TensorComparison.Compare(r.Expected, r.Shape, r.Values, r.Tolerance);
                if (!deviation.Within) return new CaseOutcome(c, CaseStatus.Failed, $"{set.Name}: {r.Label}: {deviation}", ortCompared);
                worst = Math.Max(worst, deviation.WorstFraction);
            }
            report.Add($"{set.Name}: {results.Count} comparisons, worst at {worst:P0} of its tolerance");
        }
        return new CaseOutcome(c, CaseStatus.Passed, string.Join("; ", report.Distinct()), ortCompared);
    }

    /// <summary>Why the registry does not claim the case, or null when it maps every node and the inputs are tensors.</summary>
    private static string? NotClaimedBecause(ConformanceCase c)
    {
        if (RequiredCases.DefectiveData.TryGetValue((c.Suite, c.Name), out var defect)) return "defective test data: " + defect;
        if (RequiredCases.RandomReference.TryGetValue((c.Suite, c.Name), out var random)) return random;
        if (!c.UsesOnlyTheDefaultDomain) return "uses a domain other than the default";
        int opset = c.DefaultOpset;
        if (opset > OperatorRegistry.MaxOpset || (opset < OperatorRegistry.MinOpset && OpsetRelabel.To(c.Model, OperatorRegistry.MinOpset) == null))
            return $"opset {opset} is outside {OperatorRegistry.MinOpset}..{OperatorRegistry.MaxOpset}";
        int resolvedOpset = Math.Max(opset, OperatorRegistry.MinOpset);
        var unsupported = c.Model.Graph.Node.Where(n => OperatorRegistry.Default.Resolve(n.Domain, n.OpType, resolvedOpset) == null)
            .Select(n => n.OpType).Distinct().ToList();
        if (unsupported.Count > 0) return $"operators not in the registry: {string.Join(", ", unsupported)}";
        if (!Directory.EnumerateDirectories(c.Folder, "test_data_set_*").Any()) return "no data sets";
        if (!c.FedInputs.Concat(c.Model.Graph.Output).All(v => v.Type?.ValueCase == TypeProto.ValueOneofCase.TensorType))
            return "an input or output is not a tensor (sequence, optional)";
        // Host tensors hold numbers; Cast to or from STRING is refused by the converter (CastTests).
        if (c.FedInputs.Concat(c.Model.Graph.Output).Any(ConformanceCase.IsStringTensor))
            return "an input or output is a tensor of strings";
        return null;
    }

    /// <summary>Every graph output of the PCN forward pass, in graph order, as float64 host values.</summary>
    private static List<(long[] Shape, double[] Values)> ForwardPcn(PcGraph graph, Precision precision, IReadOnlyDictionary<string, HostTensor> data)
    {
        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, precision, CPU);
        var values = pcn.Forward(data.ToDictionary(kv => kv.Key, kv => pcn.ToTensor(kv.Value)));
        var outputs = new List<(long[], double[])>();
        foreach (var output in graph.Model.Graph.Output)
        {
            Tensor t = graph.GraphOutputs[output.Name] switch
            {
                Operand.FromVertex v => values[v.Source],
                Operand.FromConstant k => pcn.ConstantValue(k),
                var other => throw new InvalidOperationException($"graph output '{output.Name}' is {other}"),
            };
            using var host = t.detach().to(ScalarType.Float64, CPU).contiguous();
            // TorchSharp's accessor cannot copy out a tensor without elements.
            outputs.Add((host.shape, host.numel() == 0 ? [] : host.data<double>().ToArray()));
        }
        return outputs;
    }

    /// <summary>
    /// ONNX Runtime's outputs for the case's own model (weights fed as inputs, as the case is written), or for its
    /// opset-7 equivalent where ONNX Runtime has no kernel for an opset-6 operator version; null when neither runs.
    /// </summary>
    private static IReadOnlyList<HostTensor>? RunOnnxRuntime(ConformanceCase c, ConformanceDataSet set, List<string> report)
    {
        string? firstProblem = null;
        foreach (var (label, model) in OnnxRuntimeCandidates(c))
        {
            try
            {
                using var session = OnnxRuntimeSession.Open(model.ToByteArray(), ExecutionProviderChoice.Cpu);
                var outputs = session.Run(set.Inputs);
                if (label != null) report.Add($"ONNX Runtime ran {label}");
                return c.Model.Graph.Output.Select(o => outputs[o.Name]).ToList();
            }
            catch (OnnxRuntimeException e) { firstProblem ??= e.Message.Split('\n')[0]; }
            // The session feeds and returns numbers; bfloat16 tensors have no .NET type there.
            catch (Exception e) when (e is InferenceInputException or NotSupportedException) { firstProblem ??= e.Message; }
        }
        report.Add($"ONNX Runtime cannot run this model ({firstProblem})");
        return null;
    }

    private static IEnumerable<(string? Label, ModelProto Model)> OnnxRuntimeCandidates(ConformanceCase c)
    {
        yield return (null, c.Model);
        if (c.DefaultOpset == 6 && OpsetRelabel.UpgradeOpset6ForOnnxRuntime(c.Model) is { } upgraded)
            yield return ("the opset-7 equivalent", upgraded);
    }

    private static void AddComparisons(List<(string, HostTensor, long[], double[], Tolerance)> results, string label,
        HostTensor reference, HostTensor? onnxRuntime, long[] shape, double[] values, Tolerance tolerance)
    {
        results.Add((label + " vs reference", reference, shape, values, tolerance));
        if (onnxRuntime != null) results.Add((label + " vs ONNX Runtime", onnxRuntime, shape, values, tolerance));
    }
}
