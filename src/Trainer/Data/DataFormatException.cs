using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A data file (.npy, .npz) that cannot be read or written as asked. The message always starts with the file
/// and, where known, the array, so that a user with several data files knows which one to fix. The problem may name a
/// setting by its marker (<see cref="Setting"/>).
/// </summary>
public sealed class DataFormatException : SettingMessageException
{
    public DataFormatException(string fileName, string? arrayName, string problem, Exception? innerException = null)
        : base(Compose(fileName, arrayName, problem), innerException)
    {
        FileName = fileName;
        ArrayName = arrayName;
        Problem = Setting.Plain(problem);
    }

    /// <summary>The file as the caller named it.</summary>
    public string FileName { get; }

    /// <summary>The array inside the file (an .npz member), or null for a lone .npy file.</summary>
    public string? ArrayName { get; }

    /// <summary>What is wrong, without the file and array prefix.</summary>
    public string Problem { get; }

    private static string Compose(string fileName, string? arrayName, string problem) =>
        arrayName is null ? $"{fileName}: {problem}" : $"{fileName}, array '{arrayName}': {problem}";
}
