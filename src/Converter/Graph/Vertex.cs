namespace ZilOnnx.Converter.Graph;

/// <summary>
/// A data-dependent tensor of the ONNX graph and its predictive-coding state description: the prediction
/// function (an <see cref="OpSpec"/> over its operands), and its place in the Z-IL schedule.
/// </summary>
public sealed class Vertex
{
    public Vertex(string name, string nodeName, OpSpec op, IReadOnlyList<Operand> operands, VertexKind kind = VertexKind.Computed)
    {
        Name = name;
        NodeName = nodeName;
        Op = op;
        Operands = operands.ToList();
        Kind = kind;
    }

    /// <summary>The ONNX tensor name; levelling vertices get a derived name.</summary>
    public string Name { get; }

    /// <summary>The ONNX node that computes this tensor (for messages), or a description for added vertices.</summary>
    public string NodeName { get; }

    public OpSpec Op { get; }

    /// <summary>The shape of the vertex's tensor for the input shapes the PCN was built for.</summary>
    public long[] Shape { get; internal set; } = [];
    public List<Operand> Operands { get; }
    public VertexKind Kind { get; }

    /// <summary>d(v): value-node hops to the training output; -1 for vertices that do not reach it.</summary>
    public int Depth { get; internal set; } = -1;

    /// <summary>Position in the graph's topological order (set by the graph builder).</summary>
    public int Index { get; internal set; }

    public bool ReachesOutput => Depth >= 0;

    /// <summary>
    /// Computed from the data inputs alone, with no parameter upstream (a graph input, or the Transpose that feeds
    /// an exported RNN its sequence): data like the input, so clamped to its feed-forward value, never free.
    /// </summary>
    public bool FromDataAlone { get; internal set; }

    public IEnumerable<Vertex> VertexInputs => Operands.OfType<Operand.FromVertex>().Select(o => o.Source);

    public override string ToString() => $"{Name} ({Op.OpType}, d={Depth})";
}

public enum VertexKind
{
    /// <summary>A graph input: clamped to the data, never free.</summary>
    DataInput,
    /// <summary>The output of an ONNX node.</summary>
    Computed,
    /// <summary>An identity vertex added by levelling (docs/algorithms.md rule 2).</summary>
    Levelling,
}
