namespace ZilOnnx.Cli.Inference;

/// <summary>
/// A notice about the machine (CUDA not usable under <c>--provider auto</c>) that is worth reading once, not on
/// every run: the last one shown is kept in <c>$XDG_CACHE_HOME/zilonnx/</c> (else <c>~/.cache/zilonnx/</c>) and
/// shown again only when its text changes, i.e. when the machine's state does. Where the folder cannot be written
/// the notice is shown every time: a notice lost is worse than one repeated.
/// </summary>
public static class OnceNotice
{
    /// <summary>Whether <paramref name="text"/> should be shown now; remembers that it was.</summary>
    public static bool ShouldShow(string name, string text)
    {
        string? file = StateFile(name);
        if (file == null) return true;
        try
        {
            if (File.Exists(file) && File.ReadAllText(file) == text) return false;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return true;
    }

    /// <summary>The state the notice described has gone (CUDA works now): a later return of it is shown again.</summary>
    public static void Forget(string name)
    {
        string? file = StateFile(name);
        if (file == null) return;
        try { File.Delete(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static string? StateFile(string name)
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home)) return null;
            cache = Path.Combine(home, ".cache");
        }
        return Path.Combine(cache, "zilonnx", name + ".notice");
    }
}
