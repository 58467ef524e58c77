using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The backward side of a conformance case, in float64. Every float input gets a trainable "probe": the input
/// plus a zero initializer of its shape, through an Add vertex that replaces the input everywhere. The update of
/// a probe is the gradient with respect to that input, so the vector-Jacobian products with respect to data
/// inputs and to weights (the node tests feed both as graph inputs) are all differentiated. Integer inputs
/// (shapes, indices, axes) become constants.
/// With a random error e on the output, the gradient of f = &lt;output, e&gt; is taken three ways: by Z-IL (local
/// vector-Jacobian products of every vertex, in schedule order), by autograd over the whole graph (BP), and by
/// central finite differences along a random direction, which owes nothing to autograd.
/// </summary>
internal static class GradientCheck
{
    /// <summary>Z-IL against BP: both are exact, so only rounding separates them.</summary>
    public const double ZilVsBackprop = 1e-10;

    /// <summary>
    /// Central differences with step 1e-6 have a truncation error of order h^2 times the third derivative and a
    /// rounding error of order 1e-16 / h relative: about 1e-8 together on these small cases; 1e-5 leaves room for
    /// sharper curvature while any wrong derivative is off by order one.
    /// </summary>
    public const double FiniteDifference = 1e-5;

    public sealed record Result(double ZilDivergence, double FiniteDifferenceDeviation, int Parameters);

    /// <returns>null when the case has nothing to differentiate (no float input reaches the first output through a vertex).</returns>
    public static Result? Run(ModelProto source, IReadOnlyDictionary<string, HostTensor> inputs, string file)
    {
        // Uninitialised-memory data (some opset-6 PyTorch cases) has magnitudes no derivative check can use.
        if (inputs.Values.Any(t => t.Values.Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e20))) return null;
        var floats = inputs.Where(kv => kv.Value.IsFloatingPoint).Select(kv => kv.Key).ToHashSet();
        if (floats.Count == 0) return null;
        var model = Probe(WeightInputs.Inline(source, inputs.Keys.Where(k => !floats.Contains(k)).ToHashSet(), inputs), inputs, floats);
        var graph = PcGraphBuilder.Build(model, file);
        if (graph.Parameters.Count == 0 || !graph.Vertices.Any(PcGraph.IsFree)) return null;

        using var scope = NewDisposeScope();
        using var pcn = new PcnModel(graph, Precision.Float64, CPU);
        var data = floats.ToDictionary(name => name, name => pcn.ToTensor(inputs[name]));
        var output = pcn.Forward(data)[graph.TrainingOutput];
        // Outside an operator's domain (the square root of negative test data) there is no derivative to check.
        if (!output.isfinite().all().item<bool>()) return null;
        var generator = new Generator(17, CPU);
        var error = randn(output.shape, ScalarType.Float64, CPU, generator: generator);
        // mse with target mu + B * e makes the output error exactly e, so every update is d<output, e>/dtheta.
        long batch = output.dim() == 0 ? 1 : output.shape[0];
        var batchOfOne = new Batch(data, output + error * batch);
        var loss = new MeanSquaredErrorLoss();
        if (output.dim() == 0) return null;

        using var zil = new Zil().Compute(pcn, batchOfOne, loss);
        using var bp = new Backprop().Compute(pcn, batchOfOne, loss);
        double divergence = ParameterDivergence.Compare(zil.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();

        // Directional derivative of f = <output, e> along a random unit-scale direction, by central differences.
        // BatchNormalization's stored statistics are frozen inputs (docs/algorithms.md, rule 5): read detached, so no update
        // reaches their probes, and the direction leaves them where they are.
        var statistics = source.Graph.Node.Where(n => n.OpType == "BatchNormalization")
            .SelectMany(n => n.Input.Skip(3).Take(2)).Select(name => name + "__probe").ToHashSet();
        var direction = pcn.Parameters.Where(p => !statistics.Contains(p.Key))
            .ToDictionary(p => p.Key, p => randn(p.Value.shape, ScalarType.Float64, CPU, generator: generator));
        double analytic = direction.Sum(d => (zil.Updates[d.Key] * d.Value).sum().ToDouble());
        const double h = 1e-6;
        double Objective(double sign)
        {
            using var _ = no_grad();
            foreach (var (name, d) in direction) pcn.Parameters[name].add_(d, alpha: sign * h);
            double value = (pcn.Forward(data)[graph.TrainingOutput] * error).sum().ToDouble();
            foreach (var (name, d) in direction) pcn.Parameters[name].add_(d, alpha: -sign * h);
            return value;
        }
        double numeric = (Objective(+1) - Objective(-1)) / (2 * h);
        double deviation = Math.Abs(numeric - analytic) / Math.Max(Math.Abs(analytic), 1e-3);
        return new Result(divergence, deviation, pcn.Parameters.Count);
    }

    private static ModelProto Probe(ModelProto source, IReadOnlyDictionary<string, HostTensor> inputs, IEnumerable<string> floats)
    {
        var model = source.Clone();
        var probes = new List<NodeProto>();
        foreach (string name in floats)
        {
            string probed = name + "__probed";
            foreach (var node in model.Graph.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == name) node.Input[i] = probed;
            var zeros = new HostTensor(TensorProto.Types.DataType.Double, inputs[name].Shape, new double[inputs[name].Count]);
            model.Graph.Initializer.Add(ZilOnnx.Converter.Onnx.TensorCodec.Encode(name + "__probe", zeros));
            var add = new NodeProto { OpType = "Add", Name = name + "__probe" };
            add.Input.AddRange([name, name + "__probe"]);
            add.Output.Add(probed);
            probes.Add(add);
        }
        for (int i = probes.Count - 1; i >= 0; i--) model.Graph.Node.Insert(0, probes[i]);
        return model;
    }
}
