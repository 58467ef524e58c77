using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// Maps a validated ONNX model onto a <see cref="PcGraph"/>: classifies every tensor as data-dependent
/// (a vertex), trainable (a parameter, possibly behind a parameter-only chain) or static (evaluated once),
/// then computes the schedule d(v) and levels the graph.
/// </summary>
public sealed class PcGraphBuilder(OperatorRegistry registry)
{
    public static PcGraph Build(ModelProto model, string file, PcGraphOptions? options = null) =>
        new PcGraphBuilder(OperatorRegistry.Default).BuildGraph(model, file, options ?? new PcGraphOptions());

    public PcGraph BuildGraph(ModelProto model, string file, PcGraphOptions options)
    {
        var graph = BuildOnce(model, file, options);
        // Which initializers are trainable parameters is known once the nodes are mapped, so untying rebuilds.
        return options.Untie && SharedInitializers.Of(graph).Count > 0 ? BuildOnce(SharedInitializers.Untie(graph), file, options) : graph;
    }

    private PcGraph BuildOnce(ModelProto model, string file, PcGraphOptions options)
    {
        var graph = model.Graph;
        int opset = DefaultOpset(model, file);
        var nodes = OnnxModelValidator.TopologicalOrder(graph, file);
        RejectUnsupported(nodes, opset, file);

        var scope = new Scope(graph, file, options.Frozen);
        var vertices = new List<Vertex>();
        foreach (string input in ModelInputs.DataInputNames(model))
        {
            long[] shape = options.InputShapes?.GetValueOrDefault(input) ?? ModelInputs.NominalShape(model, input)
                ?? throw new ModelConversionException(file, [$"graph input '{input}' declares no shape and none was given"]);
            var v = new Vertex(input, input, new DataInputSpec(input, shape, ModelInputs.ElementType(model, input)), [],
                VertexKind.DataInput)
            { Shape = shape };
            vertices.Add(v);
            scope.Define(input, new Operand.FromVertex(v));
        }
        var layerNorms = LayerNormPattern.Find(graph, nodes);
        foreach (var node in nodes)
        {
            // A spelled-out LayerNorm's inner nodes wait for its final Add, which maps the chain as one vertex or,
            // where its operands do not fit, the waiting nodes one by one (nothing else reads their outputs meanwhile).
            if (layerNorms.IsInner(node)) continue;
            var layerNorm = layerNorms.EndingAt(node);
            if (layerNorm != null && TryMapLayerNorm(layerNorm, opset, scope, vertices, file, options)) continue;
            foreach (var inner in layerNorm?.Inner ?? []) MapNode(inner, opset, scope, vertices, file, options);
            MapNode(node, opset, scope, vertices, file, options);
        }
        CheckSizes(vertices, file);
        foreach (var v in vertices)
            v.FromDataAlone = v.Kind == VertexKind.DataInput
                || (!v.Operands.Any(o => o is Operand.FromParameter) && v.VertexInputs.All(u => u.FromDataAlone));

        var outputs = graph.Output.ToDictionary(o => o.Name, o => scope.Lookup(o.Name, InputRole.Differentiable));
        Vertex trainingOutput = ChooseTrainingOutput(outputs, options, file);
        Schedule.AssignDepths(vertices, trainingOutput);
        if (options.Levelling)
        {
            long added = Schedule.LevellingVertexCount(vertices);
            if (vertices.Count + added > MaxVertices)
                throw new ModelConversionException(file,
                    [$"levelling the graph ({vertices.Count} vertices, depth {vertices.Max(v => v.Depth)}) "
                    + $"would add {added} identity vertices, more than the {MaxVertices} a PCN may have in all"]);
            vertices = Schedule.Level(vertices);
        }
        for (int i = 0; i < vertices.Count; i++) vertices[i].Index = i;
        var parameters = scope.Parameters.Where(p => p.Readers.Count > 0).ToList();
        return new PcGraph(model, file, opset, vertices, parameters, outputs, trainingOutput, options.Levelling);
    }

    /// <summary>
    /// The most vertices a PCN may have, levelling included. Recurrences unroll into a vertex per time step and
    /// levelling adds chains whose lengths follow the graph's depth, so a few bytes declaring long sequences could
    /// otherwise ask for billions of vertices; a million (about half a GiB while converting) is far more than a
    /// model this trainer can train step by step needs.
    /// </summary>
    public const int MaxVertices = 1_000_000;

    /// <summary>
    /// The most elements one vertex (or one parameter as a vertex reads it) may hold for the batch the PCN is built
    /// for: 2^31, 8 GiB as float32. Shapes are computed from what the file declares (an input's dimensions, an
    /// Expand's or Pad's constants), so a few bytes can describe a tensor no machine could train; it is refused here,
    /// before the trainer allocates anything.
    /// </summary>
    public const long MaxVertexElements = 1L << 31;

    private static void CheckSizes(List<Vertex> vertices, string file)
    {
        void Check(long[] shape, string what)
        {
            long count;
            try { count = HostTensor.ElementCount(shape); }
            catch (ShapeException e) { throw new ModelConversionException(file, [$"{what}: {e.Message}"]); }
            if (count > MaxVertexElements)
                throw new ModelConversionException(file, [$"{what} has shape {ShapeMath.Format(shape)}, {count} elements, "
                    + $"more than the {MaxVertexElements} one tensor of the PCN may hold"]);
        }
        foreach (var v in vertices)
        {
            foreach (var p in v.Operands.OfType<Operand.FromParameter>())
                Check(p.View.Shape, $"parameter '{p.View.Root.Name}' as vertex '{v.Name}' reads it");
            Check(v.Shape, $"vertex '{v.Name}' ({v.Op.OpType})");
        }
    }

    public static int DefaultOpset(ModelProto model, string file)
    {
        var import = model.OpsetImport.FirstOrDefault(o => OperatorRegistry.NormalizeDomain(o.Domain) == "");
        int opset = import == null ? 0 : (int)import.Version;
        if (opset < OperatorRegistry.MinOpset || opset > OperatorRegistry.MaxOpset)
            throw new ModelConversionException(file,
                [$"default-domain opset {opset} is outside the supported range {OperatorRegistry.MinOpset}..{OperatorRegistry.MaxOpset}"]);
        return opset;
    }

    /// <summary>Lists every node the registry cannot map at once, so a user sees the whole gap in one run.</summary>
    private void RejectUnsupported(IEnumerable<NodeProto> nodes, int opset, string file)
    {
        var problems = registry.FindUnsupported(nodes, opset);
        if (problems.Count > 0) throw new ModelConversionException(file, problems);
    }

    private void MapNode(NodeProto node, int opset, Scope scope, List<Vertex> vertices, string file, PcGraphOptions options)
    {
        var (mapping, since) = registry.Resolve(node.Domain, node.OpType, opset)!.Value;
        var operands = node.Input.Select((name, i) => scope.Lookup(name, mapping.RoleOf(i, since))).ToList();
        var context = new NodeContext(node, opset, since, operands, file) { Options = options };
        // Shapes come from the file, so any shape arithmetic can meet a dimension that is negative, overflows or asks
        // for a constant too large to compute; wherever that surfaces, it is reported against this node.
        try { MapNode(node, mapping, since, operands, context, scope, vertices); }
        catch (ShapeException e) { throw context.Fail(e.Message); }
    }

    private static void MapNode(NodeProto node, IOperatorMapping mapping, int since, List<Operand> operands, NodeContext context,
        Scope scope, List<Vertex> vertices)
    {
        if (mapping is IGraphExpansion expansion
            && (expansion.ExpandsConstants || operands.Any(o => o is Operand.FromVertex or Operand.FromParameter)))
        {
            var outputs = expansion.Expand(context, new VertexSink(context, vertices));
            for (int i = 0; i < node.Output.Count; i++)
                if (node.Output[i] != "") scope.Define(node.Output[i], outputs[i]);
            return;
        }

        if (mapping is IShapeEvaluation shapeOnly)
        {
            // Shape, Size: known from the input shapes alone, whatever the values.
            scope.Define(node.Output[0], new Operand.FromConstant(shapeOnly.EvaluateFromShapes(context)));
            RejectReadOutputs(node, 1, scope, context);
            return;
        }

        bool readsData = operands.Any(o => o is Operand.FromVertex);
        bool readsParameter = operands.Any(o => o is Operand.FromParameter);
        if (!readsData && !readsParameter)
        {
            if (mapping is not IStaticEvaluation evaluation)
                throw context.Fail("all inputs are constant, but this operator cannot be evaluated at conversion time");
            var values = new StaticInputs(operands.Select(o => (o as Operand.FromConstant)?.Value).ToList());
            scope.Define(node.Output[0], new Operand.FromConstant(evaluation.EvaluateStatic(context, values)));
            RejectReadOutputs(node, 1, scope, context);
            return;
        }

        OpSpec spec = mapping.Map(context);
        if (!readsData && mapping is IParameterTransform && operands[0] is Operand.FromParameter source
            && operands.Skip(1).All(o => o is not Operand.FromParameter))
        {
            // A Reshape/Transpose/... of one stored initializer: the reader sees the transformed tensor, the update
            // is mapped back to the initializer (docs/algorithms.md rule 4).
            var view = source.View.Then(new ParameterTransform(node.Name, spec, operands.Skip(1).ToList()));
            InferShape(spec, operands, context);
            scope.Define(node.Output[0], new Operand.FromParameter(view));
        }
        else
        {
            // Data-dependent, or computed from parameters by an operator that is not a plain transform (e.g. the
            // Gemm of an unrolled RNN's zero initial state with shared weights): a vertex either way, one that
            // simply has no free parents in the second case.
            var vertex = new VertexSink(context, vertices).Add(node.Output[0], spec, operands);
            scope.Define(node.Output[0], new Operand.FromVertex(vertex));
        }
        RejectReadOutputs(node, mapping.DataOutputs, scope, context);
    }

    /// <summary>
    /// Maps a <see cref="LayerNormPattern.Match"/> onto one LayerNormalization vertex when X is data, the exponent is the
    /// constant 2, epsilon a constant, and Scale and B hold one value per position of X's last axis; false otherwise.
    /// </summary>
    private static bool TryMapLayerNorm(LayerNormPattern.Match match, int opset, Scope scope, List<Vertex> vertices, string file,
        PcGraphOptions options)
    {
        if (scope.Lookup(match.X, InputRole.Differentiable) is not Operand.FromVertex { Source.Shape: [.., var width] } x) return false;
        if (scope.Lookup(match.Exponent, InputRole.Static) is not Operand.FromConstant { Value: { Count: 1 } exponent }
            || exponent.Values[0] != 2) return false;
        if (scope.Lookup(match.Epsilon, InputRole.Static)
            is not Operand.FromConstant { Value: { Count: 1, IsFloatingPoint: true } epsilon }) return false;
        var scale = scope.Lookup(match.Scale, InputRole.Differentiable);
        var bias = scope.Lookup(match.Bias, InputRole.Differentiable);
        if (!(scale.Shape is [var s] && s == width && bias.Shape is [var b] && b == width)) return false;
        var context = new NodeContext(match.Output, opset, opset, [x, scale, bias], file) { Options = options };
        var vertex = new VertexSink(context, vertices).Add(match.Output.Output[0],
            new LayerNormalizationSpec(Axis: -1, Epsilon: epsilon.Values[0]), [x, scale, bias]);
        scope.Define(match.Output.Output[0], new Operand.FromVertex(vertex));
        return true;
    }

    private static long[] InferShape(OpSpec spec, IReadOnlyList<Operand> operands, NodeContext context)
    {
        try { return spec.InferShape(operands.Select(o => o.Shape).ToList()); }
        catch (ShapeException e) { throw context.Fail(e.Message); }
    }

    /// <summary>Optional outputs a mapping does not produce (MaxPool indices, Dropout mask) must not be read.</summary>
    private static void RejectReadOutputs(NodeProto node, int produced, Scope scope, NodeContext context)
    {
        for (int i = produced; i < node.Output.Count; i++)
            if (node.Output[i] != "") scope.MarkUnavailable(node.Output[i], context.Describe + $" output {i}");
    }

    private static Vertex ChooseTrainingOutput(Dictionary<string, Operand> outputs, PcGraphOptions options, string file)
    {
        if (outputs.Count == 0)
            throw new ModelConversionException(file, ["the graph declares no outputs, so there is nothing to train or export"]);
        string name = options.OutputName ?? outputs.Keys.First();
        if (!outputs.TryGetValue(name, out var operand))
            throw new ModelConversionException(file,
                [$"graph output '{name}' does not exist (outputs: {string.Join(", ", outputs.Keys)})"]);
        if (operand is not Operand.FromVertex { Source: var output } || output.Kind == VertexKind.DataInput)
            throw new ModelConversionException(file, [$"graph output '{name}' does not depend on the data input through any operator"]);
        if (options.TrainOnLogits && output.Op is SoftmaxSpec && output.Operands[0] is Operand.FromVertex { Source: var logits })
            return logits;
        if (options.TrainBeforeSigmoid && output.Op is ActivationSpec { Kind: Activation.Sigmoid }
            && output.Operands[0] is Operand.FromVertex { Source: var beforeSigmoid })
            return beforeSigmoid;
        return output;
    }

    /// <summary>What each tensor name resolves to while nodes are mapped in topological order.</summary>
    private sealed class Scope
    {
        private readonly Dictionary<string, TensorProto> _initializers;
        private readonly Dictionary<string, Operand> _defined = [];
        private readonly Dictionary<string, string> _unavailable = [];
        private readonly Dictionary<string, Parameter> _parameters = [];
        private readonly string _file;
        private readonly IReadOnlySet<string> _frozen;

        public Scope(GraphProto graph, string file, IReadOnlySet<string>? frozen)
        {
            _initializers = graph.Initializer.ToDictionary(t => t.Name);
            _file = file;
            _frozen = frozen ?? new HashSet<string>();
        }

        public IEnumerable<Parameter> Parameters => _parameters.Values;

        public bool IsInitializer(string name) => _initializers.ContainsKey(name);

        public void Define(string name, Operand operand) => _defined[name] = operand;

        public void MarkUnavailable(string name, string producer) => _unavailable[name] = producer;

        public Operand Lookup(string name, InputRole role)
        {
            if (name == "") return Operand.Absent.Instance;
            if (_unavailable.TryGetValue(name, out var producer))
                throw new ModelConversionException(_file, [$"'{name}' ({producer}) is read, but this output is not supported"]);
            if (_defined.TryGetValue(name, out var operand)) return operand;
            if (!_initializers.TryGetValue(name, out var proto))
                throw new ModelConversionException(_file, [$"'{name}' is read but never defined"]);
            var value = TensorCodec.Decode(proto, _file);
            if (role != InputRole.Differentiable || !value.IsFloatingPoint
                || _frozen.Contains(name)) return new Operand.FromConstant(value);
            if (!_parameters.TryGetValue(name, out var parameter))
                _parameters[name] = parameter = new Parameter(name, value);
            return new Operand.FromParameter(ParameterView.Direct(parameter));
        }
    }
}
