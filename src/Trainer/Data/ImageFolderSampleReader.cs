using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// An image folder (<see cref="ImageFolderLayout"/>): the images are decoded with SkiaSharp into uint8 [N, C, H, W],
/// C being the model's channel count (1: grayscale, 3: RGB), and batches scale them to [0, 1] (v / 255) like IDX
/// pixels; the labels are the class indices (int64). Opening reads the folder listing and one image header only, so
/// the data budget is checked before anything is decoded. Every image must have the model's height and width.
/// </summary>
public sealed class ImageFolderSampleReader : ISampleReader
{
    private readonly ImageFolderLayout layout;
    private readonly int channels, height, width;

    private ImageFolderSampleReader(ImageFolderLayout layout, int channels, int height, int width)
    {
        this.layout = layout;
        this.channels = channels;
        this.height = height;
        this.width = width;
        long n = layout.Images.Count;
        Inputs = new ArrayLayout("x", DataType.Uint8, [n, channels, height, width], 1);
        Targets = new ArrayLayout("y", DataType.Int64, [n], 8);
        Notices = [$"{layout.Folder}: {n} images in {layout.ClassNames.Count} classes ({NameList.Abbreviate(layout.ClassNames)}), read as " +
                   $"{(channels == 1 ? "grayscale" : "RGB")} {height}x{width} and scaled to [0, 1] (v / 255)"];
    }

    public static bool Recognizes(string source) => ImageFolderLayout.Recognizes(source);

    /// <param name="modelInputShape">The model's input [N, C, H, W] (unknown axes null), which says the channels and
    /// size the images are read as; where it says nothing, the first image does (grayscale or RGB, its size).</param>
    public static ImageFolderSampleReader Open(string source, DataSplit split, IReadOnlyList<long?> modelInputShape)
    {
        var layout = ImageFolderLayout.Find(source, split);
        if (layout.Images.Count == 0)
            throw new DataFormatException(layout.Folder, null, "no images in any class folder");
        string first = layout.Images[0].File;
        long? modelChannels = modelInputShape.Count == 4 ? modelInputShape[1] : null;
        if (modelChannels is not (null or 1 or 3))
            throw new DataFormatException(layout.Folder, null, $"the model's input has {modelChannels} channels; images are read as 1 (grayscale) or 3 (RGB)");
        int channels = (int)(modelChannels ?? (ImageDecoding.IsGray(first) ? 1 : 3));
        var (firstHeight, firstWidth) = ImageDecoding.Size(first);
        int height = modelInputShape.Count == 4 && modelInputShape[2] is { } h ? checked((int)h) : firstHeight;
        int width = modelInputShape.Count == 4 && modelInputShape[3] is { } w ? checked((int)w) : firstWidth;
        return new ImageFolderSampleReader(layout, channels, height, width);
    }

    public string Origin => layout.Folder;
    public string? TargetsFile => null;
    public ArrayLayout Inputs { get; }
    public ArrayLayout Targets { get; }
    public IReadOnlyList<string> Notices { get; }
    public IReadOnlyList<string> ClassNames => layout.ClassNames;

    public SampleBlock Read(long start, long count)
    {
        var pixels = (SampleArray<byte>)SampleArray.Allocate(DataType.Uint8, [count, channels, height, width]);
        var labels = (SampleArray<long>)SampleArray.Allocate(DataType.Int64, [count]);
        int size = channels * height * width;
        var failures = new DataFormatException?[count];
        // Decoding is the cost; images are independent, so they are decoded on all cores.
        Parallel.For(0, count, i =>
        {
            var (file, label) = layout.Images[checked((int)(start + i))];
            labels.Values[i] = label;
            try { ImageDecoding.DecodeInto(file, channels, height, width, pixels.Values.AsSpan(checked((int)(i * size)), size)); }
            catch (DataFormatException e) { failures[i] = e; }
            catch (Exception e) when (e is not OutOfMemoryException) { failures[i] = new DataFormatException(file, null, $"the image cannot be decoded: {e.Message}", e); }
        });
        // The first bad image in the folder's order is the one reported, whichever thread met it first.
        if (failures.FirstOrDefault(f => f != null) is { } failure)
            throw failure;
        return new SampleBlock(pixels, labels);
    }

    public void Dispose() { }
}
