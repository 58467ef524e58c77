using System.Text.Json;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Trainer.Data.Preprocessing;

namespace ZilOnnx.Cli.Models;

/// <summary>
/// The preprocessing a model was trained with, kept in its ONNX metadata_props under <see cref="ImagePreprocessing.MetadataKey"/>
/// (JSON), so that `eval` and `run` prepare images as training did without being told, and `inspect` shows it.
/// </summary>
public static class PreprocessingMetadata
{
    /// <summary>Whether the data's preprocessing says anything a consumer needs: images read from files, a resize, crop or
    /// normalization.</summary>
    public static bool IsWorthStoring(ImagePreprocessing? spec) => spec is { } s && (s.Channels != null || s.ChangesGeometry
        || s.Normalizes);

    /// <summary>Stores <paramref name="spec"/> in <paramref name="model"/>, replacing an older entry and keeping every other one.</summary>
    public static void Write(ModelProto model, ImagePreprocessing spec) => ModelMetadata.Set(model, ImagePreprocessing.MetadataKey,
        spec.ToJson());

    /// <summary>The stored preprocessing, or null where the model has none; an entry that does not parse is a bad model file.</summary>
    public static ImagePreprocessing? Read(ModelProto model, string modelPath)
    {
        if (ModelMetadata.Get(model, ImagePreprocessing.MetadataKey) is not { } value) return null;
        try { return ImagePreprocessing.FromJson(value); }
        catch (JsonException e)
        {
            throw new OnnxModelException(modelPath, $"metadata {ImagePreprocessing.MetadataKey} is not a preprocessing spec ({e.Message})");
        }
    }

    /// <summary>
    /// What a command that serves the model applies: for image data, explicit options over the stored spec (said in a
    /// note), or the stored spec alone when no option is given; for arrays, only the options given.
    /// </summary>
    public static ImagePreprocessing? Effective(ImagePreprocessing? stored, ImagePreprocessing? given, bool imageData, string modelPath,
        TextWriter notes)
    {
        if (stored == null || !imageData) return given;
        notes.WriteLine(given == null
            ? $"note: applying the preprocessing stored in {modelPath} ({ImagePreprocessing.MetadataKey}): {stored.ToJson()}"
            : $"note: the preprocessing options given override those stored in {modelPath} ({ImagePreprocessing.MetadataKey})");
        return given == null ? stored : stored.OverriddenBy(given);
    }
}
