using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using ZilOnnx.Tests.TestSupport;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>Z-IL and BP on one in-memory batch under mse, for the per-operator-family exactness tests.</summary>
internal static class ZilBackpropComparison
{
    /// <summary>
    /// The divergence of every parameter, after checking that each update has the parameter's shape and is not
    /// zero (exactness of a zero update would prove nothing: every parameter must receive an error).
    /// </summary>
    /// <param name="inspect">Sees Z-IL's updates before they are freed, for checks of their own.</param>
    public static IReadOnlyList<ParameterDivergence> Run(PcnModel model, HostTensor x, HostTensor y, double smallestUpdate = 1e-6,
        Action<IReadOnlyDictionary<string, Tensor>>? inspect = null)
    {
        var batch = new DataSet("memory", "x", x, y).Take(Enumerable.Range(0, (int)x.Shape[0]).Select(i => (long)i).ToList(), model.DType, CPU);
        using var zil = new Zil().Compute(model, batch, new MeanSquaredErrorLoss());
        using var bp = new Backprop().Compute(model, batch, new MeanSquaredErrorLoss());
        foreach (var (name, update) in zil.Updates)
        {
            Assert.Equal(model.Parameters[name].shape, update.shape);
            Assert.True(update.MaxAbs() > smallestUpdate, $"{name}: the update is zero");
        }
        inspect?.Invoke(zil.Updates);
        return ParameterDivergence.Compare(zil.Updates, bp.Updates);
    }
}
