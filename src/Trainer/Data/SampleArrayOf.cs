using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>A <see cref="SampleArray"/> whose elements are held as <typeparamref name="T"/> (float, double, byte, int or long).</summary>
public sealed class SampleArray<T> : SampleArray where T : unmanaged
{
    public SampleArray(DataType elementType, long[] shape, T[] values) : base(elementType, shape, values.LongLength) => Values = values;

    /// <summary>The elements, row-major.</summary>
    public T[] Values { get; }

    public override SampleArray WithShape(long[] shape) => new SampleArray<T>(ElementType, shape, Values);

    public override SampleArray Transposed(int[] axes)
    {
        long[] shape = [.. axes.Select(a => Shape[a])];
        var strides = new long[Rank];
        long stride = 1;
        for (int a = Rank - 1; a >= 0; a--) { strides[a] = stride; stride *= Shape[a]; }
        var values = new T[Values.LongLength];
        var position = new long[Rank];
        for (long i = 0; i < values.LongLength; i++)
        {
            long source = 0;
            for (int a = 0; a < Rank; a++) source += position[a] * strides[axes[a]];
            values[i] = Values[source];
            // The next index of the output, last axis fastest.
            for (int a = Rank - 1; a >= 0 && ++position[a] == shape[a]; a--) position[a] = 0;
        }
        return new SampleArray<T>(ElementType, shape, values);
    }

    public override SampleArray Rows(IReadOnlyList<long> indices)
    {
        var values = new T[indices.Count * SampleSize];
        for (int i = 0; i < indices.Count; i++)
            Array.Copy(Values, indices[i] * SampleSize, values, i * SampleSize, SampleSize);
        return new SampleArray<T>(ElementType, [indices.Count, .. Shape[1..]], values);
    }

    public override void CopyRowsTo(SampleArray target, long firstRow) =>
        Array.Copy(Values, 0, ((SampleArray<T>)target).Values, firstRow * SampleSize, Values.LongLength);

    public override Array Gather(IReadOnlyList<long> indices, ScalarType type) => type switch
    {
        ScalarType.Float32 => Gather(indices, SampleConversion.ToFloat32<T>(ElementType)),
        ScalarType.Float64 => Gather(indices, SampleConversion.ToFloat64<T>(ElementType)),
        ScalarType.Int64 => Gather(indices, SampleConversion.ToInt64<T>()),
        _ => throw new ArgumentException($"batches are float32, float64 or int64, not {type}"),
    };

    private TOut[] Gather<TOut>(IReadOnlyList<long> indices, Func<T, TOut> convert)
    {
        var result = new TOut[indices.Count * SampleSize];
        for (int i = 0; i < indices.Count; i++)
        {
            var source = Values.AsSpan(checked((int)(indices[i] * SampleSize)), (int)SampleSize);
            var target = result.AsSpan(i * (int)SampleSize, (int)SampleSize);
            for (int k = 0; k < source.Length; k++) target[k] = convert(source[k]);
        }
        return result;
    }

    public override double ValueAt(long index) => SampleConversion.ToDouble(Values[index]);

    public override long IndexOfNonFinite()
    {
        if (Values is float[] floats)
        {
            for (long i = 0; i < floats.LongLength; i++) if (!float.IsFinite(floats[i])) return i;
        }
        else if (Values is double[] doubles)
        {
            for (long i = 0; i < doubles.LongLength; i++) if (!double.IsFinite(doubles[i])) return i;
        }
        return -1;
    }

    public override long IndexOfOutside(double min, double maxExclusive)
    {
        for (long i = 0; i < Values.LongLength; i++)
        {
            double v = SampleConversion.ToDouble(Values[i]);
            if (!(v >= min && v < maxExclusive)) return i;
        }
        return -1;
    }
}
