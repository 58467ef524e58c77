using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// An ONNX operator with its attributes resolved (spec defaults applied, values checked). The trainer has one
/// kernel per OpSpec type. Specs are plain records so that a vertex's prediction function can be read,
/// printed and compared without any compute library.
/// </summary>
public abstract record OpSpec
{
    public abstract string OpType { get; }

    /// <summary>
    /// The output shape for the given input shapes (null for an absent optional input). It must agree with
    /// what the trainer's kernel produces; inputs that do not fit raise <see cref="ShapeException"/>.
    /// </summary>
    public abstract long[] InferShape(IReadOnlyList<long[]?> inputs);

    protected static long[] Input(IReadOnlyList<long[]?> inputs, int index, string name) =>
        index < inputs.Count && inputs[index] is { } shape ? shape : throw new ShapeException($"input {index} ({name}) is required");
}

/// <summary>Input shapes that do not fit an operator.</summary>
public sealed class ShapeException(string message) : Exception(message);

/// <summary>
/// The clamped data input, with the concrete shape the PCN is built for and the graph input's element type:
/// an integer input (token ids) is fed as int64, so that a Gather can read it as indices.
/// </summary>
public sealed record DataInputSpec(string InputName, long[] Shape,
    TensorProto.Types.DataType ElementType = TensorProto.Types.DataType.Float) : OpSpec
{
    public override string OpType => "Input";
    public bool IsInteger => ModelInputs.IsIdType(ElementType);
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Shape;
}

/// <summary>y = x. Identity nodes, inference-mode Dropout and the vertices levelling adds.</summary>
public sealed record IdentitySpec : OpSpec
{
    public static readonly IdentitySpec Instance = new();
    public override string OpType => "Identity";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "input");
}
