using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Graph;

/// <summary>What one input slot of a vertex reads: another vertex, a parameter, a static constant, or nothing.</summary>
public abstract record Operand
{
    /// <summary>The tensor's shape, or null for an absent input.</summary>
    public abstract long[]? Shape { get; }

    /// <summary>A data-dependent tensor: the value node of another vertex (or the clamped data input).</summary>
    public sealed record FromVertex(Vertex Source) : Operand
    {
        public override long[]? Shape => Source.Shape;
    }

    /// <summary>A trainable initializer, seen through its parameter-only transform chain.</summary>
    public sealed record FromParameter(ParameterView View) : Operand
    {
        public override long[]? Shape => View.Shape;
    }

    /// <summary>A tensor known before any data arrives: a constant, a frozen statistic, a shape.</summary>
    public sealed record FromConstant(HostTensor Value) : Operand
    {
        public override long[]? Shape => Value.Shape;
    }

    /// <summary>An optional ONNX input that the node leaves out.</summary>
    public sealed record Absent : Operand
    {
        public static readonly Absent Instance = new();
        public override long[]? Shape => null;
    }
}
