using System.Diagnostics;
using Xunit;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Build;

/// <summary>
/// The libtorch switch (`-p:TorchDevice=cpu|cuda`, Directory.Packages.props and Directory.Build.targets): a restore
/// of the Trainer project in a copy of the build files, so that nothing is written into the repository's obj
/// folders. The CUDA libtorch is not served by the build machines' feed, so there the CUDA restore must fail and
/// say why; where it is already in the NuGet cache, the restore must pick it.
/// </summary>
public sealed class TorchDeviceSwitchTests : IDisposable
{
    private const string CpuPackage = "libtorch-cpu-linux-x64";
    private const string CudaPackage = "libtorch-cuda-12.8-linux-x64";
    private const string LibTorchVersion = "2.10.0";

    private readonly TempDirectory _copy = new();

    public TorchDeviceSwitchTests()
    {
        string[] files =
        [
            "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props",
            "build/LibTorchSharpFix/ElfVersionNeedPatcher.cs", "build/LibTorchSharpFix/LibTorchSharpFix.targets",
            "src/Trainer/ZilOnnx.Trainer.csproj", "src/Converter/ZilOnnx.Converter.csproj",
            "global.json", "nuget.config", "NuGet.config", "NuGet.Config",
        ];
        foreach (string file in files.Where(f => File.Exists(Repository.PathOf(f))))
        {
            string target = Path.Combine(_copy.Path, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Repository.PathOf(file), target);
        }
    }

    public void Dispose() => _copy.Dispose();

    [Fact]
    public void By_default_the_cpu_libtorch_is_restored()
    {
        var restore = Restore();
        Assert.True(restore.ExitCode == 0, restore.Output);
        string assets = File.ReadAllText(Path.Combine(_copy.Path, "src/Trainer/obj/project.assets.json"));
        Assert.Contains($"\"{CpuPackage}/{LibTorchVersion}\"", assets);
        Assert.DoesNotContain($"\"{CudaPackage}/", assets);
    }

    [Fact]
    public void The_cuda_switch_asks_for_the_cuda_libtorch_and_says_why_a_restore_without_it_fails()
    {
        var restore = Restore("-p:TorchDevice=cuda");
        if (Directory.Exists(Path.Combine(PackagesFolder(), CudaPackage, LibTorchVersion)))
        {
            // A machine that has the CUDA package: the switch swaps the package.
            Assert.True(restore.ExitCode == 0, restore.Output);
            string assets = File.ReadAllText(Path.Combine(_copy.Path, "src/Trainer/obj/project.assets.json"));
            Assert.Contains($"\"{CudaPackage}/{LibTorchVersion}\"", assets);
            Assert.DoesNotContain($"\"{CpuPackage}/", assets);
            return;
        }
        Assert.True(restore.ExitCode != 0, restore.Output);
        Assert.Contains($"TorchDevice=cuda: ZilOnnx.Trainer needs the CUDA libtorch package {CudaPackage} {LibTorchVersion}", restore.Output);
        // NuGet's own error follows: NU1101 with a feed that lacks the package, NU1301 with no feed at all.
        Assert.Matches("error NU1(101|102|301)", restore.Output);
    }

    [Fact]
    public void An_unknown_device_is_a_clear_error()
    {
        var restore = Restore("-p:TorchDevice=foo");
        Assert.True(restore.ExitCode != 0, restore.Output);
        Assert.Contains("error ZIL0001: TorchDevice='foo' is not a libtorch build: use -p:TorchDevice=cpu", restore.Output);
    }

    private sealed record Result(int ExitCode, string Output);

    private Result Restore(params string[] properties)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _copy.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["restore", "src/Trainer/ZilOnnx.Trainer.csproj", "--disable-build-servers", "-nologo", .. properties])
            start.ArgumentList.Add(a);
        // The test host runs under `dotnet test`, whose MSBuild variables must not steer this separate MSBuild.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var run = CliProcess.Complete(start, TimeSpan.FromMinutes(2), "dotnet restore");
        return new Result(run.ExitCode, run.Output + run.Error);
    }

    private static string PackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
