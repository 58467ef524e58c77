using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>Transpose: output axis k is input axis perm[k]; without perm the axes are reversed.</summary>
public sealed record TransposeSpec(long[]? Perm) : OpSpec
{
    public override string OpType => "Transpose";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "data");
        return Permutation(x.Length).Select(p => x[p]).ToArray();
    }

    /// <summary>The permutation for an input of the given rank, checked to be one.</summary>
    public int[] Permutation(int rank)
    {
        if (Perm == null) return Enumerable.Range(0, rank).Reverse().ToArray();
        if (Perm.Length != rank) throw new ShapeException($"perm {ShapeMath.Format(Perm)} has {Perm.Length} entries for an input of " +
            $"rank {rank}");
        if (!Perm.Order().Select(p => (int)p).SequenceEqual(Enumerable.Range(0, rank)))
            throw new ShapeException($"perm {ShapeMath.Format(Perm)} is not a permutation of the axes 0..{rank - 1}");
        return Perm.Select(p => (int)p).ToArray();
    }
}

public sealed class TransposeMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Transpose";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 13, 21];

    public OpSpec Map(NodeContext node)
    {
        long[]? perm = node.Attributes.Ints("perm");
        node.Attributes.RejectUnknown();
        return new TransposeSpec(perm);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (TransposeSpec)Map(node);
        var data = inputs[0] ?? throw node.Fail("input 'data' is required");
        try { return TensorIndexing.Transpose(data, spec.Permutation(data.Rank)); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}
