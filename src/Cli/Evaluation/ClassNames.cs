using System.Text.Json;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>
/// The names `eval` prints for the classes: the data's own (an image folder's subfolders), else the model's
/// <c>zilonnx.classes</c> metadata (a JSON list written at export), else the labels "0".."C-1".
/// </summary>
public static class ClassNames
{
    public const string MetadataKey = "zilonnx.classes";

    public static IReadOnlyList<string> Resolve(DataSet data, ModelProto model, string modelPath, int classes)
    {
        if (data.ClassNames is { } fromData)
        {
            // The data's names win: they are the ones its labels were numbered by. Data may hold fewer classes than
            // the model predicts (a subset of them); the model's further classes keep their numbers.
            if (fromData.Count > classes)
                throw new DataFormatException(data.Source, null, $"the data names {fromData.Count} classes but the model's output has {classes}");
            return [.. fromData, .. Enumerable.Range(fromData.Count, classes - fromData.Count).Select(c => c.ToString())];
        }
        if (FromMetadata(model, modelPath) is { } fromModel)
        {
            if (fromModel.Count != classes)
                throw new OnnxModelException(modelPath, $"metadata {MetadataKey} names {fromModel.Count} classes but the first output has {classes}");
            return fromModel;
        }
        return [.. Enumerable.Range(0, classes).Select(c => c.ToString())];
    }

    private static IReadOnlyList<string>? FromMetadata(ModelProto model, string modelPath)
    {
        var entry = model.MetadataProps.LastOrDefault(p => p.Key == MetadataKey);
        if (entry == null) return null;
        try
        {
            var names = JsonSerializer.Deserialize<string[]>(entry.Value);
            if (names == null || names.Any(n => n == null)) throw new JsonException("not a list of strings");
            return names;
        }
        catch (JsonException e)
        {
            throw new OnnxModelException(modelPath, $"metadata {MetadataKey} is not a JSON list of strings ({e.Message})");
        }
    }
}
