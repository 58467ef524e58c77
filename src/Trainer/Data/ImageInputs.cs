using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Image files as a model's input, the one place where a file becomes the tensor the model is fed: each decoded
/// (<see cref="ImageDecoding"/>) with the input's channels and size, scaled to [0, 1] (v / 255, as an image folder's
/// pixels are), into [N, C, H, W]. What the model's metadata asks of its inputs (resizing, cropping, normalizing)
/// belongs here too.
/// </summary>
public static class ImageInputs
{
    /// <summary>The images in <paramref name="files"/>' order, for the model's data input <paramref name="inputName"/>.</summary>
    /// <param name="budget">Checked with the images' size, as held (float64), before any is decoded.</param>
    public static HostTensor Load(IReadOnlyList<string> files, ModelProto model, string inputName, DataBudget budget)
    {
        var geometry = ImageGeometry.For(ModelInputs.DeclaredShape(model, inputName), files[0], files[0]);
        long[] shape = [files.Count, geometry.Channels, geometry.Height, geometry.Width];
        var layout = new ArrayLayout(inputName, TensorProto.Types.DataType.Uint8, shape, 1);
        budget.Reserve(files[0], inputName, layout, heldBytes: layout.Elements * (1 + sizeof(double)));

        var pixels = new byte[checked(files.Count * geometry.SampleSize)];
        ImageDecoding.DecodeAll(files, geometry, pixels);
        var values = new double[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) values[i] = pixels[i] / 255.0;
        // A float64 input takes the quotients as they are; every other floating-point input (float32, float16) as float32.
        var type = ModelInputs.ElementType(model, inputName) == TensorProto.Types.DataType.Double ? TensorProto.Types.DataType.Double : TensorProto.Types.DataType.Float;
        return new HostTensor(type, shape, values);
    }
}
