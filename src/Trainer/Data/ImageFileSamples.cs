using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data.Preprocessing;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Images streamed from their files: only the file list is held. A batch's images are decoded when the batch is
/// gathered (<see cref="Decode"/>, on all cores) into uint8 [n, C, H, W] and converted from there exactly as held pixels
/// are (<see cref="SampleArray{T}.Gather"/>), so a streamed batch is bitwise the batch of the same images held in memory.
/// </summary>
public sealed class ImageFileSamples : SampleSource
{
    private readonly IReadOnlyList<string> files;
    private readonly ImageGeometry geometry;
    private readonly ImagePreprocessing preprocessing;

    /// <param name="geometry">The channels, size and layout each image is decoded into (<see cref="ImageGeometry.For"/>).</param>
    /// <param name="preprocessing">The resize and crop each image is decoded with (<see cref="ImageDecoding.DecodeInto"/>).</param>
    public ImageFileSamples(IReadOnlyList<string> files, ImageGeometry geometry, ImagePreprocessing preprocessing)
        : this(files, geometry, preprocessing, geometry.Shape(files.Count)) { }

    private ImageFileSamples(IReadOnlyList<string> files, ImageGeometry geometry, ImagePreprocessing preprocessing, long[] shape)
        : base(DataType.Uint8, shape)
    {
        if (HostTensor.ElementCount(shape) != (long)files.Count * geometry.SampleSize)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not hold {files.Count} images of " +
                $"{geometry.Channels}x{geometry.Height}x{geometry.Width}");
        this.files = files;
        this.geometry = geometry;
        this.preprocessing = preprocessing;
    }

    /// <summary>The paths' characters and a string's overhead (about 26 bytes in .NET) for each file.</summary>
    public override long HeldBytes => files.Sum(f => 2L * f.Length + 26 + IntPtr.Size);

    public override ImageFileSamples WithShape(long[] shape) => new(files, geometry, preprocessing, shape);

    public override ImageFileSamples Rows(IReadOnlyList<long> indices) =>
        new(indices.Select(i => files[checked((int)i)]).ToList(), geometry, preprocessing, [indices.Count, .. Shape[1..]]);

    public override Array Gather(IReadOnlyList<long> indices, ScalarType type) =>
        Decode(indices).Gather(Enumerable.Range(0, indices.Count).Select(i => (long)i).ToList(), type);

    /// <summary>Decodes the one image the element is in.</summary>
    public override double ValueAt(long index) => Decode([index / SampleSize]).Values[index % SampleSize];

    /// <summary>Pixels are uint8: none is NaN or infinite, so nothing needs decoding to know it.</summary>
    public override long IndexOfNonFinite() => -1;

    /// <summary>
    /// The images at the given indices, in that order, as uint8 [n, C, H, W]. Images are independent, so they are decoded
    /// on all cores; where several cannot be, the first in the given order is the one reported, whichever thread met it first.
    /// </summary>
    public SampleArray<byte> Decode(IReadOnlyList<long> indices)
    {
        var pixels = (SampleArray<byte>)SampleArray.Allocate(DataType.Uint8, [indices.Count, .. Shape[1..]]);
        int size = checked((int)SampleSize);
        var failures = new DataFormatException?[indices.Count];
        Parallel.For(0, indices.Count, i =>
        {
            string file = files[checked((int)indices[i])];
            try { ImageDecoding.DecodeInto(file, geometry, pixels.Values.AsSpan(i * size, size), preprocessing); }
            catch (DataFormatException e) { failures[i] = e; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures[i] = new DataFormatException(file, null,
                $"the image cannot be decoded: {e.Message}", e);
            }
        });
        if (failures.FirstOrDefault(f => f != null) is { } failure)
            throw failure;
        return pixels;
    }
}
