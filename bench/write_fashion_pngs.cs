// Writes Fashion-MNIST images as an image folder of grayscale PNGs (one subfolder per class), for measuring the
// streamed image pipeline (bench/README.md): dotnet run bench/write_fashion_pngs.cs -- OUT_FOLDER [COUNT]
// The images are not committed; this script makes them from the IDX files Debian's dataset-fashion-mnist installs.
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
#:package SkiaSharp@3.119.0
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@3.119.0
using System.IO.Compression;
using SkiaSharp;

string output = args.Length > 0 ? args[0] : throw new ArgumentException("usage: write_fashion_pngs.cs OUT_FOLDER [COUNT]");
int count = args.Length > 1 ? int.Parse(args[1]) : 10_000;
string data = Environment.GetEnvironmentVariable("ZILONNX_DATA") ?? "/usr/share/datasets/fashion-mnist";
byte[] images = Inflate(Path.Combine(data, "train-images-idx3-ubyte.gz"));
byte[] labels = Inflate(Path.Combine(data, "train-labels-idx1-ubyte.gz"));
const int Side = 28, ImagesHeader = 16, LabelsHeader = 8;
count = Math.Min(count, (images.Length - ImagesHeader) / (Side * Side));
for (int i = 0; i < count; i++)
{
    string folder = Path.Combine(output, $"class-{labels[LabelsHeader + i]}");
    Directory.CreateDirectory(folder);
    using var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque));
    images.AsSpan(ImagesHeader + i * Side * Side, Side * Side).CopyTo(bitmap.GetPixelSpan());
    using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
    using var file = File.Create(Path.Combine(folder, $"{i:D6}.png"));
    png.SaveTo(file);
}
Console.WriteLine($"{output}: {count} PNGs");

static byte[] Inflate(string path)
{
    using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var memory = new MemoryStream();
    gzip.CopyTo(memory);
    return memory.ToArray();
}
