using ZilOnnx.Converter.Tensors;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Where a data set's samples come from: held in memory in their stored type (<see cref="SampleArray"/>: arrays, cheap to
/// hold), or read from their files when a batch is prepared (<see cref="ImageFileSamples"/>: images, costly to decode and
/// often more than memory holds). A data set, its batches, its subsets and its checks see only this.
/// </summary>
public abstract class SampleSource
{
    protected SampleSource(DataType elementType, long[] shape)
    {
        ElementType = elementType;
        Shape = shape;
        SampleSize = shape.Length == 0 ? 1 : HostTensor.ElementCount(shape[1..]);
    }

    /// <summary>The element type as the file stored it: what checks and messages speak of.</summary>
    public DataType ElementType { get; }
    public long[] Shape { get; }
    public int Rank => Shape.Length;
    /// <summary>The number of samples (axis 0).</summary>
    public long Count => Shape[0];
    /// <summary>Elements per sample.</summary>
    public long SampleSize { get; }
    public bool IsFloatingPoint => SampleTypes.IsFloatingPoint(ElementType);
    /// <summary>Bytes this source holds in memory: all its elements, or what it needs to find them (a file list).</summary>
    public abstract long HeldBytes { get; }

    /// <summary>The same samples seen in another shape of as many elements per sample (a unit channel axis added).</summary>
    public abstract SampleSource WithShape(long[] shape);

    /// <summary>The samples at the given indices, in that order, as a source of their own (a validation split).</summary>
    public abstract SampleSource Rows(IReadOnlyList<long> indices);

    /// <summary>
    /// The samples at the given indices, in that order, converted to a batch's element type: float32 or float64 (uint8
    /// pixels scaled to [0, 1], <see cref="SampleTypes.IsPixels"/>) or int64 (labels, token ids). Returns a float[],
    /// double[] or long[]. It may run on any thread, and on several at once.
    /// </summary>
    public abstract Array Gather(IReadOnlyList<long> indices, ScalarType type);

    /// <summary>Element <paramref name="index"/> (flat, row-major) as stored, unscaled, as a double: for checks and messages.</summary>
    public abstract double ValueAt(long index);

    /// <summary>The flat index of the first NaN or infinity, or -1 (always -1 for integer types).</summary>
    public abstract long IndexOfNonFinite();

    public override string ToString() => $"{SampleTypes.Name(ElementType)}[{string.Join(", ", Shape)}]";
}
