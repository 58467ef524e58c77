using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>One kernel per OpSpec type: the compute side of the converter's operator registry.</summary>
public static class KernelRegistry
{
    private static readonly Dictionary<Type, IKernel> Kernels = new()
    {
        [typeof(IdentitySpec)] = new IdentityKernel(),
        [typeof(ConvSpec)] = new ConvKernel(),
        [typeof(GemmSpec)] = new GemmKernel(),
        [typeof(MatMulSpec)] = new MatMulKernel(),
        [typeof(AddSpec)] = new AddKernel(),
        [typeof(ActivationSpec)] = new ActivationKernel(),
        [typeof(UnarySpec)] = new UnaryKernel(),
        [typeof(ClipSpec)] = new ClipKernel(),
        [typeof(PReluSpec)] = new PReluKernel(),
        [typeof(PowSpec)] = new PowKernel(),
        [typeof(ArithmeticSpec)] = new ArithmeticKernel(),
        [typeof(VariadicSpec)] = new VariadicKernel(),
        [typeof(PoolSpec)] = new PoolKernel(),
        [typeof(GlobalAveragePoolSpec)] = new GlobalAveragePoolKernel(),
        [typeof(FlattenSpec)] = new FlattenKernel(),
        [typeof(ReshapeSpec)] = new ReshapeKernel(),
        [typeof(BatchNormalizationSpec)] = new BatchNormalizationKernel(),
        [typeof(DropoutSpec)] = new DropoutKernel(),
        [typeof(PadSpec)] = new PadKernel(),
        [typeof(SoftmaxSpec)] = new SoftmaxKernel(),
        [typeof(RecurrentStepSpec)] = new RecurrentStepKernel(),
        [typeof(MaxPoolIndicesSpec)] = new MaxPoolIndicesKernel(),
        [typeof(RecurrentSequenceSpec)] = new RecurrentSequenceKernel(),
        [typeof(RecurrentFinalStateSpec)] = new RecurrentFinalStateKernel(),
        [typeof(GatherSpec)] = new GatherKernel(),
        [typeof(GatherLookupSpec)] = new GatherLookupKernel(),
        [typeof(UnsqueezeSpec)] = new UnsqueezeKernel(),
        [typeof(SqueezeSpec)] = new SqueezeKernel(),
        [typeof(ConcatSpec)] = new ConcatKernel(),
        [typeof(SliceSpec)] = new SliceKernel(),
        [typeof(SplitSpec)] = new SplitKernel(),
        [typeof(TransposeSpec)] = new TransposeKernel(),
        [typeof(CastSpec)] = new CastKernel(),
        [typeof(ExpandSpec)] = new ExpandKernel(),
        [typeof(ReduceSpec)] = new ReduceKernel(),
        [typeof(LayerNormalizationSpec)] = new LayerNormalizationKernel(),
        [typeof(LayerNormalizationStatisticSpec)] = new LayerNormalizationStatisticKernel(),
        [typeof(InstanceNormalizationSpec)] = new InstanceNormalizationKernel(),
        [typeof(LrnSpec)] = new LrnKernel(),
        [typeof(ConvTransposeSpec)] = new ConvTransposeKernel(),
        [typeof(GlobalMaxPoolSpec)] = new GlobalMaxPoolKernel(),
        [typeof(LpPoolSpec)] = new LpPoolKernel(),
        [typeof(DepthToSpaceSpec)] = new DepthToSpaceKernel(),
        [typeof(SpaceToDepthSpec)] = new SpaceToDepthKernel(),
        [typeof(TileSpec)] = new TileKernel(),
        [typeof(ResizeSpec)] = new ResizeKernel(),
    };

    public static IKernel For(OpSpec spec) =>
        Kernels.TryGetValue(spec.GetType(), out var kernel) ? kernel : throw new KernelException($"no kernel for {spec.OpType}");
}
