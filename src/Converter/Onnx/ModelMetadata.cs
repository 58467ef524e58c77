using System.Text.Encodings.Web;
using System.Text.Json;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Onnx;

/// <summary>
/// The model's <c>metadata_props</c> that zilonnx reads and writes: <c>zilonnx.classes</c>, a JSON list of class
/// names in index order, which an export takes from the data it was trained on so that the model can name its
/// predictions wherever it goes, and <c>zilonnx.preprocess</c>, the preprocessing it was trained with (JSON of
/// ImagePreprocessing), both written through <see cref="Set"/>. Every other entry is the model's own and is kept as it is.
/// </summary>
public static class ModelMetadata
{
    /// <summary>Keys zilonnx writes start with this; the rest belong to whoever wrote the model.</summary>
    public const string Prefix = "zilonnx.";
    public const string ClassesKey = Prefix + "classes";
    public const string PreprocessKey = Prefix + "preprocess";

    // Names are written as typed ("T-shirt/top", "café"), not \u-escaped: the JSON is read by people in model viewers too.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The class names the model carries, or null when it carries none.</summary>
    /// <exception cref="OnnxModelException">The entry is not a JSON list of strings.</exception>
    public static IReadOnlyList<string>? Classes(ModelProto model, string modelPath)
    {
        if (Get(model, ClassesKey) is not { } value) return null;
        try
        {
            var names = JsonSerializer.Deserialize<string[]>(value);
            if (names == null || names.Any(n => n == null)) throw new JsonException("not a list of strings");
            return names;
        }
        catch (JsonException e)
        {
            throw new OnnxModelException(modelPath, $"metadata {ClassesKey} is not a JSON list of strings ({e.Message})");
        }
    }

    /// <summary>Replaces the model's class names (every older entry of the key) with <paramref name="names"/>, in place.</summary>
    public static void SetClasses(ModelProto model, IReadOnlyList<string> names) => Set(model, ClassesKey, JsonSerializer.Serialize(names,
        Readable));

    /// <summary>The value of <paramref name="key"/>, or null; the last entry wins, as for a JSON object with a repeated key.</summary>
    public static string? Get(ModelProto model, string key) => model.MetadataProps.LastOrDefault(p => p.Key == key)?.Value;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> in place: every older entry of the key removed, the others
    /// kept.</summary>
    public static void Set(ModelProto model, string key, string value)
    {
        Remove(model, key);
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>Removes every entry of <paramref name="key"/>, in place.</summary>
    public static void Remove(ModelProto model, string key)
    {
        for (int i = model.MetadataProps.Count - 1; i >= 0; i--)
            if (model.MetadataProps[i].Key == key) model.MetadataProps.RemoveAt(i);
    }
}
