using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// An Add of vertices that all have its shape: its Jacobian is the identity on every term, so its error passes to each
/// free parent as it is, with no tape and no autograd call (autograd's AddBackward hands the incoming gradient on as it
/// is), and a residual join costs Z-IL no backward work. (With broadcasting, the products are reductions, and the Add
/// takes its closed form, ArithmeticClosedForm.)
/// </summary>
public sealed class PassWhole : ILocalStrategy
{
    public static readonly PassWhole Sum = new();

    private PassWhole() { }

    public (Tensor Value, ILocalProduct? Product) Forward(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue,
        IReadOnlyDictionary<string, Tensor> parameterRoots, RecordedValue? computed)
    {
        var value = computed?.Value.detach()
            ?? LocalPrediction.WithoutGraph(model, vertex, vertex.VertexInputs.Select(u => (Tensor?)parentValue(u)).ToList());
        return (value, new Passed(vertex));
    }

    private sealed class Passed(Vertex vertex) : ILocalProduct
    {
        private Tensor? _error;

        public void Send(Tensor error, AutogradBatch batch) => _error = error;

        /// <summary>A handle of its own on the error for each free parent, in operand order, as a tape's products would come.</summary>
        public IEnumerable<(Vertex Parent, Tensor Product)> ParentProducts() =>
            _error is null ? [] : vertex.VertexInputs.Where(PcGraph.IsFree).Select(parent => (parent, _error.alias())).ToList();

        public void Dispose() { }
    }
}
