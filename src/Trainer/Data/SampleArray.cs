using ZilOnnx.Converter.Tensors;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Samples held in memory in the element type they were stored in (<see cref="SampleTypes.HeldAs"/>), sample-major
/// (axis 0). A batch is gathered from it and converted to the batch's type for its own samples only
/// (<see cref="SampleSource.Gather"/>), so the whole set is never copied into another type.
/// </summary>
public abstract class SampleArray : SampleSource
{
    protected SampleArray(DataType elementType, long[] shape, long length) : base(elementType, shape)
    {
        long count = HostTensor.ElementCount(shape);
        if (count != length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but {length} values were given");
        Length = length;
    }

    /// <summary>Elements in all.</summary>
    public long Length { get; }
    /// <summary>Bytes the elements take in memory.</summary>
    public override long HeldBytes => Length * SampleTypes.HeldItemSize(ElementType);

    /// <summary>The same elements seen in another shape of as many elements (a unit channel axis added).</summary>
    public abstract override SampleArray WithShape(long[] shape);

    /// <summary>The elements with their axes permuted as numpy's transpose(<paramref name="axes"/>) does (a copy).</summary>
    public abstract SampleArray Transposed(int[] axes);

    /// <summary>The samples at the given indices, in that order, in the stored type.</summary>
    public abstract override SampleArray Rows(IReadOnlyList<long> indices);

    /// <summary>Copies every sample into <paramref name="target"/> (of the same element type) from its sample <paramref name="firstRow"/>
    /// on.</summary>
    public abstract void CopyRowsTo(SampleArray target, long firstRow);

    /// <summary>The flat index of the first element outside [<paramref name="min"/>, <paramref name="maxExclusive"/>), or -1.</summary>
    public abstract long IndexOfOutside(double min, double maxExclusive);

    /// <summary>A zeroed array of <paramref name="shape"/> for elements of <paramref name="type"/>, held as
    /// <see cref="SampleTypes.HeldAs"/> says.</summary>
    public static SampleArray Allocate(DataType type, long[] shape)
    {
        long length = HostTensor.ElementCount(shape);
        if (length > Array.MaxLength) throw new ArgumentException($"{length} elements are more than one array can hold");
        Type held = SampleTypes.HeldAs(type);
        return held == typeof(float) ? new SampleArray<float>(type, shape, new float[length])
            : held == typeof(double) ? new SampleArray<double>(type, shape, new double[length])
            : held == typeof(byte) ? new SampleArray<byte>(type, shape, new byte[length])
            : held == typeof(int) ? new SampleArray<int>(type, shape, new int[length])
            : new SampleArray<long>(type, shape, new long[length]);
    }

    /// <summary>
    /// An array built in memory (tests, small synthetic sets) from a <see cref="HostTensor"/>, whose doubles are converted
    /// to the type the element type is held as (exactly, for values of that type).
    /// </summary>
    public static SampleArray FromHostTensor(HostTensor tensor)
    {
        var array = Allocate(tensor.ElementType, tensor.Shape);
        var values = tensor.Values;
        switch (array)
        {
            case SampleArray<float> f: for (int i = 0; i < values.Length; i++) f.Values[i] = (float)values[i]; break;
            case SampleArray<double> d: values.CopyTo(d.Values, 0); break;
            case SampleArray<byte> b: for (int i = 0; i < values.Length; i++) b.Values[i] = (byte)values[i]; break;
            case SampleArray<int> n: for (int i = 0; i < values.Length; i++) n.Values[i] = (int)values[i]; break;
            case SampleArray<long> l: for (int i = 0; i < values.Length; i++) l.Values[i] = (long)values[i]; break;
        }
        return array;
    }
}
