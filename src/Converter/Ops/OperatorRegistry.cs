namespace ZilOnnx.Converter.Ops;

/// <summary>
/// The supported operators, keyed by (domain, op type); each mapping names its since-versions and the model's opset
/// selects the version in force.
/// </summary>
public sealed class OperatorRegistry
{
    // Opset 6 is the oldest in which every mapped operator has lost the consumed_inputs attribute of the
    // Caffe2 era; its legacy broadcasting (Add, Gemm) and test-mode flags (BatchNormalization, Dropout) are mapped.
    public const int MinOpset = 6;
    public const int MaxOpset = 22;

    /// <summary>Every mapping the converter defines (<see cref="OperatorDiscovery"/>).</summary>
    public static OperatorRegistry Default { get; } = new(OperatorDiscovery.In(typeof(OperatorRegistry).Assembly));

    private readonly Dictionary<(string Domain, string OpType), IOperatorMapping> _mappings;

    public OperatorRegistry(IEnumerable<IOperatorMapping> mappings)
    {
        _mappings = new();
        foreach (var mapping in mappings)
        {
            var key = (NormalizeDomain(mapping.Domain), mapping.OpType);
            if (!_mappings.TryAdd(key, mapping))
                throw new InvalidOperationException($"operator {mapping.OpType} is mapped twice: by {_mappings[key].GetType().Name} and " +
                    $"{mapping.GetType().Name}");
        }
    }

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
            .Select(n =>
                $"node '{n.Name}' ({(NormalizeDomain(n.Domain) == "" ? "" : n.Domain + ".")}{n.OpType}, opset {opset}): operator not " +
                $"supported")
            .ToList();

    public static string NormalizeDomain(string domain) => domain is "" or "ai.onnx" ? "" : domain;
}
