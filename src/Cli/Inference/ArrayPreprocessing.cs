using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Data.Preprocessing;

namespace ZilOnnx.Cli.Inference;

/// <summary>
/// The preprocessing options applied to the arrays `run` reads from an .npz: --mean/--std on the model's single data
/// input, whose channel axis the model's declared layout says. Arrays are no image files, so a resize or crop is refused.
/// </summary>
public static class ArrayPreprocessing
{
    /// <summary>Replaces the data input's array in <paramref name="arrays"/> by its normalized copy.</summary>
    public static void Apply(ImagePreprocessing spec, OrderedDictionary<string, HostTensor> arrays, ModelProto model, string file)
    {
        if (spec.ChangesGeometry)
            throw new DataFormatException(file, null,
                "--resize and --center-crop apply to image files, and an .npz holds arrays; resize the arrays before saving them, or " +
                "leave the options out");
        var inputs = ModelInputs.DataInputNames(model);
        if (!spec.Normalizes || inputs.Count != 1) return;
        string name = arrays.ContainsKey(inputs[0]) ? inputs[0] : "x";
        if (!arrays.TryGetValue(name, out var x)) return;
        string layout = spec.Layout ?? InputLayout.Of(ModelInputs.DeclaredShape(model, inputs[0])) ?? InputLayout.Nchw;
        int axis = InputLayout.ChannelAxis(layout, x.Rank);
        var normalization = ChannelNormalization.For(spec, x.Shape[1..], axis, file)!;
        var values = (double[])x.Values.Clone();
        normalization.Apply(values, x.Shape);
        arrays[name] = new HostTensor(x.ElementType, x.Shape, values);
    }
}
