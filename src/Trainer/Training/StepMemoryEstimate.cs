using TorchSharp;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// A conservative upper estimate of the memory one training step needs beyond what exists before it (the model, its
/// parameters, the data), read from the vertex shapes the PCN was built for (the batch included) at the run's
/// precision. A step holds, at its peak:
/// <list type="bullet">
/// <item><b>values</b>: every vertex's value at the batch size (the data input as int64 when it takes ids);</item>
/// <item><b>tapes</b>: what the local tapes (zil) or autograd (bp, the witness) keep for the backward pass besides the
/// values: masks, pooling indices, padded copies; taken as one more tensor of each computed vertex's size;</item>
/// <item><b>errors</b>: the errors and vector-Jacobian products of the backward sweep, at most one of each vertex's
/// size (they are released as they are used, so this bounds them all alive at once);</item>
/// <item><b>workspace</b>: the largest transient of a single kernel: a convolution's unfolded input (batch x input
/// channels x kernel cells x output cells, what libtorch's im2col path allocates), else the vertex's inputs and
/// output once more;</item>
/// <item><b>parameters</b>: the parameter-sized tensors a step adds: the rule's update, the witness's when the step is
/// verified, the optimizer's state (momentum one copy, adam two, made at its first step) and its temporary.</item>
/// </list>
/// Rules with PC dynamics (zil-relaxed, fa-zil, il and the ablations) hold the feed-forward pass and the value nodes'
/// displacements through the relaxation, and within each inference step the values they read, the predictions with
/// their tapes, the errors (a difference of differences), the feedback products and the new displacements: four times
/// the values, tapes and errors of a rule that sweeps once (LeNet-5 at batch 1024 measured 8.8 (zil-relaxed) and 12.0
/// (il) times its values, against 3.1 for zil). A verified Z-IL step records one forward pass for Z-IL and its witness
/// (<see cref="VerifiedStep"/>, where sharing pays): the values are shared, but backprop's graph is held beside Z-IL's tapes until
/// its backward call, so the tapes count twice; run beside Z-IL's sweep (`--verify-beside`), that backward's errors and
/// kernel workspace count twice too. Any other rule's witness (bp) runs after the rule's working set is released,
/// so a verified step needs the larger of the two, not their sum. docs/cli.md ("Memory") states the same.
/// </summary>
public sealed record StepMemoryEstimate(long Values, long Tapes, long Errors, long Workspace, long Parameters)
{
    public long Total => Saturated((double)Values + Tapes + Errors + Workspace + Parameters);

    /// <param name="graph">The PCN's graph, built for the batch (or, under MPI, the shard) one step computes.</param>
    /// <param name="verified">Whether steps are checked against backprop (the witness's update is one more parameter set).</param>
    /// <param name="beside">Whether the witness's backward runs beside Z-IL's sweep (`--verify-beside`).</param>
    public static StepMemoryEstimate For(PcGraph graph, Precision precision, ILearningRule rule, string optimizer, bool verified = true,
        bool beside = false)
    {
        long element = precision == Precision.Float64 ? 8 : 4;
        long values = 0, computed = 0, workspace = 0;
        foreach (var v in graph.Vertices)
        {
            long size = Bytes(v, element);
            values += size;
            if (v.Kind == VertexKind.DataInput) continue;
            computed += size;
            workspace = Math.Max(workspace, KernelWorkspace(v, element));
        }
        long parameterSet = graph.Parameters.Sum(p => ShapeMath.Product(p.Shape)) * element;
        long optimizerCopies = optimizer.ToLowerInvariant() switch { "adam" => 2, "momentum" => 1, _ => 0 };
        long parameters = parameterSet * ((verified ? 2 : 1) + optimizerCopies + 1);
        int relaxing = (rule is ChunkedRule chunked ? chunked.Inner : rule) is IRelaxingRule ? 4 : 1;
        int tapeSets = verified && rule is Zil && VerifiedStep.SharesForwardPass(graph) ? 2 : 1;
        // Side by side (WitnessBeside), the two backward computations' errors and kernel transients are alive at once. It
        // runs on a CPU with two threads or more only; CUDA steps are not checked.
        int sweeps = beside && tapeSets == 2 && WitnessBeside.ThreadsEach(DeviceType.CPU) != null ? 2 : 1;
        return new StepMemoryEstimate(values * relaxing, computed * relaxing * tapeSets, computed * relaxing * sweeps, workspace * sweeps,
            parameters);
    }

    /// <summary>"values 9.2 GB, tapes 9.2 GB, ...": the parts, for a message.</summary>
    public string Parts() =>
        $"values {Format(Values)}, tapes {Format(Tapes)}, errors {Format(Errors)}, kernel workspace {Format(Workspace)}, " +
            $"parameter-sized tensors {Format(Parameters)}";

    /// <summary>Bytes in a readable unit: "23.1 GB", "512 MB", "64 KB" (powers of 1024, as free and top count).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F1} GB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F0} MB",
        _ => $"{Math.Max(1, bytes >> 10)} KB",
    };

    private static long Bytes(Vertex v, long element) =>
        ShapeMath.Product(v.Shape) * (v.Op is DataInputSpec { IsInteger: true } ? 8 : element);

    /// <summary>The largest tensor one kernel call makes besides its output: the unfolded input of a convolution, else its inputs and
    /// output once more.</summary>
    private static long KernelWorkspace(Vertex v, long element)
    {
        long[]? x = v.Operands.Count > 1 ? v.Operands[0].Shape : null, w = v.Operands.Count > 1 ? v.Operands[1].Shape : null;
        if (x is { Length: > 2 } && w is { Length: > 2 })
        {
            // In doubles, saturated: every tensor of the PCN holds at most 2^31 elements, but the unfolded input is a
            // product of several such counts, which a hostile model can push past a long.
            double kernelCells = ShapeMath.Product(w[2..]);
            switch (v.Op)
            {
                // Conv unfolds its input to [N, C_in x kernel cells, output cells]; the backward pass unfolds it again.
                case ConvSpec:
                    return Saturated((double)x[0] * x[1] * kernelCells * ShapeMath.Product(v.Shape[2..]) * element);
                // ConvTranspose multiplies into [N, C_out x kernel cells, input cells] and folds that into the output.
                case ConvTransposeSpec transpose:
                    return Saturated((double)x[0] * w[1] * transpose.Group * kernelCells * ShapeMath.Product(x[2..]) * element);
            }
        }
        long inputs = v.Operands.OfType<Operand.FromVertex>().Sum(o => ShapeMath.Product(o.Source.Shape));
        return (inputs + ShapeMath.Product(v.Shape)) * element;
    }

    private static long Saturated(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)bytes;
}
