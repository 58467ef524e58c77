namespace ZilOnnx.Trainer.Data;

/// <summary>A list of names for a message: the first few in full and how many more, so that 1,000 classes stay one line.</summary>
public static class NameList
{
    public static string Abbreviate(IReadOnlyList<string> names, int shown = 10) =>
        names.Count <= shown ? string.Join(", ", names) : string.Join(", ", names.Take(shown)) + $", ... ({names.Count - shown} more)";
}
