namespace ZilOnnx.Trainer.Studies;

/// <summary>
/// Names that graph tensors take inside an .npz archive: a member name may not hold '/', '\' or NUL (unzip would make
/// folders of them), which exporters' tensor names often do ("/conv1/Conv_output_0"). Each such character becomes '_';
/// a name that then collides with one taken before gets "~2", "~3", ... The archive's index maps every key back to its name.
/// </summary>
internal sealed class ArrayKeys
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public string For(string name)
    {
        string key = string.Concat(name.Select(c => c is '/' or '\\' or '\0' ? '_' : c));
        if (key.Length == 0) key = "_";
        string unique = key;
        for (int n = 2; !_taken.Add(unique); n++) unique = $"{key}~{n}";
        return unique;
    }
}
