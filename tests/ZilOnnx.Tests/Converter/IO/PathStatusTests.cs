using ZilOnnx.Converter.IO;
using ZilOnnx.Tests.Robustness;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.IO;

/// <summary>
/// What the kernel says a path is. .NET's own answer is "Normal" for a pipe, a device and a file alike, which is how
/// `-o /dev/null` came to replace /dev/null; these tests hold the statx reading to what `mkfifo`, `ln` and `ln -s` made.
/// </summary>
public sealed class PathStatusTests
{
    [Fact]
    public void Tells_files_folders_pipes_and_links_apart_where_dotnet_sees_them_alike()
    {
        using var temp = new TempDirectory();
        string file = temp.File("file"), pipe = HostileModels.NamedPipe(temp.File("pipe")), link = temp.File("link");
        File.WriteAllText(file, "data");
        File.CreateSymbolicLink(link, file);
        // The premise: .NET reports the pipe like the file.
        Assert.Equal(File.GetAttributes(file), File.GetAttributes(pipe));

        Assert.Equal(PathKind.RegularFile, PathStatus.Of(file, followLinks: false).Kind);
        Assert.Equal(PathKind.NamedPipe, PathStatus.Of(pipe, followLinks: false).Kind);
        Assert.Equal(PathKind.Directory, PathStatus.Of(temp.Path, followLinks: false).Kind);
        Assert.Equal(PathKind.SymbolicLink, PathStatus.Of(link, followLinks: false).Kind);
        Assert.Equal(PathKind.RegularFile, PathStatus.Of(link, followLinks: true).Kind);
        Assert.Equal(PathKind.Missing, PathStatus.Of(temp.File("missing"), followLinks: false).Kind);
        // A path through a file reaches nothing.
        Assert.Equal(PathKind.Missing, PathStatus.Of(Path.Combine(file, "x"), followLinks: false).Kind);
    }

    [Fact]
    public void Dev_null_is_a_character_device()
    {
        // Only read: statx does not open the file.
        Assert.Equal(PathKind.CharacterDevice, PathStatus.Of("/dev/null", followLinks: false).Kind);
    }

    [Fact]
    public void A_hard_link_and_a_symbolic_link_are_the_same_file_and_a_copy_is_not()
    {
        using var temp = new TempDirectory();
        string file = temp.File("file"), hard = temp.File("hard"), soft = temp.File("soft"), copy = temp.File("copy");
        File.WriteAllText(file, "data");
        HardLink.Make(file, hard);
        File.CreateSymbolicLink(soft, file);
        File.Copy(file, copy);

        var original = PathStatus.Of(file, followLinks: true);
        Assert.Equal(2u, original.LinkCount);
        Assert.True(original.IsSameFileAs(PathStatus.Of(hard, followLinks: true)));
        Assert.True(original.IsSameFileAs(PathStatus.Of(soft, followLinks: true)));
        Assert.False(original.IsSameFileAs(PathStatus.Of(soft, followLinks: false)));
        Assert.False(original.IsSameFileAs(PathStatus.Of(copy, followLinks: true)));
        Assert.False(PathStatus.Of(temp.File("a"), true).IsSameFileAs(PathStatus.Of(temp.File("b"), true)));
    }

    [Fact]
    public void Real_path_resolves_dot_dot_after_the_link_as_the_kernel_does()
    {
        using var temp = new TempDirectory();
        string deep = Path.Combine(temp.Path, "a", "b");
        Directory.CreateDirectory(deep);
        Directory.CreateDirectory(temp.File("c"));
        File.CreateSymbolicLink(Path.Combine(temp.Path, "c", "link"), deep);
        string real = PathStatus.RealPath(temp.Path)!;

        // c/link/.. is a (the folder holding the link's target), not c, which Path.GetFullPath would say.
        Assert.Equal(Path.Combine(real, "a"), PathStatus.RealPath(Path.Combine(temp.Path, "c", "link", "..")));
        Assert.Equal(Path.Combine(temp.Path, "c"), Path.GetFullPath(Path.Combine(temp.Path, "c", "link", "..")));
        Assert.Null(PathStatus.RealPath(temp.File("missing")));
    }
}
