using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules.Transcriptions;

/// <summary>
/// The PC variants written out from their papers' equations for one network, the `mlp` fixture
/// (Linear(20,32) - ReLU - Linear(32,16) - Tanh - Linear(16,10), mse with the per-sample reduction), in plain TorchSharp:
/// every value node, error, feedback product and Hebbian term spelled out by hand, with no autograd and nothing from the
/// trainer. The rules' tests hold the trainer to it.
/// </summary>
/// <remarks>
/// The PCN has a value node for every tensor the graph computes: a1 = W1 x + b1, h1 = relu(a1), a2 = W2 h1 + b2,
/// h2 = tanh(a2), and the output z = W3 h2 + b3, clamped through the loss: F = S * Loss(z) + 1/2 sum_k ||eps_k||^2 with
/// eps_k = x_k - mu_k, so eps_z = S (y - mu_z) / B. Every update is divided by S, as the rules return it.
/// </remarks>
internal sealed class MlpPcTranscription
{
    private readonly Tensor _x, _y;
    private readonly long _batch;

    public MlpPcTranscription(Tensor x, Tensor y)
    {
        _x = x;
        _y = y;
        _batch = x.shape[0];
    }

    /// <summary>The weights, named as the ONNX initializers: W1, b1, W2, b2, W3, b3.</summary>
    public sealed record Weights(Tensor W1, Tensor B1, Tensor W2, Tensor B2, Tensor W3, Tensor B3)
    {
        public Dictionary<string, Tensor> ByName() => new()
        {
            ["fc1.weight"] = W1, ["fc1.bias"] = B1, ["fc2.weight"] = W2, ["fc2.bias"] = B2, ["fc3.weight"] = W3, ["fc3.bias"] = B3,
        };

        public static Weights From(IReadOnlyDictionary<string, Tensor> p) =>
            new(p["fc1.weight"], p["fc1.bias"], p["fc2.weight"], p["fc2.bias"], p["fc3.weight"], p["fc3.bias"]);

        public Weights Plus(Weights d, double rate) => new(W1 + rate * d.W1, B1 + rate * d.B1, W2 + rate * d.W2, B2 + rate * d.B2,
            W3 + rate * d.W3, B3 + rate * d.B3);

        public Weights Over(double s) => new(W1 / s, B1 / s, W2 / s, B2 / s, W3 / s, B3 / s);
    }

    /// <summary>The hidden value nodes a1, h1, a2, h2.</summary>
    private sealed record Values(Tensor A1, Tensor H1, Tensor A2, Tensor H2);

    private static Tensor Linear(Tensor input, Tensor w, Tensor b) => input.matmul(w.t()) + b;

    /// <summary>Each vertex's prediction from its parent's value node: mu_a1, mu_h1, mu_a2, mu_h2, mu_z.</summary>
    private (Values Hidden, Tensor Z) Predictions(Values v, Weights w) =>
        (new Values(Linear(_x, w.W1, w.B1), v.A1.relu(), Linear(v.H1, w.W2, w.B2), v.A2.tanh()), Linear(v.H2, w.W3, w.B3));

    private Values FeedForward(Weights w)
    {
        var a1 = Linear(_x, w.W1, w.B1);
        var h1 = a1.relu();
        var a2 = Linear(h1, w.W2, w.B2);
        return new Values(a1, h1, a2, a2.tanh());
    }

    /// <summary>eps_z = -S dLoss/dz for Loss = sum 1/2 (y - z)^2 / B.</summary>
    private Tensor OutputError(Tensor z, double s) => s * (_y - z) / _batch;

    /// <summary>
    /// One state's errors, the feedback sum_c J_c^T eps_c each hidden node receives (J at <paramref name="at"/>: the value
    /// nodes themselves, or their feed-forward values under the fixed prediction assumption), and the Hebbian terms
    /// (dg/dtheta)^T eps at the same inputs.
    /// </summary>
    private (Values Errors, Values Feedback, Weights Terms) Step(Values v, Values at, Weights w, Values predictionsFrom, double s)
    {
        var (mu, muZ) = Predictions(predictionsFrom, w);
        var eps = new Values(v.A1 - mu.A1, v.H1 - mu.H1, v.A2 - mu.A2, v.H2 - mu.H2);
        var epsZ = OutputError(muZ, s);
        var feedback = new Values(
            eps.H1 * (at.A1 > 0).to_type(at.A1.dtype),         // relu'(a1) eps_h1
            eps.A2.matmul(w.W2),                                // W2^T eps_a2
            eps.H2 * (1 - at.A2.tanh() * at.A2.tanh()),         // tanh'(a2) eps_h2
            epsZ.matmul(w.W3));                                 // W3^T eps_z
        var terms = new Weights(eps.A1.t().matmul(_x), eps.A1.sum(dim: 0), eps.A2.t().matmul(at.H1), eps.A2.sum(dim: 0),
            epsZ.t().matmul(at.H2), epsZ.sum(dim: 0));
        return (eps, feedback, terms);
    }

    private static Values Move(Values v, Values eps, Values feedback, double gamma) => new(
        v.A1 + gamma * (feedback.A1 - eps.A1), v.H1 + gamma * (feedback.H1 - eps.H1),
        v.A2 + gamma * (feedback.A2 - eps.A2), v.H2 + gamma * (feedback.H2 - eps.H2));

    /// <summary>Classic inference learning: T steps of x += gamma (-eps + sum J^T eps) from the feed-forward start; the terms of the last.</summary>
    public Weights Il(Weights w, int steps, double gamma, double s)
    {
        var v = FeedForward(w);
        for (int t = 0; ; t++)
        {
            var (eps, feedback, terms) = Step(v, v, w, v, s);
            if (t == steps - 1) return terms.Over(s);
            v = Move(v, eps, feedback, gamma);
        }
    }

    /// <summary>
    /// Incremental PC (Salvatori et al. 2024): at each of T steps, from the same state, x += gamma (-eps + sum J^T eps) and
    /// theta += lr (dg/dtheta)^T eps / S; the sum of the terms (over S) is the update.
    /// </summary>
    public Weights Ipc(Weights w, int steps, double gamma, double learningRate, double s)
    {
        var v = FeedForward(w);
        Weights? sum = null;
        for (int t = 0; t < steps; t++)
        {
            var (eps, feedback, terms) = Step(v, v, w, v, s);
            sum = sum == null ? terms : sum.Plus(terms, 1);
            v = Move(v, eps, feedback, gamma);
            w = w.Plus(terms, learningRate / s);
        }
        return sum!.Over(s);
    }

    /// <summary>
    /// The fixed prediction assumption (Millidge et al. 2020; Torch2PC's FixedPred): predictions and Jacobians at the
    /// feed-forward values, n moves of x += eta (-(x - mu^ff) + sum J(ff)^T eps), then the terms at the feed-forward inputs.
    /// </summary>
    public Weights Fpa(Weights w, int moves, double eta, double s)
    {
        var ff = FeedForward(w);
        var v = ff;
        for (int t = 0; ; t++)
        {
            var (eps, feedback, terms) = Step(v, ff, w, ff, s);
            if (t == moves) return terms.Over(s);
            v = Move(v, eps, feedback, eta);
        }
    }

    /// <summary>Backprop's -dLoss/dtheta by the chain rule, written out (the witness of zil+pc's first part).</summary>
    public Weights Backprop(Weights w)
    {
        var v = FeedForward(w);
        var z = Linear(v.H2, w.W3, w.B3);
        var dz = OutputError(z, 1);
        var dh2 = dz.matmul(w.W3);
        var da2 = dh2 * (1 - v.A2.tanh() * v.A2.tanh());
        var dh1 = da2.matmul(w.W2);
        var da1 = dh1 * (v.A1 > 0).to_type(v.A1.dtype);
        return new Weights(da1.t().matmul(_x), da1.sum(dim: 0), da2.t().matmul(v.H1), da2.sum(dim: 0), dz.t().matmul(v.H2), dz.sum(dim: 0));
    }

    /// <summary>zil+pc: backprop's update u, then K steps of incremental PC from theta + lr u; u plus their terms.</summary>
    public Weights ZilPlusPc(Weights w, int pcSteps, double gamma, double learningRate)
    {
        var u = Backprop(w);
        return pcSteps == 0 ? u : u.Plus(Ipc(w.Plus(u, learningRate), pcSteps, gamma, learningRate, 1), 1);
    }
}
