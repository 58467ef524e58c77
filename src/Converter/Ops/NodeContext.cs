using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// What a mapping sees of one ONNX node: the node, the opset it is resolved against, its attributes, and the
/// operands the graph builder resolved for its inputs (vertex, parameter, constant or absent).
/// </summary>
public sealed class NodeContext
{
    public NodeContext(NodeProto node, int opset, int sinceVersion, IReadOnlyList<Operand> operands, string file)
    {
        Node = node;
        Opset = opset;
        SinceVersion = sinceVersion;
        Operands = operands;
        File = file;
        Attributes = new AttributeReader(node, Fail);
    }

    public NodeProto Node { get; }

    /// <summary>The model's opset for the node's domain.</summary>
    public int Opset { get; }

    /// <summary>The operator version in force at that opset (the largest since-version not above it).</summary>
    public int SinceVersion { get; }

    public IReadOnlyList<Operand> Operands { get; }
    public AttributeReader Attributes { get; }
    public string File { get; }

    /// <summary>The choices the PCN is built with (`--bn`).</summary>
    public PcGraphOptions Options { get; init; } = new();

    public string Describe => $"node '{Node.Name}' ({Node.OpType}, opset {Opset})";

    /// <summary>The shape of input <paramref name="index"/>, or null when it is absent.</summary>
    public long[]? InputShape(int index) => HasInput(index) ? Operands[index].Shape : null;

    public bool HasInput(int index) => index < Operands.Count && Operands[index] is not Operand.Absent;

    /// <summary>The value of an input that must be known before any data arrives (a shape, pads, a ratio).</summary>
    public HostTensor? StaticInput(int index)
    {
        if (!HasInput(index)) return null;
        return Operands[index] is Operand.FromConstant c
            ? c.Value
            : throw Fail($"input {index} ('{Node.Input[index]}') must be a constant, but it depends on the data or is trainable");
    }

    public ModelConversionException Fail(string problem) => new(File, [$"{Describe}: {problem}"]);
}
