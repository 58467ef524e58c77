using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>The operators whose local products are written out (<see cref="IClosedForm"/>); every other stays with autograd.</summary>
public static class ClosedForms
{
    private static readonly IClosedForm Reshape = new ReshapeClosedForm();

    private static readonly Dictionary<Type, IClosedForm> Forms = new()
    {
        [typeof(ConvSpec)] = new ConvClosedForm(),
        [typeof(PoolSpec)] = new MaxPoolClosedForm(),
        [typeof(GemmSpec)] = new GemmClosedForm(),
        [typeof(MatMulSpec)] = new MatMulClosedForm(),
        [typeof(ReshapeSpec)] = Reshape,
        [typeof(FlattenSpec)] = Reshape,
        [typeof(SqueezeSpec)] = Reshape,
        [typeof(UnsqueezeSpec)] = Reshape,
        [typeof(IdentitySpec)] = Reshape,
        [typeof(TransposeSpec)] = new TransposeClosedForm(),
        [typeof(SliceSpec)] = WindowClosedForm.Slice,
        [typeof(SplitSpec)] = WindowClosedForm.Split,
        [typeof(ConcatSpec)] = new ConcatClosedForm(),
        [typeof(AddSpec)] = ArithmeticClosedForm.Add,
        [typeof(ArithmeticSpec)] = ArithmeticClosedForm.SubMulDiv,
        [typeof(ActivationSpec)] = new ActivationClosedForm(),
        [typeof(SoftmaxSpec)] = new SoftmaxClosedForm(),
        [typeof(LayerNormalizationSpec)] = new LayerNormalizationClosedForm(),
        [typeof(BatchNormalizationSpec)] = new BatchNormalizationClosedForm(),
        [typeof(ReduceSpec)] = new ReduceMeanClosedForm(),
        [typeof(GlobalAveragePoolSpec)] = new GlobalAveragePoolClosedForm(),
        [typeof(GatherSpec)] = GatherClosedForm.Constant,
        [typeof(GatherLookupSpec)] = GatherClosedForm.Lookup,
        [typeof(UnarySpec)] = new UnaryClosedForm(),
        [typeof(ClipSpec)] = new ClipClosedForm(),
    };

    private static readonly Dictionary<RecurrentCell, IClosedForm> RecurrentSteps = new()
    {
        [RecurrentCell.Rnn] = new RnnStepClosedForm(),
        [RecurrentCell.Gru] = new GruStepClosedForm(),
        [RecurrentCell.Lstm] = new LstmStepClosedForm(),
    };

    /// <summary>The closed form of the operator, or null when it has none.</summary>
    public static IClosedForm? For(OpSpec spec) =>
        spec is RecurrentStepSpec step ? RecurrentSteps[step.Cell] : Forms.GetValueOrDefault(spec.GetType());
}
