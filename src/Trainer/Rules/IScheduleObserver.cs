using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Watches the scheduled `zil` rule, which has no relaxation loop (`verify --dump`): it sees the value nodes of the
/// feed-forward start (C1) and each vertex's error at its own inference step d(v), the only step at which the schedule
/// reads it. Tensors are valid during the call only.
/// </summary>
public interface IScheduleObserver
{
    /// <summary>x_v = mu_v after the feed-forward pass, for every vertex the schedule visits.</summary>
    void OnFeedForwardValue(Vertex vertex, Tensor value);

    /// <summary>eps_v at inference step <paramref name="step"/> = d(v): for the output -dLoss/d(mu_out), for any other vertex
    /// the sum of its children's J^T eps, which C1 and C3 make its error. The tensor stays the sweep's, which may go on adding
    /// to it: an observer copies what it keeps.</summary>
    void OnScheduledError(Vertex vertex, int step, Tensor error);
}
