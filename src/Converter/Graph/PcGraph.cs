using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// The predictive-coding network that overlays an ONNX graph: one vertex per data-dependent tensor (plus the
/// identity vertices levelling adds), the trainable initializers, and the Z-IL schedule d(v).
/// </summary>
public sealed class PcGraph
{
    internal PcGraph(ModelProto model, string file, int opset, IReadOnlyList<Vertex> vertices, IReadOnlyList<Parameter> parameters,
        IReadOnlyDictionary<string, Operand> graphOutputs, Vertex trainingOutput, bool levelled)
    {
        Model = model;
        File = file;
        Opset = opset;
        Vertices = vertices;
        Parameters = parameters;
        GraphOutputs = graphOutputs;
        TrainingOutput = trainingOutput;
        Levelled = levelled;
    }

    /// <summary>The ONNX model as loaded; export writes it back with new initializer values.</summary>
    public ModelProto Model { get; }
    public string File { get; }
    public int Opset { get; }

    /// <summary>All vertices in topological order, data inputs first.</summary>
    public IReadOnlyList<Vertex> Vertices { get; }
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Each ONNX graph output and what produces it.</summary>
    public IReadOnlyDictionary<string, Operand> GraphOutputs { get; }

    /// <summary>The vertex the loss is applied to (the logits before a final Softmax when training with ce).</summary>
    public Vertex TrainingOutput { get; }

    public bool Levelled { get; }

    public IEnumerable<Vertex> DataInputs => Vertices.Where(v => v.Kind == VertexKind.DataInput);

    /// <summary>The depth of the graph: the number of Z-IL inference steps is MaxDepth + 1.</summary>
    public int MaxDepth => Vertices.Where(IsFree).Select(v => v.Depth).DefaultIfEmpty(0).Max();

    /// <summary>The shape a graph input declares: fixed dimensions as numbers, symbolic or missing ones as null.</summary>
    public IReadOnlyList<long?> DeclaredShape(string inputName) => ModelInputs.DeclaredShape(Model, inputName);

    /// <summary>
    /// A vertex whose value node is relaxed: on a path to the training output, with a parameter upstream. A vertex
    /// computed from the data alone is clamped like the input: no update depends on its error (backprop computes no
    /// gradient for it either), so it takes none.
    /// </summary>
    public static bool IsFree(Vertex v) => !v.FromDataAlone && v.ReachesOutput;

    /// <summary>
    /// The vertex a levelling chain copies (the vertex itself when it is no copy): the one whose tensor a copy stands for.
    /// Training asks for it per copy and per term at every step (DenseNet-121 has 3,210 copies, chains of dozens), so it
    /// reads each copy's one operand directly.
    /// </summary>
    public static Vertex SourceOf(Vertex v)
    {
        while (v.Kind == VertexKind.Levelling) v = CopiedFrom(v);
        return v;
    }

    /// <summary>
    /// What a levelling copy reads: its source, or the copy before it in its chain. A pass in the graph's order has met it
    /// already, so it can take that vertex's value without walking the chain back to the source: on DenseNet-121 that walk,
    /// copy by copy, makes 130,071 steps and took 0.9 ms a pass.
    /// </summary>
    public static Vertex CopiedFrom(Vertex copy) => ((Operand.FromVertex)copy.Operands[0]).Source;
}
