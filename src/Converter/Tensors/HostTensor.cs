using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Tensors;

/// <summary>
/// A small dense tensor held in managed memory: initializers, constants, shape arithmetic and data arrays.
/// Values are stored as doubles whatever the element type, because every element type the converter
/// evaluates (float16/32/64, integers up to 2^53, bool) converts to double and back without loss.
/// <see cref="ElementType"/> keeps the original ONNX type so that exported tensors keep their dtype.
/// </summary>
public sealed class HostTensor
{
    public HostTensor(TensorProto.Types.DataType elementType, long[] shape, double[] values)
    {
        long count = ElementCount(shape);
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but {values.Length} values were given");
        ElementType = elementType;
        Shape = shape;
        Values = values;
    }

    public TensorProto.Types.DataType ElementType { get; }
    public long[] Shape { get; }
    public double[] Values { get; }
    public int Rank => Shape.Length;
    public long Count => Values.Length;

    public bool IsFloatingPoint => ElementType is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double
        or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16;

    public static HostTensor Scalar(TensorProto.Types.DataType elementType, double value) => new(elementType, [], [value]);

    public static HostTensor Int64Vector(params long[] values) =>
        new(TensorProto.Types.DataType.Int64, [values.Length], values.Select(v => (double)v).ToArray());

    public long[] ToInt64Array() => Values.Select(v => (long)v).ToArray();

    public HostTensor WithShape(long[] shape) => new(ElementType, shape, Values);

    /// <summary>The number of elements a shape holds; throws on negative dimensions and on overflow.</summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape [{string.Join(", ", shape)}]");
            count = checked(count * d);
        }
        return count;
    }

    public override string ToString() => $"{ElementType}[{string.Join(", ", Shape)}]";
}
