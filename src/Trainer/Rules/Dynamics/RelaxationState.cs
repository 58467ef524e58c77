using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Dynamics;

/// <summary>
/// The value and error nodes of the relaxed PC dynamics. Value nodes are held as their displacement from the
/// feed-forward prediction, x_v = mu_v^ff + delta_v. The dynamics are unchanged, but the errors, which are tiny next to
/// the activations, are not lost to cancellation in float32: while a vertex's parents sit at their feed-forward values
/// its prediction is bitwise mu_v^ff, so eps_v = delta_v - (mu_v - mu_v^ff) is exactly delta_v.
/// </summary>
internal sealed class RelaxationState
{
    private readonly List<Vertex> _free;
    private readonly Vertex _output;
    private readonly Dictionary<Vertex, Tensor> _feedForward;
    private readonly Dictionary<Vertex, Tensor> _displacement;
    // Vertices whose value has left its feed-forward prediction; their children's predictions must be recomputed.
    private readonly HashSet<Vertex> _moved = [];

    /// <summary>The feed-forward start (C1), each hidden value node displaced by Gaussian noise of the given scale (0: none).</summary>
    public RelaxationState(PcnModel model, Batch batch, double initNoise, long seed)
    {
        _free = model.Graph.Vertices.Where(PcGraph.IsFree).ToList();
        _output = model.Graph.TrainingOutput;
        _feedForward = model.Forward(batch.Inputs);
        _displacement = _free.Where(v => v != _output).ToDictionary(v => v, v => zeros_like(_feedForward[v]));
        if (initNoise > 0)
        {
            var generator = new TorchSharp.torch.Generator((ulong)seed, model.Device);
            foreach (var (v, d) in _displacement.ToList())
                _displacement[v] = randn(d.Sizes(), d.dtype, d.device, generator: generator).Times(initNoise);
        }
        AddNonZero(_displacement.Keys.ToList());
    }

    /// <summary>The output's feed-forward prediction, mu_out^ff: the output is clamped, so the relaxation never moves it.</summary>
    public Tensor OutputPrediction => _feedForward[_output];

    /// <summary>Every hidden value node: its displacement delta_v and its value x_v (the output is clamped, and not among them).</summary>
    public IEnumerable<(Vertex Vertex, Tensor Displacement, Tensor Value)> Nodes =>
        _displacement.Select(d => (d.Key, d.Value, Value(d.Key)));

    /// <summary>mu_v^ff, the value node's feed-forward start (the fixed prediction assumption evaluates everything there).</summary>
    public Tensor FeedForwardValue(Vertex v) => _feedForward[v];

    /// <summary>x_v.</summary>
    public Tensor Value(Vertex v) => _displacement.TryGetValue(v, out var d) ? _feedForward[v].Plus(d) : _feedForward[v];

    /// <summary>
    /// The vertices whose error can be non-zero: the output, and a vertex that has moved or has a moved parent (every
    /// vertex once the weights change). Any other has x_v = mu_v = mu_v^ff, so eps_v is exactly 0 and so are all its
    /// products: leaving it out changes no number, and saves a recomputation of every prediction at every step (the
    /// wave of errors reaches depth t at step t).
    /// </summary>
    /// <param name="fixedPrediction">
    /// Predictions stay at their feed-forward values (fpa): a vertex's error is then its own displacement, and a moved parent
    /// changes nothing.
    /// </param>
    public List<Vertex> Active(bool weightsChange, bool fixedPrediction) =>
        _free.Where(v => v == _output || weightsChange || _moved.Contains(v) || !fixedPrediction && v.VertexInputs.Any(_moved.Contains))
            .ToList();

    /// <summary>eps_v of the active vertices from their tapes' predictions, and the output's prediction at this step.</summary>
    /// <param name="fixedPrediction">Every prediction is mu_v^ff (fpa), so eps_v = delta_v and the output's error stays its first.</param>
    public (Dictionary<Vertex, Tensor> Errors, Tensor OutputPrediction) Errors(Dictionary<Vertex, LocalTape> tapes, bool weightsChange,
        bool fixedPrediction, ILoss loss, Tensor targets)
    {
        Tensor outputPrediction = _feedForward[_output];
        var errors = tapes.ToDictionary(t => t.Key, t =>
        {
            var v = t.Key;
            // While no parent has moved (and the weights are the model's own), mu_v is mu_v^ff by definition. Using it,
            // rather than a recomputation that libtorch may round differently when threads are busy, keeps eps_v exactly
            // delta_v up to the vertex's turn.
            bool unchanged = fixedPrediction || !weightsChange && !v.VertexInputs.Any(_moved.Contains);
            var prediction = unchanged ? _feedForward[v] : t.Value.Prediction.detach();
            if (v == _output)
            {
                outputPrediction = prediction;
                return loss.OutputError(prediction, targets);
            }
            return unchanged ? _displacement[v] : _displacement[v] - (prediction - _feedForward[v]);
        });
        return (errors, outputPrediction);
    }

    /// <summary>
    /// Moves every free value node by gamma * (-eps_v + sum_c J^T eps_c). Called in the step's dispose scope; the new
    /// displacements outlive it.
    /// </summary>
    public void Move(Dictionary<Vertex, Tensor> feedback, Dictionary<Vertex, Tensor> errors, double gamma)
    {
        var driven = new List<Vertex>();
        foreach (var v in _displacement.Keys.ToList())
        {
            Tensor drive;
            if (feedback.TryGetValue(v, out var f)) drive = errors.TryGetValue(v, out var e) ? f - e : f;
            else if (errors.TryGetValue(v, out var e)) drive = -e;
            else continue; // no error and no feedback: the drive is exactly 0 and the value node stays where it is
            var previous = _displacement[v];
            // With gamma = 1 (C3) the product is the drive itself, bitwise; the multiplication is skipped.
            _displacement[v] = previous.Plus(gamma == 1 ? drive : drive.Times(gamma)).MoveToOuterDisposeScope();
            previous.Dispose();
            if (!_moved.Contains(v)) driven.Add(v);
        }
        AddNonZero(driven);
    }

    /// <summary>Marks as moved the candidates whose displacement has a non-zero element.</summary>
    private void AddNonZero(List<Vertex> candidates)
    {
        var nonZero = TensorScalars.HaveNonZero(candidates.Select(v => _displacement[v]).ToList());
        for (int i = 0; i < candidates.Count; i++)
            if (nonZero[i]) _moved.Add(candidates[i]);
    }
}
