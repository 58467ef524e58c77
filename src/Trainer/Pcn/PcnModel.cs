using System.Diagnostics;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Profiling;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Pcn;

/// <summary>
/// A <see cref="PcGraph"/> made computable: parameter tensors (by initializer name), constants as tensors,
/// and the evaluation of one vertex's prediction function from given input values. It holds no PC state:
/// the learning rules keep value and error nodes of their own.
/// </summary>
public sealed class PcnModel : IDisposable
{
    private readonly Dictionary<Operand.FromConstant, Tensor> _constants = new(ReferenceEqualityComparer.Instance);

    /// <param name="parameters">Parameter tensors to share with another model of the same ONNX graph (e.g. an
    /// unlevelled ablation); null creates them from the initializers.</param>
    public PcnModel(PcGraph graph, Precision precision, Device device, Dictionary<string, Tensor>? parameters = null)
    {
        Graph = graph;
        Precision = precision;
        Device = device;
        Parameters = parameters ?? graph.Parameters.ToDictionary(p => p.Name, p => ToTensor(p.Initial).DetachFromDisposeScope());
        RunningStatistics = new RunningStatistics(this);
    }

    public PcGraph Graph { get; }
    public Precision Precision { get; }
    public ScalarType DType => Precision.ToScalarType();
    public Device Device { get; }

    /// <summary>Current values of the stored initializers (no gradient tracking); optimizers update them in place.</summary>
    public Dictionary<string, Tensor> Parameters { get; }

    /// <summary>The running statistics of BatchNormalizations that normalize with batch statistics; the trainer moves them after each
    /// step.</summary>
    public RunningStatistics RunningStatistics { get; }

    /// <summary>
    /// The masks of training-mode Dropout vertices while the model is trained; null (run, eval, inspection) runs them
    /// as the identity, their inference form.
    /// </summary>
    public DropoutMasks? DropoutMasks { get; set; }

    public Tensor ToTensor(HostTensor host) => OwnedTensors.FromArray(host.Values, host.Shape, Device, DType);

    public Tensor ConstantValue(Operand.FromConstant constant)
    {
        if (!_constants.TryGetValue(constant, out var value))
        {
            value = constant.Value.IsFloatingPoint
                ? ToTensor(constant.Value)
                : tensor(constant.Value.ToInt64Array(), constant.Value.Shape, device: Device);
            // Cached for the model's lifetime: a rule's dispose scope must not free it.
            _constants[constant] = value = value.DetachFromDisposeScope();
        }
        return value;
    }

    /// <summary>
    /// The parameter as the vertex reads it: the root tensor passed through the view's transforms. An Identity transform
    /// (exporters emit chains of them on initializers: one of DenseNet-121's has 61 links) is skipped: its value is
    /// its input's, bit for bit, and skipping it spares an operation and an autograd node per link at every step.
    /// </summary>
    public Tensor ApplyView(ParameterView view, Tensor root)
    {
        var value = root;
        foreach (var transform in view.Chain)
        {
            if (transform.Op is IdentitySpec) continue;
            var inputs = new List<Tensor?> { value };
            inputs.AddRange(transform.OtherOperands.Select(StaticValue));
            value = KernelRegistry.For(transform.Op).Forward(transform.Op, inputs);
        }
        return value;
    }

    /// <summary>Maps a gradient with respect to a parameter view back to its stored initializer (docs/algorithms.md rule 4).</summary>
    public Tensor MapBack(ParameterView view, Tensor gradient)
    {
        if (view.Chain.All(transform => transform.Op is IdentitySpec)) return gradient;
        using var root = Parameters[view.Root.Name].detach().requires_grad_(true);
        using var viewed = ApplyView(view, root);
        return Gradients.Of([viewed], [root], [gradient])[0]
            ?? throw new InvalidOperationException($"parameter '{view.Root.Name}': its view does not depend on it");
    }

    /// <summary>Gathers a vertex's inputs: vertex values from <paramref name="vertexValue"/>, parameters from
    /// <paramref name="parameterValue"/>.</summary>
    public List<Tensor?> Inputs(Vertex vertex, Func<Vertex, Tensor> vertexValue, Func<ParameterView, Tensor> parameterValue) =>
        Inputs(vertex, (_, source) => vertexValue(source), (_, view) => parameterValue(view));

    /// <summary>
    /// <see cref="Inputs(Vertex, Func{Vertex, Tensor}, Func{ParameterView, Tensor})"/> with each operand's slot, for the
    /// callers that keep per slot what they made of it (the leaves of a local tape).
    /// </summary>
    public List<Tensor?> Inputs(Vertex vertex, Func<int, Vertex, Tensor> vertexValue, Func<int, ParameterView, Tensor> parameterValue) =>
        vertex.Operands.Select((operand, slot) => operand switch
        {
            Operand.FromVertex v => vertexValue(slot, v.Source),
            Operand.FromParameter p => parameterValue(slot, p.View),
            _ => StaticValue(operand),
        }).ToList();

    /// <summary>mu_v = g_v(inputs). Input mismatches are reported with the vertex and its ONNX node.</summary>
    public Tensor Predict(Vertex vertex, IReadOnlyList<Tensor?> inputs) =>
        Predict(vertex, inputs, (op, operands) => KernelRegistry.For(op).Forward(op, operands));

    /// <summary>
    /// mu_v through a keeping closed form's forward pass (the kernel's own operations, <see cref="IKeepingClosedForm"/>),
    /// with what it kept for the vertex's products.
    /// </summary>
    public (Tensor Prediction, Tensor[] Kept) Predict(Vertex vertex, IReadOnlyList<Tensor?> inputs, IKeepingClosedForm closedForm)
    {
        Tensor[] kept = [];
        var prediction = Predict(vertex, inputs, (op, operands) =>
        {
            (var output, kept) = closedForm.Forward(op, operands);
            return output;
        });
        return (prediction, kept);
    }

    private Tensor Predict(Vertex vertex, IReadOnlyList<Tensor?> inputs, Func<OpSpec, IReadOnlyList<Tensor?>, Tensor> forward)
    {
        // Every rule predicts through here, so the rule and its witness read the same mask of a training-mode Dropout.
        if (vertex.Op is DropoutSpec dropout && DropoutMasks != null)
            inputs = [.. inputs, .. Enumerable.Repeat<Tensor?>(null, Math.Max(0, DropoutKernel.MaskSlot - inputs.Count)),
                      DropoutMasks.For(vertex, dropout, DType, Device)];
        Tensor output;
        var profile = StepProfile.Active is { TimesKernels: true } p ? p : null;
        long start = profile != null ? Stopwatch.GetTimestamp() : 0;
        try { output = forward(vertex.Op, inputs); }
        catch (KernelException e)
        {
            throw new KernelException($"vertex '{vertex.Name}' (node '{vertex.NodeName}', {vertex.Op.OpType}): {e.Message}");
        }
        // The converter's shape inference decided the schedule and folded shape arithmetic; a kernel that
        // disagrees with it would make those decisions wrong, so the two are held to each other on every call.
        if (!output.Sizes().SequenceEqual(vertex.Shape))
            throw new InvalidOperationException($"vertex '{vertex.Name}' ({vertex.Op.OpType}): the kernel produced " +
                $"{ShapeMath.Format(output.Sizes())}, the converter inferred {ShapeMath.Format(vertex.Shape)}");
        profile?.Add(ProfilePart.BpForward, vertex, start);
        return output;
    }

    /// <summary>The feed-forward pass with the current parameters: every vertex's prediction, no gradient tracking.</summary>
    public Dictionary<Vertex, Tensor> Forward(IReadOnlyDictionary<string, Tensor> data)
    {
        using var _ = no_grad();
        var values = new Dictionary<Vertex, Tensor>();
        foreach (var v in Graph.Vertices)
            values[v] = v.Kind == VertexKind.DataInput
                ? DataValue(v, data)
                : Predict(v, Inputs(v, u => values[u], view => ApplyView(view, Parameters[view.Root.Name])));
        return values;
    }

    /// <summary>The feed-forward pass in inference form, as a held-out evaluation needs it: training-mode Dropout is the
    /// identity.</summary>
    public Dictionary<Vertex, Tensor> InferenceForward(IReadOnlyDictionary<string, Tensor> data)
    {
        var masks = DropoutMasks;
        DropoutMasks = null;
        try { return Forward(data); }
        finally { DropoutMasks = masks; }
    }

    /// <summary>The batch's tensor for a data input, as given: integer ids stay int64 (never converted to the float type).</summary>
    public Tensor DataValue(Vertex input, IReadOnlyDictionary<string, Tensor> data)
    {
        var spec = (DataInputSpec)input.Op;
        if (!data.TryGetValue(spec.InputName, out var x))
            throw new ArgumentException($"no data for graph input '{input.Name}'");
        if (!x.Sizes().SequenceEqual(input.Shape))
            throw new ArgumentException($"data for graph input '{input.Name}' has shape {ShapeMath.Format(x.Sizes())}, but the PCN was " +
                $"built for {ShapeMath.Format(input.Shape)}");
        if (spec.IsInteger && x.is_floating_point())
            throw new ArgumentException($"data for graph input '{input.Name}' is {x.dtype}, but the input is {spec.ElementType} (ids)");
        return x;
    }

    /// <summary>
    /// Current parameters, and the running statistics that training moves, in the initializers' own element types,
    /// ready for export.
    /// </summary>
    public Dictionary<string, HostTensor> ExportParameters()
    {
        var values = Graph.Parameters.ToDictionary(p => p.Name, p => ToHost(Parameters[p.Name], p.Initial));
        foreach (var (name, initial) in RunningStatistics.Initial)
            values[name] = ToHost(RunningStatistics.Values[name], initial);
        return values;
    }

    private static HostTensor ToHost(Tensor value, HostTensor initial)
    {
        using var cpuValue = value.detach().to(ScalarType.Float64, CPU).contiguous();
        return new HostTensor(initial.ElementType, initial.Shape, cpuValue.data<double>().ToArray());
    }

    /// <summary>The tensor of a constant operand, or null for an absent optional input.</summary>
    public Tensor? StaticValue(Operand operand) => operand switch
    {
        Operand.FromConstant c => ConstantValue(c),
        Operand.Absent => null,
        _ => throw new InvalidOperationException($"operand {operand} is not a constant"),
    };

    public void Dispose()
    {
        RunningStatistics.Dispose();
        DropoutMasks?.Dispose();
        foreach (var t in _constants.Values) t.Dispose();
        _constants.Clear();
    }
}
