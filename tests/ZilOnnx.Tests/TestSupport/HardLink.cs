namespace ZilOnnx.Tests.TestSupport;

/// <summary>Hard links for the tests of file identity; .NET has no API that makes one, so `ln` does.</summary>
public static class HardLink
{
    public static void Make(string existing, string name)
    {
        using var ln = System.Diagnostics.Process.Start("ln", [existing, name]);
        ln.WaitForExit();
        if (ln.ExitCode != 0) throw new InvalidOperationException($"ln {existing} {name} failed");
    }
}
