using System.Text.Json;
using System.Text.Json.Nodes;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.Models;

/// <summary>
/// A model's <c>metadata_props</c> as `inspect` shows them: <c>zilonnx.classes</c> as the class list, the other
/// <c>zilonnx.*</c> entries as the JSON they hold, every other entry as its text. A key given twice shows its last value,
/// as readers of the model take it.
/// </summary>
public static class MetadataDescription
{
    /// <summary>The entries as JSON values (classes a list of strings, zilonnx.* JSON where it parses, else the text).</summary>
    public static JsonObject Json(ModelProto model, string modelPath)
    {
        var result = new JsonObject();
        foreach (var (key, value) in LastValues(model))
        {
            result[key] = key == ModelMetadata.ClassesKey && Classes(model, modelPath) is { } classes
                ? new JsonArray([.. classes.Select(c => (JsonNode?)JsonValue.Create(c))])
                : key.StartsWith(ModelMetadata.Prefix) && Parse(value) is { } parsed ? parsed : JsonValue.Create(value);
        }
        return result;
    }

    /// <summary>Lines for the terminal: the classes counted and abbreviated, zilonnx.* JSON on one line, others key=value.</summary>
    public static IEnumerable<string> Lines(ModelProto model, string modelPath)
    {
        foreach (var (key, value) in LastValues(model))
        {
            if (key == ModelMetadata.ClassesKey && Classes(model, modelPath) is { } classes)
                yield return $"{key}: {classes.Count} classes: {NameList.Abbreviate(classes, shown: 20)}";
            else if (key.StartsWith(ModelMetadata.Prefix) && Parse(value) is { } parsed)
                yield return $"{key}: {parsed.ToJsonString()}";
            else if (key == ModelMetadata.ClassesKey)
                yield return $"{key}={value} (not a JSON list of strings)";
            else
                yield return $"{key}={value}";
        }
    }

    private static IEnumerable<(string Key, string Value)> LastValues(ModelProto model) =>
        model.MetadataProps.GroupBy(p => p.Key).Select(g => (g.Key, g.Last().Value));

    private static IReadOnlyList<string>? Classes(ModelProto model, string modelPath)
    {
        try { return ModelMetadata.Classes(model, modelPath); }
        catch (OnnxModelException) { return null; }  // shown as the text it is: inspect describes, eval and run refuse
    }

    private static JsonNode? Parse(string value)
    {
        try { return JsonNode.Parse(value); }
        catch (JsonException) { return null; }
    }
}
