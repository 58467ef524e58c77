using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ZilOnnx.Trainer.Data;

/// <summary>Reading .npy data into a <see cref="SampleArray"/>, in the type it is held as, rather than as doubles.</summary>
public static partial class NpyFormat
{
    /// <summary>Bytes decoded per read: large enough to stream at disk speed, small enough not to matter next to the data.</summary>
    private const int BytesPerChunk = 1 << 20;

    /// <summary>
    /// Decodes the next elements of the stream into a new array of <paramref name="shape"/>, held as the header's dtype
    /// says (<see cref="SampleTypes.HeldAs"/>), in the file's order.
    /// </summary>
    /// <param name="firstElement">The stream's position in the array's data, in elements: errors count from the data's start.</param>
    internal static SampleArray ReadElements(Stream stream, NpyHeader header, long[] shape, long firstElement, ErrorContext context)
    {
        var array = SampleArray.Allocate(header.Dtype.ElementType, shape);
        int itemSize = header.Dtype.Size;
        var buffer = new byte[Math.Max(itemSize, (int)Math.Min(BytesPerChunk / itemSize, array.Length) * itemSize)];
        long decoded = 0;
        while (decoded < array.Length)
        {
            int wanted = (int)Math.Min(buffer.Length / itemSize, array.Length - decoded);
            int wantedBytes = wanted * itemSize;
            int got = stream.ReadAtLeast(buffer.AsSpan(0, wantedBytes), wantedBytes, throwOnEndOfStream: false);
            if (got < wantedBytes)
            {
                long expected = (long)header.Layout("").StoredBytes;
                throw context.Error($"data is shorter than the header says: expected {expected} bytes for {header.Describe()}, " +
                                    $"found {(firstElement + decoded) * itemSize + got}");
            }
            int bad = header.Dtype.DecodeTo(buffer.AsSpan(0, wantedBytes), array, (int)decoded);
            if (bad >= 0)
                throw context.Error($"element {firstElement + decoded + bad} " +
                    $"({header.Dtype.FormatRaw(buffer.AsSpan(bad * itemSize, itemSize))}) " +
                                    "is beyond the range of int64: expected unsigned integers below 2^63");
            decoded += wanted;
        }
        return array;
    }

    /// <summary>The same elements in C order, for an array the file stored in Fortran order.</summary>
    internal static SampleArray FromFortranOrder(SampleArray array) => array switch
    {
        SampleArray<float> a => new SampleArray<float>(a.ElementType, a.Shape, FortranToCOrder(a.Values, a.Shape)),
        SampleArray<double> a => new SampleArray<double>(a.ElementType, a.Shape, FortranToCOrder(a.Values, a.Shape)),
        SampleArray<byte> a => new SampleArray<byte>(a.ElementType, a.Shape, FortranToCOrder(a.Values, a.Shape)),
        SampleArray<int> a => new SampleArray<int>(a.ElementType, a.Shape, FortranToCOrder(a.Values, a.Shape)),
        SampleArray<long> a => new SampleArray<long>(a.ElementType, a.Shape, FortranToCOrder(a.Values, a.Shape)),
        _ => throw new ArgumentException($"no reordering for {array}"),
    };

    internal sealed partial record NpyDtype
    {
        /// <summary>
        /// Decodes whole elements into <paramref name="target"/> from element <paramref name="offset"/> on, into the type
        /// <see cref="SampleTypes.HeldAs"/> gives for this dtype; returns the index (in <paramref name="bytes"/>) of the
        /// first element that type cannot hold (a uint64 of 2^63 or more), or -1.
        /// </summary>
        public int DecodeTo(ReadOnlySpan<byte> bytes, SampleArray target, int offset)
        {
            int n = bytes.Length / Size;
            bool big = BigEndian, native = !big && BitConverter.IsLittleEndian;
            switch (Kind, Size)
            {
                case ('f', 2):
                {
                    var t = Span<float>(target, offset, n);
                    for (int i = 0; i < n; i++)
                        t[i] = (float)BitConverter.UInt16BitsToHalf(big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..])
                            : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]));
                    return -1;
                }
                case ('f', 4):
                {
                    var t = Span<float>(target, offset, n);
                    if (native) MemoryMarshal.Cast<byte, float>(bytes).CopyTo(t);
                    else for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..])
                        : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                    return -1;
                }
                case ('f', 8):
                {
                    var t = Span<double>(target, offset, n);
                    if (native) MemoryMarshal.Cast<byte, double>(bytes).CopyTo(t);
                    else for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadDoubleBigEndian(bytes[(8 * i)..])
                        : BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                    return -1;
                }
                case ('u', 1):
                    bytes.CopyTo(Span<byte>(target, offset, n));
                    return -1;
                case ('b', 1):
                {
                    var t = Span<byte>(target, offset, n);
                    for (int i = 0; i < n; i++) t[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
                    return -1;
                }
                case ('i', 1):
                {
                    var t = Span<int>(target, offset, n);
                    for (int i = 0; i < n; i++) t[i] = (sbyte)bytes[i];
                    return -1;
                }
                case ('i', 2):
                {
                    var t = Span<int>(target, offset, n);
                    for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..])
                        : BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                    return -1;
                }
                case ('u', 2):
                {
                    var t = Span<int>(target, offset, n);
                    for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..])
                        : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                    return -1;
                }
                case ('i', 4):
                {
                    var t = Span<int>(target, offset, n);
                    if (native) MemoryMarshal.Cast<byte, int>(bytes).CopyTo(t);
                    else for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..])
                        : BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                    return -1;
                }
                case ('u', 4):
                {
                    var t = Span<long>(target, offset, n);
                    for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * i)..])
                        : BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
                    return -1;
                }
                case ('i', 8):
                {
                    var t = Span<long>(target, offset, n);
                    if (native) MemoryMarshal.Cast<byte, long>(bytes).CopyTo(t);
                    else for (int i = 0; i < n; i++) t[i] = big ? BinaryPrimitives.ReadInt64BigEndian(bytes[(8 * i)..])
                        : BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                    return -1;
                }
                case ('u', 8):
                {
                    var t = Span<long>(target, offset, n);
                    for (int i = 0; i < n; i++)
                    {
                        ulong v = big ? BinaryPrimitives.ReadUInt64BigEndian(bytes[(8 * i)..])
                            : BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
                        if (v > long.MaxValue) return i;
                        t[i] = (long)v;
                    }
                    return -1;
                }
                default:
                    throw new InvalidOperationException($"no decoder for dtype {Descriptor}");
            }
        }

        private static Span<T> Span<T>(SampleArray target, int offset, int length) where T : unmanaged =>
            ((SampleArray<T>)target).Values.AsSpan(offset, length);
    }
}
