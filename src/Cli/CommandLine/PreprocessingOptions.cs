using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ZilOnnx.Trainer.Data.Preprocessing;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The image preprocessing options (docs/cli.md, "Preprocessing"), defined once for finetune, verify, eval, run and
/// bench: --resize, --center-crop, --mean, --std, --layout, and for training commands --augment. Each value is checked
/// while parsing, so a bad one is a usage error before any file is read.
/// </summary>
public sealed class PreprocessingOptions
{
    /// <param name="training">Whether the command trains (finetune, bench): only then is --augment offered.</param>
    public PreprocessingOptions(bool training)
    {
        Augment = training
            ? new Option<string?>("--augment")
            {
                Description = $"Training-time augmentation: {ImageAugmentation.Syntax} (random " +
            $"horizontal flip with p=0.5; random crop after P pixels of zero padding), drawn from --seed; never applied to held-out data"
            }
            : null;
        Resize.Validators.Add(result => Check(result, () => Sizes(result, "--resize")));
        CenterCrop.Validators.Add(result => Check(result, () => Sizes(result, "--center-crop")));
        Mean.Validators.Add(result => Check(result, () => Numbers(result, "--mean", NumberRange.Finite)));
        Std.Validators.Add(result => Check(result, () => Numbers(result, "--std", NumberRange.Positive)));
        Augment?.Validators.Add(result => Check(result, () => ImageAugmentation.Parse(result.GetValueOrDefault<string?>() ?? "")));
        Layout.AcceptOnlyFromAmong(InputLayout.Nchw, InputLayout.Nhwc);
    }

    public Option<string?> Resize { get; } = new("--resize")
    {
        Description = "Resize images (PIL bilinear, antialiased, as " +
        "torchvision's Resize): H,W, or S for the shorter side (the longer in proportion)"
    };
    public Option<string?> CenterCrop { get; } = new("--center-crop")
    {
        Description = "Crop the centre of each image (after --resize) " +
        "to H,W, or S,S; zero-padded where the image is smaller (torchvision's CenterCrop)"
    };
    public Option<string?> Mean { get; } = new("--mean")
    {
        Description = "Subtract from the [0, 1]-scaled inputs: one value, or one per channel (A,B,C), as torchvision's Normalize"
    };
    public Option<string?> Std { get; } = new("--std")
    {
        Description = "Divide the inputs by (after --mean): one positive value, or one per channel"
    };
    public Option<string?> Layout { get; } = new("--layout")
    {
        Description = "nchw or nhwc: where the data's channels are (default: " +
        "what the model's input declares); arrays of the other layout than the model's are transposed"
    };
    public Option<string?>? Augment { get; }

    public void AddTo(Command command)
    {
        foreach (var option in new Option?[] { Resize, CenterCrop, Mean, Std, Layout, Augment })
            if (option != null) command.Options.Add(option);
    }

    /// <summary>The preprocessing the command line gives, or null where it gives none of the options.</summary>
    public ImagePreprocessing? Resolve(ParseResult parse)
    {
        var spec = new ImagePreprocessing
        {
            Resize = parse.GetValue(Resize) is { } r ? ParseSizes(r, "--resize") : null,
            CenterCrop = parse.GetValue(CenterCrop) is { } c ? Square(ParseSizes(c, "--center-crop")) : null,
            Mean = parse.GetValue(Mean) is { } m ? ParseNumbers(m, "--mean", NumberRange.Finite) : null,
            Std = parse.GetValue(Std) is { } s ? ParseNumbers(s, "--std", NumberRange.Positive) : null,
            Layout = parse.GetValue(Layout),
        };
        return spec.IsEmpty ? null : spec;
    }

    /// <summary>--augment as given, or null (none, or a command that does not train).</summary>
    public ImageAugmentation? ResolveAugmentation(ParseResult parse) =>
        Augment != null && parse.GetValue(Augment) is { } text ? ImageAugmentation.Parse(text) : null;

    private static void Check(OptionResult result, Action parse)
    {
        if (result.Tokens.Count == 0) return;
        try { parse(); }
        catch (ArgumentException e) { result.AddError(SettingFlags.MessageOf(e)); }
    }

    private static void Sizes(OptionResult result, string name) => ParseSizes(result.Tokens[^1].Value, name);

    private static void Numbers(OptionResult result, string name, NumberRange range) => ParseNumbers(result.Tokens[^1].Value, name, range);

    /// <summary>"H,W" or "S": positive whole numbers of pixels.</summary>
    public static int[] ParseSizes(string text, string name)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (1 or 2)) throw new ArgumentException($"{name} expects H,W or S, got '{text}'");
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1 || sizes[i] > 65536)
                throw new ArgumentException($"{name} sizes must be whole numbers of pixels from 1 to 65536, got '{text}'");
        return sizes;
    }

    /// <summary>"A" or "A,B,C": one value for every channel, or one per channel.</summary>
    public static double[] ParseNumbers(string text, string name, NumberRange range)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (1 or 3)) throw new ArgumentException($"{name} expects one value or three (A,B,C, one per channel), got " +
            $"'{text}'");
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !range.Contains(values[i]))
                throw new ArgumentException($"{name} values must each be {range.Words}, got '{text}'");
        return values;
    }

    private static int[] Square(int[] sizes) => sizes.Length == 1 ? [sizes[0], sizes[0]] : sizes;
}
