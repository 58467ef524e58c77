using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Onnx;

/// <summary>
/// Checks the structural rules of the ONNX IR that everything after loading relies on: a supported IR and
/// opset version, every tensor name defined exactly once, every read name defined, an acyclic graph.
/// Operator-level checks (attributes, shapes) belong to the operator registry, not here.
/// </summary>
public static class OnnxModelValidator
{
    // IR 3 (ONNX 1.0) is the first IR with opset_import, without which operator semantics are ambiguous;
    // IR 11 is the newest that this project's onnx.proto describes, and a newer IR may carry fields whose
    // meaning would be silently dropped.
    public const long MinIrVersion = 3;
    public const long MaxIrVersion = 11;

    // The operator registry implements the default domain's operators as of opsets 6..22: 6 is the oldest
    // without the Caffe2-era consumed_inputs attributes (many PyTorch exports of its time use it; its legacy
    // broadcast attributes are mapped), 22 the newest whose specification it follows.
    public const long MinOpset = 6;
    public const long MaxOpset = 22;

    /// <summary>
    /// How deeply sub-graphs (If branches, Loop and Scan bodies) may nest. A parsed file cannot exceed it (protobuf's
    /// nesting bound, <see cref="OnnxModelFile.MaxMessageNesting"/>, stops at about 30); checked here as well so that
    /// the recursive walks below are bounded whatever built the model.
    /// </summary>
    public const int MaxSubgraphNesting = 32;

    private static readonly IReadOnlySet<string> NoOuterScope = new HashSet<string>();

    public static void Validate(ModelProto model, string file)
    {
        if (model.Graph is null)
            throw new OnnxModelException(file, "the file holds no graph, so it is not an ONNX model");
        CheckIrVersion(model, file);
        var importedDomains = CheckOpsetImports(model, file);
        CheckNodeDomains(model.Graph, importedDomains, file, context: "", depth: 0);
        Analyse(model.Graph, file, NoOuterScope, context: "", depth: 0);
    }

    /// <summary>
    /// The graph's nodes in an order where every node comes after the nodes whose outputs it reads (through its
    /// inputs or from inside its sub-graphs). Among the possible orders it keeps the file's order wherever it
    /// can (a stable Kahn's algorithm), so a graph already in order comes back unchanged.
    /// Throws <see cref="OnnxModelException"/> on a name defined twice, a name read but not defined, or a cycle.
    /// </summary>
    public static IReadOnlyList<NodeProto> TopologicalOrder(GraphProto graph, string file) =>
        Analyse(graph, file, NoOuterScope, context: "", depth: 0).Order;

    private static void CheckIrVersion(ModelProto model, string file)
    {
        long ir = model.IrVersion;
        if (ir < MinIrVersion)
            throw new OnnxModelException(file, $"IR version {ir} is older than supported {MinIrVersion}..{MaxIrVersion}; "
                + "re-export the model with a current exporter");
        if (ir > MaxIrVersion)
            throw new OnnxModelException(file, $"IR version {ir} is newer than supported {MinIrVersion}..{MaxIrVersion}");
    }

    private static string NormalizeDomain(string domain) => domain == "ai.onnx" ? "" : domain;

    private static string DomainLabel(string domain) => domain.Length == 0 ? "the default domain (\"\" or \"ai.onnx\")"
        : $"domain '{domain}'";

    private static HashSet<string> CheckOpsetImports(ModelProto model, string file)
    {
        if (model.OpsetImport.Count == 0)
            throw new OnnxModelException(file, $"the model (IR version {model.IrVersion}) has no opset_import, so the "
                + $"operator versions it was written for are unknown; re-export it with opset {MinOpset}..{MaxOpset}");

        var versions = new Dictionary<string, long>();
        foreach (var opset in model.OpsetImport)
        {
            string domain = NormalizeDomain(opset.Domain);
            if (!versions.TryAdd(domain, opset.Version))
                throw new OnnxModelException(file, $"opset_import lists {DomainLabel(domain)} twice");
        }

        if (!versions.TryGetValue("", out long version))
        {
            string listed = string.Join(", ", versions.Select(v => $"'{v.Key}' {v.Value}"));
            throw new OnnxModelException(file, $"opset_import has no entry for {DomainLabel("")} (it lists {listed})");
        }
        if (version < MinOpset)
            throw new OnnxModelException(file, $"opset {version} is older than supported {MinOpset}..{MaxOpset}; "
                + "convert it with onnx.version_converter or re-export it");
        if (version > MaxOpset)
            throw new OnnxModelException(file, $"opset {version} is newer than supported {MinOpset}..{MaxOpset}; "
                + $"re-export it with opset {MaxOpset} or older");
        return [.. versions.Keys];
    }

    private static void CheckNodeDomains(GraphProto graph, HashSet<string> imported, string file, string context, int depth)
    {
        CheckNesting(depth, file);
        for (int i = 0; i < graph.Node.Count; i++)
        {
            NodeProto node = graph.Node[i];
            if (!imported.Contains(NormalizeDomain(node.Domain)))
                throw new OnnxModelException(file, $"{NodeLabel(node, i, context)} uses {DomainLabel(node.Domain)}, "
                    + "which opset_import does not list");
            foreach (var (attribute, subgraph) in Subgraphs(node))
                CheckNodeDomains(subgraph, imported, file, SubgraphContext(node, i, attribute, context), depth + 1);
        }
    }

    private static void CheckNesting(int depth, string file)
    {
        if (depth > MaxSubgraphNesting)
            throw new OnnxModelException(file,
                $"sub-graphs (If branches, Loop and Scan bodies) are nested more than {MaxSubgraphNesting} levels deep, "
                + "which is not supported");
    }

    private static string NodeLabel(NodeProto node, int index, string context)
    {
        string op = NormalizeDomain(node.Domain).Length == 0 ? node.OpType : $"{node.Domain}:{node.OpType}";
        string id = node.Name.Length > 0 ? $"'{node.Name}'" : $"#{index}";
        return $"node {id} ({op}){context}";
    }

    private static string SubgraphContext(NodeProto owner, int ownerIndex, string attribute, string outerContext) =>
        $" in attribute '{attribute}' of {NodeLabel(owner, ownerIndex, outerContext)}";

    /// <summary>Sub-graphs held by a node's attributes (If branches, Loop and Scan bodies).</summary>
    private static IEnumerable<(string Attribute, GraphProto Graph)> Subgraphs(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is not null) yield return (attribute.Name, attribute.G);
            for (int k = 0; k < attribute.Graphs.Count; k++)
                yield return ($"{attribute.Name}[{k}]", attribute.Graphs[k]);
        }
    }

    /// <summary>What one graph defines and reads: its node order, and the outer-scope names it uses.</summary>
    private sealed record GraphAnalysis(IReadOnlyList<NodeProto> Order, IReadOnlySet<string> OuterNamesUsed);

    /// <summary>Where a name is defined: a node's index, or -1 for a graph input or initializer.</summary>
    private const int NotANode = -1;

    private static GraphAnalysis Analyse(GraphProto graph, string file, IReadOnlySet<string> outerScope, string context, int depth)
    {
        CheckNesting(depth, file);
        Dictionary<string, int> producers = DefinedNames(graph, file, context);
        var outerUsed = new HashSet<string>();
        int n = graph.Node.Count;
        var consumers = new List<int>[n];
        var pendingInputs = new int[n];
        for (int i = 0; i < n; i++) consumers[i] = [];

        HashSet<string>? visibleToSubgraphs = null;
        for (int i = 0; i < n; i++)
        {
            NodeProto node = graph.Node[i];
            var reads = node.Input.Where(name => name.Length > 0).ToList();
            foreach (var (attribute, subgraph) in Subgraphs(node))
            {
                visibleToSubgraphs ??= [.. outerScope, .. producers.Keys];
                var inner = Analyse(subgraph, file, visibleToSubgraphs, SubgraphContext(node, i, attribute, context), depth + 1);
                reads.AddRange(inner.OuterNamesUsed);
            }

            foreach (string name in reads)
            {
                if (producers.TryGetValue(name, out int producer))
                {
                    if (producer == NotANode) continue;
                    consumers[producer].Add(i);
                    pendingInputs[i]++;
                }
                else if (outerScope.Contains(name))
                {
                    outerUsed.Add(name);
                }
                else
                {
                    throw new OnnxModelException(file, $"{NodeLabel(node, i, context)} reads '{name}', "
                        + "which no input, initializer or earlier node defines");
                }
            }
        }

        var order = StableKahn(graph, consumers, pendingInputs, file, context);

        var outputNames = new HashSet<string>();
        foreach (var output in graph.Output)
        {
            if (output.Name.Length == 0)
                throw new OnnxModelException(file, $"a graph output{context} has no name");
            if (!outputNames.Add(output.Name))
                throw new OnnxModelException(file, $"graph output '{output.Name}'{context} is listed twice");
            if (producers.ContainsKey(output.Name)) continue;
            if (outerScope.Contains(output.Name)) { outerUsed.Add(output.Name); continue; }
            throw new OnnxModelException(file, $"graph output '{output.Name}'{context} is not defined by any input, initializer or node");
        }

        return new GraphAnalysis(order, outerUsed);
    }

    /// <summary>Every name the graph defines, mapped to its defining node; throws on a name defined twice.</summary>
    private static Dictionary<string, int> DefinedNames(GraphProto graph, string file, string context)
    {
        var producers = new Dictionary<string, int>();
        var what = new Dictionary<string, string>();

        foreach (var input in graph.Input)
        {
            if (input.Name.Length == 0)
                throw new OnnxModelException(file, $"a graph input{context} has no name");
            if (!producers.TryAdd(input.Name, NotANode))
                throw new OnnxModelException(file, $"graph input '{input.Name}'{context} is listed twice");
            what[input.Name] = "a graph input";
        }

        var initializerNames = graph.Initializer.Select(t => t.Name)
            .Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? ""));
        var seenInitializers = new HashSet<string>();
        foreach (string name in initializerNames)
        {
            if (name.Length == 0)
                throw new OnnxModelException(file, $"an initializer{context} has no name");
            if (!seenInitializers.Add(name))
                throw new OnnxModelException(file, $"initializer '{name}'{context} is defined twice");
            // Listing an initializer as a graph input as well is how IR < 4 declared it; still valid.
            producers.TryAdd(name, NotANode);
            what.TryAdd(name, "an initializer");
        }

        for (int i = 0; i < graph.Node.Count; i++)
        {
            NodeProto node = graph.Node[i];
            if (node.Output.All(name => name.Length == 0))
                throw new OnnxModelException(file, $"{NodeLabel(node, i, context)} has no outputs");
            foreach (string name in node.Output)
            {
                if (name.Length == 0) continue; // an optional output left out
                if (!producers.TryAdd(name, i))
                    throw new OnnxModelException(file, $"{NodeLabel(node, i, context)} writes '{name}', "
                        + $"which {what[name]} already defines; every tensor name must be defined once");
                what[name] = NodeLabel(node, i, context);
            }
        }
        return producers;
    }

    private static IReadOnlyList<NodeProto> StableKahn(GraphProto graph, List<int>[] consumers, int[] pendingInputs,
        string file, string context)
    {
        int n = graph.Node.Count;
        var remaining = (int[])pendingInputs.Clone();
        // Taking the ready node that comes first in the file keeps the file order when it is already valid.
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < n; i++)
            if (remaining[i] == 0) ready.Enqueue(i, i);

        var order = new List<NodeProto>(n);
        while (ready.TryDequeue(out int i, out _))
        {
            order.Add(graph.Node[i]);
            foreach (int consumer in consumers[i])
                if (--remaining[consumer] == 0) ready.Enqueue(consumer, consumer);
        }

        if (order.Count < n)
            throw new OnnxModelException(file, $"the graph{context} has a cycle: "
                + string.Join(" -> ", FindCycle(consumers, remaining).Select(i => NodeLabel(graph.Node[i], i, ""))));
        return order;
    }

    /// <summary>
    /// A cycle among the nodes Kahn's algorithm could not place. Each of them still waits on a producer that was
    /// not placed either, so walking from producer to producer must come back to a node already visited.
    /// Returned in data-flow order, with the first node repeated at the end.
    /// </summary>
    private static List<int> FindCycle(List<int>[] consumers, int[] remaining)
    {
        var unplacedProducerOf = new Dictionary<int, int>();
        for (int producer = 0; producer < consumers.Length; producer++)
        {
            if (remaining[producer] == 0) continue;
            foreach (int consumer in consumers[producer])
                if (remaining[consumer] > 0) unplacedProducerOf.TryAdd(consumer, producer);
        }

        int start = Array.FindIndex(remaining, r => r > 0);
        var walk = new List<int>();
        var positionInWalk = new Dictionary<int, int>();
        int current = start;
        while (!positionInWalk.ContainsKey(current))
        {
            positionInWalk[current] = walk.Count;
            walk.Add(current);
            current = unplacedProducerOf[current];
        }
        var cycle = walk.Skip(positionInWalk[current]).Reverse().ToList();
        cycle.Add(cycle[0]);
        return cycle;
    }
}
