using Xunit;
using ZilOnnx.Build;

namespace ZilOnnx.Tests.Build;

/// <summary>
/// The libLibTorchSharp fix (build/LibTorchSharpFix/ElfVersionNeedPatcher.cs, linked into this project) on a
/// copy of the unpatched library from the NuGet cache.
/// </summary>
public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private readonly string _folder = Directory.CreateTempSubdirectory("zilonnx-elf-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MarksOnlyTheMissingVersionWeakAndChangesNothingElse()
    {
        string library = CopyOfUnpatchedLibrary();
        byte[] before = File.ReadAllBytes(library);
        VersionNeed need = Assert.Single(ElfVersionNeedPatcher.ReadVersionNeeds(before), n => n.Version == MissingVersion);
        Assert.Equal("libstdc++.so.6", need.Library);
        Assert.Equal(0, need.Flags & ElfVersionNeedPatcher.VerFlagWeak);

        Assert.Equal(WeakMarkResult.Marked, ElfVersionNeedPatcher.MarkWeakInFile(library, MissingVersion));

        byte[] after = File.ReadAllBytes(library);
        Assert.Equal(before.Length, after.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.All(changed, i => Assert.InRange(i, need.FlagsOffset, need.FlagsOffset + 1));
        var needsAfter = ElfVersionNeedPatcher.ReadVersionNeeds(after);
        Assert.NotEqual(0, needsAfter.Single(n => n.Version == MissingVersion).Flags & ElfVersionNeedPatcher.VerFlagWeak);
        Assert.All(needsAfter.Where(n => n.Version != MissingVersion), n => Assert.Equal(0, n.Flags & ElfVersionNeedPatcher.VerFlagWeak));
    }

    [Fact]
    public void PatchingTwiceChangesNothing()
    {
        string library = CopyOfUnpatchedLibrary();
        ElfVersionNeedPatcher.MarkWeakInFile(library, MissingVersion);
        byte[] once = File.ReadAllBytes(library);

        Assert.Equal(WeakMarkResult.AlreadyWeak, ElfVersionNeedPatcher.MarkWeakInFile(library, MissingVersion));
        Assert.Equal(once, File.ReadAllBytes(library));
    }

    [Fact]
    public void KeepsTheTimestampSoIncrementalCopiesStaySkipped()
    {
        string library = CopyOfUnpatchedLibrary();
        DateTime before = File.GetLastWriteTimeUtc(library);

        ElfVersionNeedPatcher.MarkWeakInFile(library, MissingVersion);

        Assert.Equal(before, File.GetLastWriteTimeUtc(library));
    }

    [Fact]
    public void AVersionTheLibraryDoesNotNeedIsLeftAlone()
    {
        string library = CopyOfUnpatchedLibrary();
        byte[] before = File.ReadAllBytes(library);

        Assert.Equal(WeakMarkResult.NotNeeded, ElfVersionNeedPatcher.MarkWeakInFile(library, "GLIBCXX_9.9.9"));
        Assert.Equal(before, File.ReadAllBytes(library));
    }

    [Fact]
    public void ReadsTheVersionsTheSystemLibstdcxxDefines()
    {
        string? libstdcxx = SystemLibstdcxx.FindPath();
        Assert.NotNull(libstdcxx);
        byte[] bytes = File.ReadAllBytes(libstdcxx);

        // Every libstdc++.so.6 defines the base version GLIBCXX_3.4; none defines a made-up one.
        Assert.Contains("GLIBCXX_3.4", ElfVersionNeedPatcher.ReadVersionDefinitions(bytes));
        Assert.True(ElfVersionNeedPatcher.DefinesVersion(bytes, "GLIBCXX_3.4"));
        Assert.False(ElfVersionNeedPatcher.DefinesVersion(bytes, "GLIBCXX_9.9.9"));
    }

    [Fact]
    public void RejectsAFileThatIsNotElf()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(new byte[100]));
    }

    /// <summary>
    /// A fresh copy of libLibTorchSharp.so as the TorchSharp package ships it. The package version is that of
    /// the TorchSharp assembly this project references (0.107.0.0 for package 0.107.0).
    /// </summary>
    private string CopyOfUnpatchedLibrary()
    {
        Version version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string source = Path.Combine(packages, "torchsharp", version.ToString(3), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(source), $"the unpatched library is expected in the NuGet cache at {source}");

        string copy = Path.Combine(_folder, "libLibTorchSharp.so");
        File.Copy(source, copy);
        return copy;
    }
}
