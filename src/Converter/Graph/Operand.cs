using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Graph;

/// <summary>What one input slot of a vertex reads: another vertex, a parameter, a static constant, or nothing.</summary>
public abstract record Operand
{
    /// <summary>A data-dependent tensor: the value node of another vertex (or the clamped data input).</summary>
    public sealed record FromVertex(Vertex Source) : Operand;

    /// <summary>A trainable initializer, seen through its parameter-only transform chain.</summary>
    public sealed record FromParameter(ParameterView View) : Operand;

    /// <summary>A tensor known before any data arrives: a constant, a frozen statistic, a shape.</summary>
    public sealed record FromConstant(HostTensor Value) : Operand;

    /// <summary>An optional ONNX input that the node leaves out.</summary>
    public sealed record Absent : Operand
    {
        public static readonly Absent Instance = new();
    }
}
