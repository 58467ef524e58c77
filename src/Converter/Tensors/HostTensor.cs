using ZilOnnx.Converter.Graph;
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

    /// <summary>
    /// The number of elements a shape holds; throws <see cref="ShapeException"/> on a negative dimension and on a count
    /// that overflows 64 bits (a shape a model file can declare, so the converter reports it against the node).
    /// </summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ShapeException($"negative dimension {d} in shape [{string.Join(", ", shape)}]");
            if (d != 0 && count > long.MaxValue / d)
                throw new ShapeException($"the shape [{string.Join(", ", shape)}] holds more elements than a 64-bit count can hold");
            count *= d;
        }
        return count;
    }

    /// <summary>
    /// The most elements a tensor the converter computes at conversion time (a folded constant: ConstantOfShape,
    /// Expand, Tile, Concat, ... of constants) may hold: 2^26, 512 MiB as doubles. Far above what a model folds in
    /// practice (shapes, masks, small tables; weights are read from the file, not computed), and far below what a
    /// small file could otherwise make the program allocate by asking for a constant of 10^12 elements.
    /// </summary>
    public const long MaxComputedElements = 1L << 26;

    /// <summary>
    /// A value array for a tensor of <paramref name="shape"/> computed at conversion time, after checking its size
    /// against <see cref="MaxComputedElements"/> (a <see cref="ShapeException"/> before anything is allocated).
    /// </summary>
    public static double[] NewComputedValues(IReadOnlyList<long> shape)
    {
        long count = ElementCount(shape);
        if (count > MaxComputedElements)
            throw new ShapeException($"a constant of shape [{string.Join(", ", shape)}] computed at conversion time would hold {count} " +
                $"elements, more than the {MaxComputedElements} allowed");
        return new double[count];
    }

    public override string ToString() => $"{ElementType}[{string.Join(", ", Shape)}]";
}
