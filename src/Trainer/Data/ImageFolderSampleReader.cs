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
    private readonly ImageGeometry geometry;

    private ImageFolderSampleReader(ImageFolderLayout layout, ImageGeometry geometry)
    {
        this.layout = layout;
        this.geometry = geometry;
        long n = layout.Images.Count;
        Inputs = new ArrayLayout("x", DataType.Uint8, [n, geometry.Channels, geometry.Height, geometry.Width], 1);
        Targets = new ArrayLayout("y", DataType.Int64, [n], 8);
        Notices = [$"{layout.Folder}: {n} images in {layout.ClassNames.Count} classes ({NameList.Abbreviate(layout.ClassNames)}), read as " +
                   $"{geometry} and scaled to [0, 1] (v / 255)"];
    }

    public static bool Recognizes(string source) => ImageFolderLayout.Recognizes(source);

    /// <param name="modelInputShape">The model's input [N, C, H, W] (unknown axes null); see <see cref="ImageGeometry.For"/>.</param>
    public static ImageFolderSampleReader Open(string source, DataSplit split, IReadOnlyList<long?> modelInputShape)
    {
        var layout = ImageFolderLayout.Find(source, split);
        if (layout.Images.Count == 0)
            throw new DataFormatException(layout.Folder, null, "no images in any class folder");
        return new ImageFolderSampleReader(layout, ImageGeometry.For(modelInputShape, layout.Images[0].File, layout.Folder));
    }

    public string Origin => layout.Folder;
    public string? TargetsFile => null;
    public ArrayLayout Inputs { get; }
    public ArrayLayout Targets { get; }
    public IReadOnlyList<string> Notices { get; }
    public IReadOnlyList<string> ClassNames => layout.ClassNames;

    public SampleBlock Read(long start, long count)
    {
        var pixels = (SampleArray<byte>)SampleArray.Allocate(DataType.Uint8, [count, geometry.Channels, geometry.Height, geometry.Width]);
        var labels = (SampleArray<long>)SampleArray.Allocate(DataType.Int64, [count]);
        var images = Enumerable.Range(checked((int)start), checked((int)count)).Select(i => layout.Images[i]).ToList();
        for (int i = 0; i < images.Count; i++) labels.Values[i] = images[i].Class;
        ImageDecoding.DecodeAll(images.Select(image => image.File).ToList(), geometry, pixels.Values);
        return new SampleBlock(pixels, labels);
    }

    public void Dispose() { }
}
