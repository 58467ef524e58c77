using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data.Preprocessing;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Image files as a model's input (`run`), prepared as an image folder's are for eval: read in the model's geometry
/// (<see cref="ImageGeometry"/>), each decoded, resized and cropped by <see cref="ImageFileSamples"/>, scaled to [0, 1]
/// (v / 255) and normalized (<see cref="ChannelNormalization"/>) in float64, into [N, C, H, W] (or [N, H, W, C]).
/// </summary>
public static class ImageInputs
{
    /// <summary>The images in <paramref name="files"/>' order, for the model's data input <paramref name="inputName"/>.</summary>
    /// <param name="preprocessing">Resize, crop, normalization and layout (the options, or what the model stores); null: none.</param>
    /// <param name="budget">Checked with the images' size, as held (float64), before any is decoded.</param>
    public static HostTensor Load(IReadOnlyList<string> files, ModelProto model, string inputName, ImagePreprocessing? preprocessing,
        DataBudget budget)
    {
        var spec = preprocessing ?? new ImagePreprocessing();
        var geometry = ImageGeometry.For(ModelInputs.DeclaredShape(model, inputName), spec, files[0], files[0]);
        var samples = new ImageFileSamples(files, geometry, spec);
        var layout = new ArrayLayout(inputName, TensorProto.Types.DataType.Uint8, samples.Shape, 1);
        budget.Reserve(files[0], inputName, layout, heldBytes: layout.Elements * (1 + sizeof(double)));

        // Gathered in float64 and normalized there, as eval prepares an image folder's batches for ONNX Runtime.
        var values = (double[])samples.Gather([.. Enumerable.Range(0, files.Count).Select(i => (long)i)], ScalarType.Float64);
        ChannelNormalization.For(spec, samples.Shape[1..], InputLayout.ChannelAxis(geometry.Layout, samples.Rank), files[0])?.Apply(values,
            samples.Shape);
        // A float64 input takes the values as they are; every other floating-point input (float32, float16) as float32.
        var type = ModelInputs.ElementType(model, inputName) == TensorProto.Types.DataType.Double ? TensorProto.Types.DataType.Double
            : TensorProto.Types.DataType.Float;
        return new HostTensor(type, samples.Shape, values);
    }
}
