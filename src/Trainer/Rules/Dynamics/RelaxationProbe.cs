using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Training;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Dynamics;

/// <summary>
/// Watches a relaxation for the first number that is not finite, in the order the dynamics compute them: at each
/// inference step the predictions, then the errors, then the energy F, then (after the move) every displacement and value
/// node. A relaxation whose errors grow geometrically overflows F (their squares) before any error; one that overflows an
/// error first shows it there. Used only to diagnose a failed step (every check is a host read).
/// </summary>
internal sealed class RelaxationProbe
{
    public NonFiniteOrigin? Found { get; private set; }

    /// <returns>Whether a non-finite number was found (the relaxation can stop).</returns>
    public bool AfterErrors(int step, IReadOnlyDictionary<Vertex, LocalTape> tapes, IReadOnlyDictionary<Vertex, Tensor> errors,
        double energy)
    {
        foreach (var (v, tape) in tapes)
            if (!IsFinite(tape.Prediction)) return Report("prediction", "the prediction", v, step);
        foreach (var (v, error) in errors)
            if (!IsFinite(error)) return Report("error", "the error", v, step);
        if (!double.IsFinite(energy))
        {
            Found = new NonFiniteOrigin("energy", $"inference step {step + 1} of the relaxation: the energy F is {energy} while every " +
                "prediction and error is finite (their squares overflow)", InferenceStep: step + 1);
            return true;
        }
        return false;
    }

    /// <returns>Whether a non-finite number was found.</returns>
    public bool AfterMove(int step, IEnumerable<(Vertex Vertex, Tensor Displacement, Tensor Value)> nodes)
    {
        foreach (var (v, displacement, value) in nodes)
        {
            if (!IsFinite(displacement)) return Report("displacement", "the displacement of the value node", v, step);
            if (!IsFinite(value)) return Report("value", "the value node", v, step);
        }
        return false;
    }

    private bool Report(string quantity, string what, Vertex v, int step)
    {
        Found = new NonFiniteOrigin(quantity, $"inference step {step + 1} of the relaxation: {what} of vertex '{v.Name}' (node " +
            $"'{v.NodeName}', {v.Op.OpType}, d = {v.Depth}) is the first that is not finite", v.Name, step + 1);
        return true;
    }

    private static bool IsFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.isfinite().all().item<bool>();
    }
}
