using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Kernels;
using Xunit;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// Every operator spec the converter can produce has a kernel, checked here rather than found missing when a
/// model first uses the operator.
/// </summary>
public sealed class KernelRegistryTests
{
    // The data input's values are fed, never computed, so it is the one spec without a kernel.
    private static readonly Type[] FedNotComputed = [typeof(DataInputSpec)];

    private static IReadOnlyList<Type> ConverterSpecTypes() =>
        typeof(OpSpec).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(OpSpec)) && !FedNotComputed.Contains(t))
            .ToList();

    [Fact]
    public void Every_spec_of_the_converter_has_a_kernel()
    {
        var specTypes = ConverterSpecTypes();

        Assert.True(specTypes.Count > 40, $"only {specTypes.Count} spec types found");
        Assert.Empty(KernelRegistry.WithoutKernel(specTypes).Select(t => t.Name));
    }

    [Fact]
    public void A_spec_without_a_kernel_is_reported()
    {
        var missing = KernelRegistry.WithoutKernel([.. ConverterSpecTypes(), typeof(KernelLessSpec)]);

        Assert.Equal([typeof(KernelLessSpec)], missing);
        var e = Assert.Throws<KernelException>(() => KernelRegistry.For(new KernelLessSpec()));
        Assert.Equal("no kernel for KernelLess", e.Message);
    }

    [Fact]
    public void Each_spec_gets_the_kernel_written_for_it()
    {
        Assert.IsType<ConvKernel>(KernelRegistry.For(new ConvSpec([1, 1], [1, 1], 1, new SpatialPadding(AutoPad.NotSet, [0, 0, 0, 0]))));
        Assert.IsType<IdentityKernel>(KernelRegistry.For(IdentitySpec.Instance));
    }

    private sealed record KernelLessSpec : OpSpec
    {
        public override string OpType => "KernelLess";
        public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "X");
    }
}
