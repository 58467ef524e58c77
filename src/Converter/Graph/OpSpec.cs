namespace ZilOnnx.Converter.Graph;

/// <summary>
/// An ONNX operator with its attributes resolved (spec defaults applied, values checked). The trainer has one
/// kernel per OpSpec type. Specs are plain records so that a vertex's prediction function can be read,
/// printed and compared without any compute library.
/// </summary>
public abstract record OpSpec
{
    public abstract string OpType { get; }
}

/// <summary>The clamped data input.</summary>
public sealed record DataInputSpec(string InputName) : OpSpec
{
    public override string OpType => "Input";
}

/// <summary>y = x. Identity nodes, inference-mode Dropout and the vertices levelling adds.</summary>
public sealed record IdentitySpec : OpSpec
{
    public static readonly IdentitySpec Instance = new();
    public override string OpType => "Identity";
}
