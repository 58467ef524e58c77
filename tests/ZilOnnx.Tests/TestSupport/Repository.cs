namespace ZilOnnx.Tests.TestSupport;

/// <summary>The repository the tests were built from (the folder above the test output that holds ZilOnnx.sln).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ZilOnnx.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (with ZilOnnx.sln) is not above the test output");
    }
}
