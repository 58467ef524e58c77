namespace ZilOnnx.Converter.Ops;

/// <summary>
/// The one list of supported operators, keyed by (domain, op type); each mapping names its since-versions
/// and the model's opset selects the version in force.
/// </summary>
public sealed class OperatorRegistry
{
    // Opset 6 is the oldest in which every mapped operator has lost the consumed_inputs attribute of the
    // Caffe2 era; its legacy broadcasting (Add, Gemm) and test-mode flags (BatchNormalization, Dropout) are mapped.
    public const int MinOpset = 6;
    public const int MaxOpset = 22;

    public static OperatorRegistry Default { get; } = new(
    [
        new ConvMapping(),
        new GemmMapping(),
        new MatMulMapping(),
        new AddMapping(),
        new ActivationMapping(Activation.Relu, 1, 6, 13, 14),
        new ActivationMapping(Activation.Sigmoid, 1, 6, 13),
        new ActivationMapping(Activation.Tanh, 1, 6, 13),
        new PoolMapping(PoolKind.Max),
        new PoolMapping(PoolKind.Average),
        new GlobalAveragePoolMapping(),
        new FlattenMapping(),
        new ReshapeMapping(),
        new IdentityMapping(),
        new DropoutMapping(),
        new BatchNormalizationMapping(),
        new PadMapping(),
        new ConstantMapping(),
        new SoftmaxMapping(log: false),
        new SoftmaxMapping(log: true),
        new RecurrentMapping(RecurrentCell.Rnn),
        new RecurrentMapping(RecurrentCell.Lstm),
        new RecurrentMapping(RecurrentCell.Gru),
        new ShapeMapping(),
        new SizeMapping(),
        new ConstantOfShapeMapping(),
        new GatherMapping(),
        new UnsqueezeMapping(),
        new SqueezeMapping(),
        new ConcatMapping(),
        new SliceMapping(),
        new SplitMapping(),
        new TransposeMapping(),
        new CastMapping(),
        new ExpandMapping(),
        new ArithmeticMapping(Arithmetic.Sub),
        new ArithmeticMapping(Arithmetic.Mul),
        new ArithmeticMapping(Arithmetic.Div),
        new EqualMapping(),
        new UnaryMapping(UnaryFunction.LeakyRelu, 1, 6, 16),
        new UnaryMapping(UnaryFunction.Elu, 1, 6, 22),
        new UnaryMapping(UnaryFunction.Selu, 1, 6, 22),
        new UnaryMapping(UnaryFunction.Celu, 12),
        new UnaryMapping(UnaryFunction.Softplus, 1, 22),
        new UnaryMapping(UnaryFunction.Softsign, 1, 22),
        new UnaryMapping(UnaryFunction.HardSigmoid, 1, 6, 22),
        new UnaryMapping(UnaryFunction.HardSwish, 14, 22),
        new UnaryMapping(UnaryFunction.Gelu, 20),
        new UnaryMapping(UnaryFunction.Erf, 9, 13),
        new UnaryMapping(UnaryFunction.Neg, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Exp, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Log, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Sqrt, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Abs, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Reciprocal, 1, 6, 13),
        new ClipMapping(),
        new PReluMapping(),
        new PowMapping(),
        new VariadicMapping(Variadic.Sum, 1, 6, 8, 13),
        new VariadicMapping(Variadic.Mean, 1, 6, 8, 13),
        new VariadicMapping(Variadic.Max, 1, 6, 8, 12, 13),
        new VariadicMapping(Variadic.Min, 1, 6, 8, 12, 13),
        new WhereMapping(),
        new ReduceMapping(ReduceKind.Sum),
        new ReduceMapping(ReduceKind.Mean),
        new ReduceMapping(ReduceKind.Max),
        new ReduceMapping(ReduceKind.Min),
        new ReduceMapping(ReduceKind.Prod),
        new ReduceMapping(ReduceKind.L1),
        new ReduceMapping(ReduceKind.L2),
        new ReduceMapping(ReduceKind.SumSquare),
        new ReduceMapping(ReduceKind.LogSum),
        new ReduceMapping(ReduceKind.LogSumExp),
        new LayerNormalizationMapping(),
        new InstanceNormalizationMapping(),
        new LrnMapping(),
        new ConvTransposeMapping(),
        new GlobalMaxPoolMapping(),
        new LpPoolMapping(),
        new DepthToSpaceMapping(),
        new SpaceToDepthMapping(),
        new TileMapping(),
        new ResizeMapping(),
        new UpsampleMapping(),
    ]);

    private readonly Dictionary<(string Domain, string OpType), IOperatorMapping> _mappings;

    public OperatorRegistry(IEnumerable<IOperatorMapping> mappings) =>
        _mappings = mappings.ToDictionary(m => (NormalizeDomain(m.Domain), m.OpType));

    public IEnumerable<IOperatorMapping> All => _mappings.Values.OrderBy(m => m.OpType, StringComparer.Ordinal);

    /// <summary>The mapping and the since-version in force at the given opset, or null when unsupported.</summary>
    public (IOperatorMapping Mapping, int SinceVersion)? Resolve(string domain, string opType, int opset)
    {
        if (!_mappings.TryGetValue((NormalizeDomain(domain), opType), out var mapping)) return null;
        int since = mapping.SinceVersions.Where(v => v <= opset).DefaultIfEmpty(-1).Max();
        return since < 0 ? null : (mapping, since);
    }

    /// <summary>Every node the registry cannot map at the given opset, described for people (name, op, opset).</summary>
    public IReadOnlyList<string> FindUnsupported(IEnumerable<Onnx.Proto.NodeProto> nodes, int opset) =>
        nodes.Where(n => Resolve(n.Domain, n.OpType, opset) == null)
            .Select(n => $"node '{n.Name}' ({(NormalizeDomain(n.Domain) == "" ? "" : n.Domain + ".")}{n.OpType}, opset {opset}): operator not supported")
            .ToList();

    public static string NormalizeDomain(string domain) => domain is "" or "ai.onnx" ? "" : domain;
}
