using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>
/// The names `eval` and `run` print for the classes: the data's own (an image folder's subfolders), else the model's
/// <c>zilonnx.classes</c> metadata (a JSON list written at export), else the labels "0".."C-1".
/// </summary>
public static class ClassNames
{
    public const string MetadataKey = ModelMetadata.ClassesKey;

    public static IReadOnlyList<string> Resolve(DataSet data, ModelProto model, string modelPath, int classes)
    {
        if (data.ClassNames is { } fromData)
        {
            // The data's names win: they are the ones its labels were numbered by. Data may hold fewer classes than
            // the model predicts (a subset of them); the model's further classes keep their numbers.
            if (fromData.Count > classes)
                throw new DataFormatException(data.Source, null,
                    $"the data names {fromData.Count} classes but the model's output has {classes}");
            return WithNumbers(fromData, classes);
        }
        return FromModel(model, modelPath, classes);
    }

    /// <summary>The model's <c>zilonnx.classes</c>, which must name each of its <paramref name="classes"/>, else the labels.</summary>
    public static IReadOnlyList<string> FromModel(ModelProto model, string modelPath, int classes)
    {
        if (ModelMetadata.Classes(model, modelPath) is { } fromModel)
        {
            if (fromModel.Count != classes)
                throw new OnnxModelException(modelPath,
                    $"metadata {MetadataKey} names {fromModel.Count} classes but the first output has {classes}");
            return fromModel;
        }
        return WithNumbers([], classes);
    }

    /// <summary><paramref name="names"/>, then the numbers of the further classes up to <paramref name="classes"/>.</summary>
    public static IReadOnlyList<string> WithNumbers(IReadOnlyList<string> names, long classes) =>
        [.. names, .. Enumerable.Range(names.Count, (int)Math.Max(0, classes - names.Count)).Select(c => c.ToString())];
}
