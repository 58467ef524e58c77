using Google.Protobuf;
using Xunit.Abstractions;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The spatial operators' attribute combinations the conformance data leaves out (1-D and 3-D windows with pads,
/// ceil_mode and dilations, transposed convolution with output_padding, groups and output_shape, every Pad mode,
/// LpPool, linear Resize in each coordinate mode, Upsample), each run through the PCN in float64 and through
/// ONNX Runtime on the same model and input, and compared.
/// </summary>
public sealed class SpatialOnnxRuntimeTests(ITestOutputHelper output)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelProto> Models = new();

    private static object[] Register(SingleNodeModel model, string? suffix = null)
    {
        string description = model + (suffix == null ? "" : " " + suffix);
        Models[description] = model.Build();
        return [description];
    }

    private static TensorProto Longs(string name, params long[] values) => Int64Tensor(name, [values.Length], values);

    private static TensorProto Floats(string name, params float[] values) => Onnx.ModelBuilder.FloatTensor(name, [values.Length], values);

    private static TensorProto Weights(string name, long[] shape, int seed)
    {
        long count = HostTensor.ElementCount(shape);
        return Onnx.ModelBuilder.FloatTensor(name, shape, Enumerable.Range(0, (int)count).Select(i => (float)Math.Sin(seed * 10 + i)).ToArray());
    }

    public static IEnumerable<object[]> ConvolutionCases()
    {
        yield return Register(new SingleNodeModel("Conv", 11, [2, 4, 9], Weights("W", [6, 2, 3], 1), Weights("B", [6], 2))
            .Ints("strides", 2).Ints("dilations", 2).Int("group", 2).Ints("pads", 2, 1));
        yield return Register(new SingleNodeModel("Conv", 22, [1, 3, 8], Weights("W", [4, 3, 4], 1)).String("auto_pad", "SAME_LOWER").Ints("strides", 3));
        yield return Register(new SingleNodeModel("Conv", 11, [1, 2, 5, 6, 4], Weights("W", [3, 2, 3, 2, 2], 3), Weights("B", [3], 4))
            .Ints("strides", 1, 2, 1).Ints("pads", 1, 0, 1, 0, 1, 1).Ints("dilations", 1, 1, 2));
        yield return Register(new SingleNodeModel("Conv", 11, [1, 2, 5, 6, 4], Weights("W", [4, 1, 2, 3, 2], 3)).Int("group", 2).String("auto_pad", "SAME_UPPER"));
        foreach (int rank in new[] { 1, 2, 3 })
        {
            long[] ones = Enumerable.Repeat(1L, rank).ToArray();
            long[] x = [2, 4, .. new long[] { 5, 4, 3 }[..rank]];
            long[] k = new long[] { 3, 2, 2 }[..rank];
            long[] strides = new long[] { 2, 3, 1 }[..rank];
            yield return Register(new SingleNodeModel("ConvTranspose", 11, x, Weights("W", [4, 3, .. k], 5), Weights("B", [3], 6))
                .Ints("strides", strides).Ints("pads", [.. ones, .. new long[rank]]).Ints("output_padding", strides.Select(s => s - 1).ToArray()));
            yield return Register(new SingleNodeModel("ConvTranspose", 22, x, Weights("W", [4, 2, .. k], 7))
                .Int("group", 2).Ints("strides", strides).Ints("dilations", new long[] { 2, 1, 2 }[..rank]));
            // SAME needs kernel extents of at least the stride (see Refused_forms).
            long[] sameKernel = new long[] { 3, 3, 2 }[..rank];
            yield return Register(new SingleNodeModel("ConvTranspose", 11, x, Weights("W", [4, 3, .. sameKernel], 8))
                .Ints("strides", strides).String("auto_pad", "SAME_UPPER"));
            yield return Register(new SingleNodeModel("ConvTranspose", 11, x, Weights("W", [4, 3, .. sameKernel], 8))
                .Ints("strides", strides).String("auto_pad", "SAME_LOWER").Ints("output_padding", new long[rank]));
            // One cell short of the full result on the first axis, one beyond it on the others where the stride allows
            // (ONNX Runtime checks that output_shape is consistent with the input size: the extra cells stay below the stride).
            long[] outputShape = x[2..].Select((d, i) => (d - 1) * strides[i] + k[i] + (i == 0 ? -1 : strides[i] > 1 ? 1 : 0)).ToArray();
            yield return Register(new SingleNodeModel("ConvTranspose", 11, x, Weights("W", [4, 3, .. k], 9), Weights("B", [3], 1))
                .Ints("strides", strides).Ints("output_shape", outputShape));
        }
    }

    public static IEnumerable<object[]> PoolingCases()
    {
        foreach (string op in new[] { "MaxPool", "AveragePool" })
        {
            int opset = op == "MaxPool" ? 12 : 19;
            foreach (int ceil in new[] { 0, 1 })
            {
                var oneD = new SingleNodeModel(op, opset, [2, 3, 11]).Ints("kernel_shape", 3).Ints("strides", 2).Ints("pads", 1, 2).Int("ceil_mode", ceil)
                    .Ints("dilations", 2);
                var threeD = new SingleNodeModel(op, opset, [1, 2, 5, 6, 7]).Ints("kernel_shape", 2, 3, 2).Ints("strides", 2, 2, 3)
                    .Ints("pads", 1, 0, 1, 0, 2, 1).Int("ceil_mode", ceil);
                if (op == "AveragePool") { oneD.Int("count_include_pad", ceil); threeD.Int("count_include_pad", 1 - ceil); }
                yield return Register(oneD);
                yield return Register(threeD);
            }
            yield return Register(new SingleNodeModel(op, opset, [1, 2, 6, 5, 4]).Ints("kernel_shape", 3, 2, 3).Ints("strides", 2, 1, 2).String("auto_pad", "SAME_UPPER"));
        }
        yield return Register(new SingleNodeModel("GlobalMaxPool", 1 + 21, [2, 3, 7]));
        yield return Register(new SingleNodeModel("GlobalMaxPool", 6, [2, 3, 4, 3, 5]));
        foreach (long p in new long[] { 1, 2, 3 })
        {
            yield return Register(new SingleNodeModel("LpPool", 11, [2, 3, 6, 5]).Int("p", p).Ints("kernel_shape", 3, 2).Ints("strides", 2, 1).Ints("pads", 1, 0, 1, 1));
            yield return Register(new SingleNodeModel("LpPool", 18, [2, 3, 9]).Int("p", p).Ints("kernel_shape", 3).Ints("strides", 2).Ints("dilations", 2)
                .Int("ceil_mode", 1));
        }
        yield return Register(new SingleNodeModel("LpPool", 11, [1, 2, 4, 5, 6]).Ints("kernel_shape", 2, 2, 3).String("auto_pad", "SAME_LOWER"));
    }

    public static IEnumerable<object[]> PadCases()
    {
        foreach (string mode in new[] { "reflect", "edge", "wrap" })
        {
            int opset = mode == "wrap" ? 19 : 11;
            yield return Register(new SingleNodeModel("Pad", opset, [2, 3, 4, 5], Longs("pads", 0, 1, 2, 3, 0, 2, 1, 4)).String("mode", mode));
            yield return Register(new SingleNodeModel("Pad", Math.Max(opset, 18), [2, 3, 4, 5], Longs("pads", 3, 1, 2, 3), Floats("value", 0f), Longs("axes", -1, 2))
                .String("mode", mode), "axes=[-1,2]");
            yield return Register(new SingleNodeModel("Pad", 21, [3, 5], Longs("pads", 1, -1, 2, -2)).String("mode", mode), "negative pads crop");
        }
        yield return Register(new SingleNodeModel("Pad", 6, [2, 5, 4]).String("mode", "reflect").Ints("pads", 0, 2, 1, 0, 3, 2));
        yield return Register(new SingleNodeModel("Pad", 6, [2, 5, 4]).String("mode", "edge").Ints("pads", 1, 0, 1, 2, 2, 0));
        // PyTorch's export writes a Pad of zeros before every AvgPool2d: the identity (Zero_pads_are_the_identity).
        yield return Register(new SingleNodeModel("Pad", 11, [2, 3, 4, 5], Longs("pads", 0, 0, 0, 0, 0, 0, 0, 0)), "zero pads");
    }

    [Fact]
    public void Zero_pads_are_the_identity_and_any_other_pad_a_pad()
    {
        OpSpec Mapped(long[] pads) =>
            PcGraphBuilder.Build(new SingleNodeModel("Pad", 11, [2, 3, 4, 5], Longs("pads", pads)).Build(), "pad.onnx")
                .Vertices.Single(v => v.Kind == VertexKind.Computed).Op;
        Assert.IsType<IdentitySpec>(Mapped([0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.IsType<ZilOnnx.Converter.Ops.PadSpec>(Mapped([0, 0, 0, 1, 0, 0, 0, 0]));
        Assert.IsType<ZilOnnx.Converter.Ops.PadSpec>(Mapped([0, 0, 0, -1, 0, 0, 0, 0]));
    }

    public static IEnumerable<object[]> LayoutCases()
    {
        foreach (string mode in new[] { "DCR", "CRD" })
            yield return Register(new SingleNodeModel("DepthToSpace", 13, [2, 18, 2, 3]).Int("blocksize", 3).String("mode", mode));
        yield return Register(new SingleNodeModel("DepthToSpace", 6, [1, 8, 3, 2]).Int("blocksize", 2));
        yield return Register(new SingleNodeModel("SpaceToDepth", 13, [2, 3, 6, 4]).Int("blocksize", 2));
        yield return Register(new SingleNodeModel("Tile", 13, [2, 3, 4], Longs("repeats", 2, 1, 3)));
        yield return Register(new SingleNodeModel("Tile", 6, [3, 2], Longs("repeats", 1, 4)));
    }

    public static IEnumerable<object[]> ResizeCases()
    {
        string[] transforms = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"];
        foreach (string mode in new[] { "nearest", "linear" })
            foreach (string transform in transforms)
            {
                // align_corners and pytorch_half_pixel need whole resized lengths (see Refused_forms).
                float shrink = transform is "half_pixel" or "asymmetric" ? 0.6f : 0.8f;
                yield return Register(new SingleNodeModel("Resize", 13, [1, 2, 4, 5], Floats("roi"), Floats("scales", 1, 1, 2, shrink))
                    .String("mode", mode).String("coordinate_transformation_mode", transform), $"scales=[1,1,2,{shrink}]");
                yield return Register(new SingleNodeModel("Resize", 11, [1, 2, 4, 5], Floats("roi"), Floats("scales"), Longs("sizes", 1, 2, 7, 3))
                    .String("mode", mode).String("coordinate_transformation_mode", transform), "sizes=[1,2,7,3]");
            }
        foreach (string nearest in new[] { "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" })
            yield return Register(new SingleNodeModel("Resize", 19, [2, 3, 5], Floats("roi"), Floats("scales"), Longs("sizes", 9, 2))
                .String("nearest_mode", nearest).Ints("axes", 2, 1), $"sizes=[9,2] axes=[2,1]");
        yield return Register(new SingleNodeModel("Resize", 10, [1, 2, 3, 4], Floats("scales", 1, 1, 2, 1.5f)).String("mode", "linear"), "scales=[1,1,2,1.5]");
        yield return Register(new SingleNodeModel("Resize", 10, [1, 2, 3, 4], Floats("scales", 1, 1, 0.5f, 2.5f)), "scales=[1,1,0.5,2.5]");
        yield return Register(new SingleNodeModel("Upsample", 9, [1, 2, 3, 4], Floats("scales", 1, 1, 2, 3)).String("mode", "linear"), "scales=[1,1,2,3]");
        yield return Register(new SingleNodeModel("Upsample", 7, [1, 2, 3]).String("mode", "nearest").Floats("scales", 1, 2, 2.5f));
    }

    private static ModelProto ModelFor(string description)
    {
        if (!Models.ContainsKey(description))
            foreach (var _ in ConvolutionCases().Concat(PoolingCases()).Concat(PadCases()).Concat(LayoutCases()).Concat(ResizeCases())) { }
        return Models[description];
    }

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    [MemberData(nameof(PoolingCases))]
    [MemberData(nameof(PadCases))]
    [MemberData(nameof(LayoutCases))]
    [MemberData(nameof(ResizeCases))]
    public void Pcn_forward_matches_onnx_runtime(string description)
    {
        OnnxRuntimeAgreement.Assert(ModelFor(description), description, output);
    }

    public static IEnumerable<object[]> RefusedForms()
    {
        object[] Case(SingleNodeModel model, string message) { Models[model.ToString()] = model.Build(); return [model.ToString(), message]; }
        const string OrtDiffers = "ONNX Runtime does not compute it as the ONNX specification defines";
        yield return Case(new SingleNodeModel("ConvTranspose", 11, [1, 2, 4], Weights("W", [2, 1, 2], 1)).Ints("strides", 3).String("auto_pad", "SAME_UPPER"), OrtDiffers);
        yield return Case(new SingleNodeModel("ConvTranspose", 11, [1, 2, 4], Weights("W", [2, 1, 2], 1)).Ints("strides", 3).Ints("output_shape", 13), "by more than one cell");
        yield return Case(new SingleNodeModel("Resize", 13, [1, 1, 4, 5], Floats("roi"), Floats("scales", 1, 1, 1, 0.7f))
            .String("coordinate_transformation_mode", "align_corners"), OrtDiffers);
        yield return Case(new SingleNodeModel("Resize", 13, [1, 1, 4, 5], Floats("roi"), Floats("scales", 1, 1, 2, 2)).String("mode", "cubic"), "mode 'cubic' is not supported");
        yield return Case(new SingleNodeModel("Resize", 19, [1, 1, 4, 5], Floats("roi"), Floats("scales", 1, 1, 2, 2))
            .String("coordinate_transformation_mode", "half_pixel_symmetric"), "coordinate_transformation_mode 'half_pixel_symmetric' is not supported");
        yield return Case(new SingleNodeModel("Resize", 18, [1, 1, 4, 5], Floats("roi"), Floats("scales", 1, 1, 2, 2)).Int("antialias", 1), "antialias = 1 is not supported");
        yield return Case(new SingleNodeModel("Pad", 18, [2, 3], Longs("pads", 1, 1, 1, 1)).String("mode", "wrap"), "mode 'wrap' needs opset 19");
        yield return Case(new SingleNodeModel("Pad", 19, [2, 3], Longs("pads", 1, 1, 1, 1)).String("mode", "mirror"), "mode 'mirror' is not one of");
        yield return Case(new SingleNodeModel("Conv", 11, [1, 1, 2, 2, 2, 2], Weights("W", [1, 1, 1, 1, 1, 1], 1)), "4-D windows are not supported");
        yield return Case(new SingleNodeModel("MaxPool", 12, [1, 1, 5]).Ints("kernel_shape", 2, 2), "must have rank 4");
        yield return Case(new SingleNodeModel("DepthToSpace", 13, [1, 8, 2, 2]).Int("blocksize", 2).String("mode", "XYZ"), "mode 'XYZ' is not one of DCR, CRD");
        yield return Case(new SingleNodeModel("Upsample", 9, [1, 1, 2, 2], Floats("scales", 1, 1, 2, 2)).String("mode", "cubic"), "mode 'cubic' is not supported");
    }

    [Theory]
    [MemberData(nameof(RefusedForms))]
    public void Refused_forms_name_the_attribute_value(string description, string message)
    {
        if (!Models.ContainsKey(description)) foreach (var _ in RefusedForms()) { }
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(Models[description], description));
        output.WriteLine(e.Message);
        Assert.Contains(message, e.Message);
    }

    /// <summary>Distinct, sign-mixed values, exactly representable in float32, so max pooling has no ties.</summary>
}
