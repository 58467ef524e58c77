using Xunit;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>The ONNX backend conformance models that Debian ships in libonnx-testdata.</summary>
internal static class OnnxTestData
{
    public const string Root = "/usr/share/libonnx-testdata/data";

    public static readonly string[] Suites = ["node", "pytorch-converted", "pytorch-operator", "simple"];

    /// <summary>
    /// The folder of one suite. A missing folder fails the test instead of skipping it: a skipped conformance
    /// run looks green in CI while testing nothing.
    /// </summary>
    public static string Suite(string suite)
    {
        string folder = Path.Combine(Root, suite);
        if (!Directory.Exists(folder))
            Assert.Fail($"{folder} is missing; install the ONNX conformance models with: apt-get install libonnx-testdata");
        return folder;
    }

    public static string Case(string suite, string name)
    {
        string path = Path.Combine(Suite(suite), name, "model.onnx");
        if (!File.Exists(path))
            Assert.Fail($"{path} is missing; reinstall the ONNX conformance models with: apt-get install --reinstall libonnx-testdata");
        return path;
    }

    public static IEnumerable<string> AllModelFiles() =>
        Suites.SelectMany(suite => Directory.EnumerateFiles(Suite(suite), "model.onnx", SearchOption.AllDirectories)).Order(StringComparer.Ordinal);
}
