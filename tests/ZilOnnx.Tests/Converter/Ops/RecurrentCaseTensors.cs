using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The seeded tensors of a <see cref="RecurrentCase"/>, in layout 0 ([T, B, I] input, [D, B, H] states). Every
/// value is a float32 rounded to a double, so the float32 model and the float64 PCN start from the same numbers.
/// Weights stay within +-0.6 and inputs within +-1: the gates then work away from saturation, where a wrong
/// formula shows up clearly instead of being flattened to 0 or 1.
/// </summary>
internal sealed class RecurrentCaseTensors
{
    public RecurrentCaseTensors(RecurrentCase c)
    {
        var random = new Random(c.Seed * 7919 + 17);
        HostTensor Uniform(double scale, params long[] shape) => new(DataType.Float, shape,
            [.. Enumerable.Range(0, (int)HostTensor.ElementCount(shape)).Select(_ => (double)(float)(scale * (2 * random.NextDouble() - 1)))]);
        int d = c.Directions, g = c.Gates, h = c.Hidden;
        X = Uniform(1.0, c.Steps, c.Batch, c.InputSize);
        W = Uniform(0.6, d, g * h, c.InputSize);
        R = Uniform(0.6, d, g * h, h);
        B = Uniform(0.6, d, 2 * g * h);
        P = Uniform(0.6, d, 3 * h);
        InitialH = Uniform(0.8, d, c.Batch, h);
        InitialC = Uniform(0.8, d, c.Batch, h);
    }

    public HostTensor X { get; }
    public HostTensor W { get; }
    public HostTensor R { get; }
    public HostTensor B { get; }
    public HostTensor P { get; }
    public HostTensor InitialH { get; }
    public HostTensor InitialC { get; }

    /// <summary>The tensor with its axes reordered: result axis i is source axis <paramref name="order"/>[i].</summary>
    public static HostTensor Permute(HostTensor t, params int[] order)
    {
        long[] shape = [.. order.Select(a => t.Shape[a])];
        long[] sourceStrides = Strides(t.Shape);
        var values = new double[t.Values.Length];
        long[] index = new long[shape.Length];
        for (int flat = 0; flat < values.Length; flat++)
        {
            long source = 0;
            for (int i = 0; i < shape.Length; i++) source += index[i] * sourceStrides[order[i]];
            values[flat] = t.Values[source];
            for (int i = shape.Length - 1; i >= 0 && ++index[i] == shape[i]; i--) index[i] = 0;
        }
        return new HostTensor(t.ElementType, shape, values);
    }

    private static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = stride; stride *= shape[i]; }
        return strides;
    }
}
