using System.Text.Json;
using System.Text.Json.Serialization;
using ZilOnnx.Converter.Onnx;

namespace ZilOnnx.Trainer.Data.Preprocessing;

/// <summary>
/// How samples are prepared for a model, with torchvision 0.14's semantics on PIL images (docs/cli.md,
/// "Preprocessing"): decode -> channels -> <see cref="Resize"/> -> <see cref="CenterCrop"/> -> [augment] ->
/// <see cref="ScaleToUnit"/> (v / 255) -> normalize (<see cref="Mean"/>, <see cref="Std"/>) -> <see cref="Layout"/>.
/// An exported model stores it as JSON in its metadata (<see cref="MetadataKey"/>), so that whoever serves the model
/// prepares inputs as training did. Augmentation is no part of it: it belongs to training only.
/// </summary>
public sealed record ImagePreprocessing
{
    public const string MetadataKey = ModelMetadata.PreprocessKey;

    /// <summary>[H, W], or [S]: the shorter side to S, the longer in proportion (torchvision's Resize(int)); null: no resizing.</summary>
    [JsonPropertyName("resize")] public int[]? Resize { get; init; }
    /// <summary>[H, W] of the centre crop (zero-padded where the image is smaller); null: no crop.</summary>
    [JsonPropertyName("center_crop")] public int[]? CenterCrop { get; init; }
    /// <summary>One value, or one per channel, subtracted after scaling; null: none.</summary>
    [JsonPropertyName("mean")] public double[]? Mean { get; init; }
    /// <summary>One value, or one per channel, divided by after the mean is subtracted; null: none.</summary>
    [JsonPropertyName("std")] public double[]? Std { get; init; }
    /// <summary>"nchw" or "nhwc": where the channels are; null: what the model's input declares (<see cref="InputLayout"/>).</summary>
    [JsonPropertyName("layout")] public string? Layout { get; init; }
    /// <summary>1 (grayscale, PIL's 'L') or 3 (RGB); null: what the model or the first image says.</summary>
    [JsonPropertyName("channels")] public int? Channels { get; init; }
    /// <summary>uint8 pixels are divided by 255 (torchvision's ToTensor), which the data readers always do.</summary>
    [JsonPropertyName("scale_to_unit")] public bool ScaleToUnit { get; init; } = true;

    [JsonIgnore] public bool ChangesGeometry => Resize != null || CenterCrop != null;
    [JsonIgnore] public bool Normalizes => Mean != null || Std != null;
    [JsonIgnore] public bool IsEmpty => !ChangesGeometry && !Normalizes && Layout == null && Channels == null;

    /// <summary>The settings of <paramref name="overrides"/> where it has them, else these (explicit options over a model's stored
    /// ones).</summary>
    public ImagePreprocessing OverriddenBy(ImagePreprocessing overrides) => new()
    {
        Resize = overrides.Resize ?? Resize,
        CenterCrop = overrides.CenterCrop ?? CenterCrop,
        Mean = overrides.Mean ?? Mean,
        Std = overrides.Std ?? Std,
        Layout = overrides.Layout ?? Layout,
        Channels = overrides.Channels ?? Channels,
        ScaleToUnit = ScaleToUnit && overrides.ScaleToUnit,
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads the JSON <see cref="ToJson"/> writes; a value that is no such spec is a <see cref="JsonException"/> saying what is
    /// wrong.</summary>
    public static ImagePreprocessing FromJson(string json)
    {
        var spec = JsonSerializer.Deserialize<ImagePreprocessing>(json, JsonOptions) ?? throw new JsonException("null is no preprocessing");
        spec.Check();
        return spec;
    }

    /// <summary>Throws a <see cref="JsonException"/> naming the first setting out of range.</summary>
    private void Check()
    {
        if (Resize is { } r && (r.Length is not (1 or 2) || r.Any(v =>
            v < 1))) throw new JsonException("resize must be [S] or [H, W] of positive sizes");
        if (CenterCrop is { } c && (c.Length != 2 || c.Any(v =>
            v < 1))) throw new JsonException("center_crop must be [H, W] of positive sizes");
        if (Mean is { } m && (m.Length is not (1 or 3) || m.Any(v =>
            !double.IsFinite(v)))) throw new JsonException("mean must be 1 or 3 finite numbers");
        if (Std is { } s && (s.Length is not (1 or 3) || s.Any(v => !(v > 0)
            || !double.IsFinite(v)))) throw new JsonException("std must be 1 or 3 positive finite numbers");
        if (Layout is not (null or InputLayout.Nchw or InputLayout.Nhwc)) throw new JsonException($"layout must be {InputLayout.Nchw} " +
            $"or {InputLayout.Nhwc}, got '{Layout}'");
        if (Channels is not (null or 1 or 3)) throw new JsonException($"channels must be 1 or 3, got {Channels}");
    }
}
