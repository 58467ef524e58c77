using System.Text;
using System.Text.Json;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Settings;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Studies;

/// <summary>
/// Every free vertex's value node, error node and term of the energy over the inference steps of one batch, and, added
/// step by step, each parameter's divergence from backprop (`verify --dump PREFIX.npz`; docs/cli.md lists the arrays).
/// A rule with PC dynamics (<see cref="IRelaxingRule"/>) gives one row per inference step it ran, from the state the
/// step starts from; the scheduled `zil` gives one row: the value nodes of the feed-forward start (C1) and each vertex's
/// error at its own step d(v).
/// </summary>
public sealed class VertexDump : IInferenceObserver, IScheduleObserver
{
    /// <summary>How the rows along the leading axis are defined: "relaxation" (one per inference step) or "schedule" (zil).</summary>
    public string Mode { get; }
    public string Rule { get; }
    public IReadOnlyList<Vertex> Vertices { get; }
    /// <summary>Per vertex, one entry per row: x_v, eps_v (host copies), and the vertex's term of F.</summary>
    public IReadOnlyDictionary<Vertex, List<double[]>> Values => _values;
    public IReadOnlyDictionary<Vertex, List<double[]>> Errors => _errors;
    public IReadOnlyDictionary<Vertex, List<double>> EnergyTerms => _energy;
    /// <summary>Each parameter's (max_abs, max_rel) divergence, one entry per verified training step.</summary>
    public IReadOnlyDictionary<string, List<(double MaxAbs, double MaxRel)>> Divergences => _divergences;
    public int InferenceSteps { get; private set; }

    private readonly Dictionary<Vertex, List<double[]>> _values = [];
    private readonly Dictionary<Vertex, List<double[]>> _errors = [];
    private readonly Dictionary<Vertex, List<double>> _energy = [];
    private readonly Dictionary<Vertex, long[]> _shapes = [];
    private readonly Dictionary<string, List<(double, double)>> _divergences = [];
    private readonly TensorProto.Types.DataType _elementType;
    private readonly int _batchSize;

    private VertexDump(PcnModel model, string rule, string mode, int batchSize)
    {
        Rule = rule;
        Mode = mode;
        _batchSize = batchSize;
        Vertices = model.Graph.Vertices.Where(PcGraph.IsFree).ToList();
        _elementType = model.Precision == Precision.Float64 ? TensorProto.Types.DataType.Double : TensorProto.Types.DataType.Float;
        foreach (var v in Vertices) { _values[v] = []; _errors[v] = []; _energy[v] = []; }
        foreach (var p in model.Graph.Parameters) _divergences[p.Name] = [];
    }

    /// <summary>Runs <paramref name="rule"/> once on <paramref name="batch"/>, watching its value and error nodes; changes
    /// nothing.</summary>
    /// <exception cref="SettingException">The rule has neither a relaxation nor zil's schedule (bp).</exception>
    public static VertexDump Capture(PcnModel model, Batch batch, ILoss loss, ILearningRule rule)
    {
        int batchSize = (int)batch.Targets.shape[0];
        using var scope = NewDisposeScope();
        switch (rule)
        {
            case IRelaxingRule relaxing:
            {
                var dump = new VertexDump(model, rule.Name, "relaxation", batchSize);
                using (relaxing.Observed(dump).Compute(model, batch, loss)) { }
                return dump;
            }
            case Zil zil:
            {
                var dump = new VertexDump(model, rule.Name, "schedule", batchSize);
                using var result = zil.Observed(dump).Compute(model, batch, loss);
                // The output's term of F is the loss (its error is -dLoss/d(mu_out), not a free difference).
                dump._energy[model.Graph.TrainingOutput][0] = result.Loss;
                dump.InferenceSteps = model.Graph.MaxDepth + 1;
                return dump;
            }
            default:
                throw new SettingException($"{Setting.Rule} {rule.Name} has no value or error nodes to dump: use zil, zil-relaxed, " +
                    $"fa-zil, il or {Setting.Ablation}");
        }
    }

    /// <summary>The rows along the leading axis: the inference steps of a relaxation, or 1 for zil's schedule.</summary>
    public int Rows => Vertices.Count == 0 ? 0 : _values[Vertices[0]].Count;

    /// <summary>x_v of the vertex named <paramref name="vertex"/> in row <paramref name="row"/>, shaped like the vertex.</summary>
    public HostTensor Value(string vertex, int row = 0) => Row(_values, vertex, row);

    /// <summary>eps_v of the vertex named <paramref name="vertex"/> in row <paramref name="row"/> (for zil: at its step d(v)).</summary>
    public HostTensor Error(string vertex, int row = 0) => Row(_errors, vertex, row);

    private HostTensor Row(Dictionary<Vertex, List<double[]>> rows, string name, int row)
    {
        var v = Vertices.FirstOrDefault(x => x.Name == name)
            ?? throw new ArgumentException($"'{name}' is not a vertex of the network's value nodes (see Vertices)");
        if (row < 0 || row >= rows[v].Count) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} of {rows[v].Count}");
        return new HostTensor(_elementType, _shapes[v], rows[v][row]);
    }

    public void OnVertices(int step, InferenceStepState state)
    {
        InferenceSteps = step + 1;
        foreach (var v in Vertices)
        {
            double[] value = Keep(v, state.Value(v));
            _values[v].Add(value);
            // A vertex that did no work has eps_v = 0 exactly (InferenceStepState).
            _errors[v].Add(state.Errors.TryGetValue(v, out var error) ? Host(error) : new double[value.Length]);
            _energy[v].Add(state.EnergyTerms.GetValueOrDefault(v));
        }
    }

    public void OnStep(int step, double energy, IReadOnlyList<(ParameterView View, Tensor Term)> terms) { }

    public void OnFeedForwardValue(Vertex vertex, Tensor value)
    {
        if (_values.TryGetValue(vertex, out var rows)) rows.Add(Keep(vertex, value));
    }

    public void OnScheduledError(Vertex vertex, int step, Tensor error)
    {
        if (!_errors.TryGetValue(vertex, out var rows)) return;
        double[] host = Host(error);
        rows.Add(host);
        _energy[vertex].Add(host.Sum(e => e * e) / 2);
    }

    /// <summary>Adds one verified training step's divergences.</summary>
    public void AddDivergences(IEnumerable<ParameterDivergence> divergences)
    {
        foreach (var d in divergences)
            if (_divergences.TryGetValue(d.Name, out var rows)) rows.Add((d.MaxAbs, d.MaxRel));
    }

    /// <summary>Writes the archive atomically: the arrays of docs/cli.md ("verify --dump").</summary>
    public void Write(string path) => NpzArchive.Write(path, Arrays(), compress: true);

    /// <summary>The name of the array that holds the JSON index, as UTF-8 bytes (uint8), which every .npy reader loads.</summary>
    public const string IndexArray = "__index__";

    /// <summary>
    /// The arrays by name, in the order they are written, ending with <see cref="IndexArray"/>: the JSON that maps array
    /// keys to vertex and parameter names.
    /// </summary>
    public List<KeyValuePair<string, HostTensor>> Arrays()
    {
        int rows = Rows;
        var arrays = new List<KeyValuePair<string, HostTensor>>
        {
            new("steps", new HostTensor(TensorProto.Types.DataType.Int64, [rows], [.. Enumerable.Range(0, rows).Select(r => (double)r)])),
        };
        var keys = new ArrayKeys();
        var vertexIndex = new List<Dictionary<string, object?>>();
        foreach (var v in Vertices)
        {
            string key = keys.For(v.Name);
            long[] shape = [_values[v].Count, .. _shapes.GetValueOrDefault(v, [])];
            arrays.Add(new($"value.{key}", Stack(_values[v], shape)));
            arrays.Add(new($"error.{key}", Stack(_errors[v], [_errors[v].Count, .. shape[1..]])));
            arrays.Add(new($"energy.{key}", new HostTensor(TensorProto.Types.DataType.Double, [_energy[v].Count], _energy[v].ToArray())));
            var entry = new Dictionary<string, object?> { ["name"] = v.Name, ["key"] = key, ["depth"] = v.Depth };
            if (Mode == "schedule") entry["error_step"] = v.Depth;
            vertexIndex.Add(entry);
        }
        var parameterKeys = new ArrayKeys();
        var parameterIndex = new List<Dictionary<string, object?>>();
        int verified = 0;
        foreach (var (name, steps) in _divergences)
        {
            string key = parameterKeys.For(name);
            verified = Math.Max(verified, steps.Count);
            arrays.Add(new($"divergence.{key}", Column(steps.Select(s => s.Item2))));
            arrays.Add(new($"divergence_abs.{key}", Column(steps.Select(s => s.Item1))));
            parameterIndex.Add(new() { ["name"] = name, ["key"] = key });
        }
        var index = new Dictionary<string, object?>
        {
            ["rule"] = Rule, ["mode"] = Mode, ["rows"] = rows, ["inference_steps"] = InferenceSteps, ["batch_size"] = _batchSize,
            ["verified_steps"] = verified, ["vertices"] = vertexIndex, ["parameters"] = parameterIndex,
        };
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(index));
        arrays.Add(new(IndexArray, new HostTensor(TensorProto.Types.DataType.Uint8, [json.Length], json.Select(b => (double)b).ToArray())));
        return arrays;
    }

    private static HostTensor Column(IEnumerable<double> values)
    {
        double[] data = values.ToArray();
        return new HostTensor(TensorProto.Types.DataType.Double, [data.Length], data);
    }

    private HostTensor Stack(List<double[]> rows, long[] shape) => new(_elementType, shape, rows.SelectMany(r => r).ToArray());

    private double[] Keep(Vertex v, Tensor value)
    {
        _shapes[v] = value.shape;
        return Host(value);
    }

    private static double[] Host(Tensor t)
    {
        using var host = t.detach().to(ScalarType.Float64, CPU).contiguous();
        return host.data<double>().ToArray();
    }
}
