using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>How the graph builder treats a float initializer read by an input slot.</summary>
public enum InputRole
{
    /// <summary>Differentiable: an initializer here is a trainable parameter; a data tensor is a vertex.</summary>
    Differentiable,
    /// <summary>A float tensor that is read but never trained (BatchNormalization's running statistics).</summary>
    Frozen,
    /// <summary>Must be known at conversion time (shapes, pads, ratios).</summary>
    Static,
}

/// <summary>
/// One ONNX operator family: a pure function from a node to a PCN prediction function, with the spec's
/// attribute defaults, plus what the graph builder needs to know about its inputs.
/// </summary>
public interface IOperatorMapping
{
    string Domain => "";
    string OpType { get; }

    /// <summary>The operator's since-versions in the default opset (sorted); the model's opset picks one.</summary>
    IReadOnlyList<int> SinceVersions { get; }

    InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Differentiable;

    /// <summary>Resolves attributes and static inputs into the spec the trainer's kernel runs.</summary>
    OpSpec Map(NodeContext node);

    /// <summary>False for operators that are only ever evaluated at conversion time (Constant, shape arithmetic).</summary>
    bool MapsData => true;

    /// <summary>Outputs beyond the first that a model may read (most operators have one data output).</summary>
    int DataOutputs => 1;
}

/// <summary>An operator that can be evaluated once, at conversion time, when all its inputs are constant.</summary>
public interface IStaticEvaluation
{
    /// <param name="inputs">The node's inputs, null where absent; reading past the inputs the node lists gives null
    /// too (see <see cref="StaticInputs"/>), so a node missing a required input is reported, not indexed past.</param>
    HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs);
}

/// <summary>
/// The values of a node's constant inputs. An index past the inputs the node lists reads as null, like an optional
/// input left empty: a file can list fewer inputs than the operator requires, and each evaluation then says which
/// one is missing instead of indexing past the list.
/// </summary>
public sealed class StaticInputs(IReadOnlyList<HostTensor?> values) : IReadOnlyList<HostTensor?>
{
    public HostTensor? this[int index] => index >= 0 && index < values.Count ? values[index] : null;

    public int Count => values.Count;

    public IEnumerator<HostTensor?> GetEnumerator() => values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// An operator that becomes several vertices rather than one: a recurrence unrolled over time (one vertex per
/// time step), or a node with several outputs (one vertex per output read). It creates them through
/// <paramref name="vertices"/> and returns what each ONNX output is.
/// </summary>
public interface IGraphExpansion
{
    IReadOnlyList<Operand> Expand(NodeContext node, VertexSink vertices);

    /// <summary>
    /// True when <see cref="Expand"/> also takes a node whose inputs are all constant and returns constants:
    /// <see cref="IStaticEvaluation"/> folds a node into one tensor, which loses the outputs after the first.
    /// </summary>
    bool ExpandsConstants => false;

    /// <summary>How the operator appears in the PCN, for the operator table.</summary>
    string Form => "unrolled into vertices";
}

/// <summary>Where an expansion puts the vertices it creates; each gets its shape and parameter readers registered.</summary>
public sealed class VertexSink(NodeContext node, List<Vertex> vertices)
{
    /// <summary>
    /// Refuses the node when <paramref name="count"/> more vertices would take the PCN past
    /// <see cref="PcGraphBuilder.MaxVertices"/>; an expansion calls it before it creates many.
    /// </summary>
    public void Reserve(long count)
    {
        if (vertices.Count + count > PcGraphBuilder.MaxVertices)
            throw node.Fail($"it would add {count} vertices to the {vertices.Count} before it, more than the {PcGraphBuilder.MaxVertices} "
                + "a PCN may have in all");
    }

    public Vertex Add(string name, OpSpec op, IReadOnlyList<Operand> operands)
    {
        Reserve(1);
        long[] shape;
        try { shape = op.InferShape(operands.Select(o => o.Shape).ToList()); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
        var vertex = new Vertex(name, node.Node.Name, op, operands) { Shape = shape };
        foreach (var p in operands.OfType<Operand.FromParameter>()) p.View.Root.Readers.Add(vertex);
        vertices.Add(vertex);
        return vertex;
    }
}

/// <summary>An operator whose output depends on its inputs' shapes only (Shape, Size): always static.</summary>
public interface IShapeEvaluation
{
    HostTensor EvaluateFromShapes(NodeContext node);
}

/// <summary>An operator that may sit between an initializer and its reader without making the result data-dependent.</summary>
public interface IParameterTransform
{
}
