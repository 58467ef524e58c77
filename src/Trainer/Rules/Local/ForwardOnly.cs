using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>A vertex that reads no parameter and no free parent: it has no product to take, only a value.</summary>
public sealed class ForwardOnly : ILocalStrategy
{
    public static readonly ForwardOnly Instance = new();

    private ForwardOnly() { }

    public (Tensor Value, ILocalProduct? Product) Forward(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue,
        IReadOnlyDictionary<string, Tensor> parameterRoots, RecordedValue? computed)
    {
        if (computed is { Value: var value }) return (value.detach(), null);
        var inputs = model.Inputs(vertex, parentValue, view => model.ApplyView(view, parameterRoots[view.Root.Name]));
        return (LocalPrediction.WithoutGraph(model, vertex, inputs).detach(), null);
    }
}
