using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// How one vertex of the fast Z-IL (<see cref="Zil"/>) computes its local vector-Jacobian product J^T eps: handing the
/// error on whole, in closed form, or on an autograd tape. Chosen once per vertex (<see cref="LocalStrategies"/>).
/// </summary>
public interface ILocalStrategy
{
    /// <summary>
    /// The forward pass through the vertex: its value (a handle the caller releases) and what the sweep needs of it to
    /// send an error back, or null when it sends nothing.
    /// </summary>
    /// <param name="parameterRoots">One leaf per parameter, shared by every vertex of the step: the vertex reads its
    /// parameters through their views of these, and its Hebbian terms are added to their gradients.</param>
    /// <param name="computed">The vertex's value where backprop's recorded forward pass has it already (a verified step,
    /// <see cref="RecordedForward"/>), else null: a strategy that needs no graph of its own takes it instead of running the
    /// kernel again, and a keeping closed form what the recording kept for it. It is the same value bit for bit, the same
    /// kernel on the same inputs.</param>
    (Tensor Value, ILocalProduct? Product) Forward(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue,
        IReadOnlyDictionary<string, Tensor> parameterRoots, RecordedValue? computed);
}

/// <summary>
/// One vertex's local product in the sweep: <see cref="Send"/> takes its error at its inference step, after which
/// <see cref="ParentProducts"/> holds what it feeds back to its free parents. The parameter terms are added to the
/// roots' gradients, where a parameter's copies sum their terms in the order backprop sums them.
/// </summary>
public interface ILocalProduct : IDisposable
{
    /// <summary>Takes the vertex's error: computes the products at once, or joins the step's one autograd call.</summary>
    void Send(Tensor error, AutogradBatch batch);

    /// <summary>J^T eps for each free parent, in operand order, once the step's autograd call has run; the caller owns them.</summary>
    IEnumerable<(Vertex Parent, Tensor Product)> ParentProducts();
}
