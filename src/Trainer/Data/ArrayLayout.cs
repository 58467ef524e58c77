using System.Globalization;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// An array as its file's header declares it, known before any of its data is read: what the data budget is checked
/// against (<see cref="DataBudget"/>) and what the shape checks look at.
/// </summary>
/// <param name="Name">The array's name in messages: x, y, or an .npz member's name.</param>
/// <param name="StoredItemSize">Bytes an element takes in the file.</param>
public sealed record ArrayLayout(string Name, DataType ElementType, long[] Shape, int StoredItemSize)
{
    /// <summary>Elements declared, as a double: a hostile header may declare more than 64 bits can count.</summary>
    public double Elements => Shape.Aggregate(1.0, (product, d) => product * d);

    public double StoredBytes => Elements * StoredItemSize;

    public double HeldBytes => Elements * SampleTypes.HeldItemSize(ElementType);

    /// <summary>The bytes the array's data are compressed into (a deflated .npz member), or null when they are stored as they
    /// are.</summary>
    public long? CompressedBytes { get; init; }

    /// <summary>The sample axis's length (axis 0); arrays without one are refused before this is asked.</summary>
    public long Samples => Shape[0];

    /// <summary>Like "1500000 x 1 x 28 x 28 float32".</summary>
    public string Describe() =>
        (Shape.Length == 0 ? "a scalar" : string.Join(" x ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))) + " "
            + SampleTypes.Name(ElementType);
}
