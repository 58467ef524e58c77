using ZilOnnx.Trainer.Data.Preprocessing;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// An image folder (<see cref="ImageFolderLayout"/>): the images are decoded with SkiaSharp into uint8 [N, C, H, W],
/// C being the model's channel count (1: grayscale, 3: RGB), or [N, H, W, C] for a model whose input has its channels
/// last (<see cref="ImageGeometry"/>), and batches scale them to [0, 1] (v / 255) like IDX pixels; the labels are the
/// class indices (int64). Opening reads the folder listing and one image header only. The images are streamed
/// (<see cref="Stream"/>): a data set holds the file list and decodes a batch's images when the batch is prepared, so a
/// folder larger than memory trains. Every image must have the model's height and width once resized and cropped
/// (<see cref="ImagePreprocessing"/>).
/// </summary>
public sealed class ImageFolderSampleReader : ISampleReader, IStreamingSampleReader
{
    private readonly ImageFolderLayout layout;
    private readonly ImagePreprocessing applied;
    private readonly ImageFileSamples images;
    private readonly SampleArray<long> labels;

    private ImageFolderSampleReader(ImageFolderLayout layout, ImageGeometry geometry, ImagePreprocessing applied)
    {
        this.layout = layout;
        this.applied = applied;
        images = new ImageFileSamples(layout.Images.Select(image => image.File).ToList(), geometry, applied);
        labels = new SampleArray<long>(DataType.Int64, [layout.Images.Count], layout.Images.Select(image => (long)image.Class).ToArray());
        long n = layout.Images.Count;
        Inputs = new ArrayLayout("x", DataType.Uint8, geometry.Shape(n), 1);
        Targets = new ArrayLayout("y", DataType.Int64, [n], 8);
        Notices = [$"{layout.Folder}: {n} images in {layout.ClassNames.Count} classes " +
            $"({NameList.Abbreviate(layout.ClassNames)}), read as {geometry}{Geometry(applied)} and scaled to [0, 1] (v / 255)"];
    }

    public static bool Recognizes(string source) => ImageFolderLayout.Recognizes(source);

    /// <param name="modelInputShape">The model's input [N, C, H, W] or [N, H, W, C] (unknown axes null); see
    /// <see cref="ImageGeometry.For"/>.</param>
    public static ImageFolderSampleReader Open(string source, DataSplit split, IReadOnlyList<long?> modelInputShape,
        ImagePreprocessing? preprocessing = null)
    {
        var layout = ImageFolderLayout.Find(source, split);
        if (layout.Images.Count == 0)
            throw new DataFormatException(layout.Folder, null, "no images in any class folder");
        preprocessing ??= new ImagePreprocessing();
        var geometry = ImageGeometry.For(modelInputShape, preprocessing, layout.Images[0].File, layout.Folder);
        return new ImageFolderSampleReader(layout, geometry, preprocessing with { Layout = geometry.Layout, Channels = geometry.Channels });
    }

    public string Origin => layout.Folder;
    public string? TargetsFile => null;
    public ArrayLayout Inputs { get; }
    public ArrayLayout Targets { get; }
    public IReadOnlyList<string> Notices { get; }
    public IReadOnlyList<string> ClassNames => layout.ClassNames;
    public ImagePreprocessing? Applied => applied;

    public SampleBlock Read(long start, long count)
    {
        var range = Enumerable.Range(0, checked((int)count)).Select(i => start + i).ToList();
        return new SampleBlock(images.Decode(range), labels.Rows(range));
    }

    /// <summary>The images stay in their files, decoded batch by batch; the labels are held (8 bytes each).</summary>
    public StreamedSamples Stream() => new(images, labels);

    public void Dispose() { }

    private static string Geometry(ImagePreprocessing spec) =>
        spec.ChangesGeometry
            ? " after " + string.Join(" and ", new[]
            {
                spec.Resize is { } r ? $"{Setting.Resize} {string.Join(",", r)}" : null,
                spec.CenterCrop is { } c ? $"{Setting.CenterCrop} {string.Join(",", c)}" : null,
            }.OfType<string>())
            : "";
}
