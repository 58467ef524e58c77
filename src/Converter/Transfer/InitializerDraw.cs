using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Transfer;

/// <summary>
/// Replaces an initializer by freshly drawn values of the same name and element type, for the initialisations that
/// `--num-classes` and `--reinit` share with torch.nn's reset_parameters.
/// </summary>
internal static class InitializerDraw
{
    /// <summary>Uniform in (-bound, bound), as torch.nn.init.uniform_ and kaiming_uniform_ draw, from a seeded generator.</summary>
    public static Func<double> Uniform(Random random, double bound) => () => (2 * random.NextDouble() - 1) * bound;

    public static Func<double> Constant(double value) => () => value;

    public static void Replace(GraphProto graph, TensorProto old, long[] shape, Func<double> draw, string file)
    {
        var type = TensorCodec.Decode(old, file).ElementType;
        var values = new double[HostTensor.ElementCount(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = draw();
        var encoded = TensorCodec.Encode(old.Name, new HostTensor(type, shape, values));
        if (old.HasDocString) encoded.DocString = old.DocString;
        graph.Initializer[graph.Initializer.IndexOf(old)] = encoded;
    }
}
