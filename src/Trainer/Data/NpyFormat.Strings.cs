namespace ZilOnnx.Trainer.Data;

/// <summary>Writing text arrays (names, labels), which a HostTensor cannot hold: it holds numbers only.</summary>
public static partial class NpyFormat
{
    /// <summary>
    /// Writes text as NumPy's fixed-width unicode array (dtype '&lt;U<i>n</i>', n the longest length in code points, each
    /// element UTF-32 little-endian, padded with zeros), which <c>np.load</c> gives back as an array of str.
    /// </summary>
    public static void WriteStrings(Stream stream, IReadOnlyList<string> values)
    {
        var encoding = new System.Text.UTF32Encoding(bigEndian: false, byteOrderMark: false);
        int width = Math.Max(1, values.Select(v => encoding.GetByteCount(v) / 4).DefaultIfEmpty(0).Max());
        stream.Write(EncodeHeader($"<U{width}", [values.Count]));
        var item = new byte[4 * width];
        foreach (string value in values)
        {
            Array.Clear(item);
            encoding.GetBytes(value, item);
            stream.Write(item);
        }
    }
}
