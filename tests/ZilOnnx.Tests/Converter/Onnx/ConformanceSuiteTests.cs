using Google.Protobuf;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using Xunit;
using Xunit.Abstractions;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>
/// Loads the ONNX backend conformance models (real exporter output, IR 3..8). All comparisons here are exact:
/// nothing is computed, only parsed, decoded and re-serialised.
/// </summary>
public sealed class ConformanceSuiteTests(ITestOutputHelper output)
{
    /// <summary>The models the converter is meant to accept: only default-domain opsets, in 6..22.</summary>
    private static List<string> EligibleModels() =>
        OnnxTestData.AllModelFiles().Where(UsesOnlySupportedDefaultOpset).ToList();

    private static bool UsesOnlySupportedDefaultOpset(string path)
    {
        // Parsed directly, not with OnnxModelFile, so that the selection does not depend on the code under test.
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return model.OpsetImport.Count > 0
            && model.OpsetImport.All(o => o.Domain is "" or "ai.onnx")
            && model.OpsetImport.All(o => o.Version is >= 6 and <= 22);
    }

    [Fact]
    public void At_least_95_percent_of_the_supported_conformance_models_load()
    {
        var eligible = EligibleModels();
        var failures = new List<string>();
        foreach (string path in eligible)
        {
            try { OnnxModelFile.Load(path); }
            catch (OnnxModelException e) { failures.Add(e.Message); }
        }

        int loaded = eligible.Count - failures.Count;
        output.WriteLine($"{loaded} of {eligible.Count} conformance models load");
        foreach (string failure in failures) output.WriteLine(failure);

        Assert.True(eligible.Count >= 900, $"expected the libonnx-testdata suites to hold over 900 such models, found {eligible.Count}");
        Assert.True(loaded >= 0.95 * eligible.Count,
            $"only {loaded} of {eligible.Count} models load; first failures:\n{string.Join("\n", failures.Take(20))}");
    }

    [Theory]
    [InlineData("node", "test_conv_with_strides_padding")]
    [InlineData("node", "test_lstm_defaults")]
    [InlineData("node", "test_gru_defaults")]
    [InlineData("node", "test_simple_rnn_defaults")]
    [InlineData("node", "test_gemm_default_no_bias")]
    [InlineData("node", "test_maxpool_2d_pads")]
    [InlineData("node", "test_if")]
    [InlineData("pytorch-converted", "test_MaxPool2d_stride_padding_dilation")]
    [InlineData("simple", "test_single_relu_model")]
    public void Specific_model_loads_with_its_nodes_in_order(string suite, string name)
    {
        ModelProto model = OnnxModelFile.Load(OnnxTestData.Case(suite, name));

        Assert.NotEmpty(model.Graph.Node);
        var order = OnnxModelValidator.TopologicalOrder(model.Graph, name);
        Assert.Equal(model.Graph.Node.Count, order.Count);
    }

    /// <summary>
    /// Most PyTorch-exported modules in the suite (test_Conv2d, test_Linear, ...) were written with opset 6, where
    /// Add and Gemm still had the legacy broadcast attribute; the operator registry maps that form, so they load.
    /// </summary>
    [Theory]
    [InlineData("pytorch-converted", "test_Conv2d")]
    [InlineData("pytorch-converted", "test_Linear")]
    [InlineData("pytorch-operator", "test_operator_conv")]
    public void Opset_6_pytorch_export_loads(string suite, string name)
    {
        ModelProto model = OnnxModelFile.Load(OnnxTestData.Case(suite, name));

        Assert.Equal(6, model.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version);
    }

    [Fact]
    public void Opset_5_model_is_refused_naming_the_supported_range()
    {
        using var folder = new TempFolder();
        string path = folder.Write("opset5.onnx", new ModelBuilder(opset: 5).Input("x").Node("Relu", ["x"], ["y"]).Output("y").Build());

        var e = Assert.Throws<OnnxModelException>(() => OnnxModelFile.Load(path));
        Assert.Contains("opset 5 is older than supported 6..22", e.Message);
    }

    [Fact]
    public void Every_conformance_graph_whatever_its_opset_passes_the_structural_checks()
    {
        int sorted = 0;
        foreach (string path in OnnxTestData.AllModelFiles())
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var order = OnnxModelValidator.TopologicalOrder(model.Graph, path);
            // The suite's files are already in order, and a stable sort must keep that order.
            Assert.Equal(model.Graph.Node, order);
            sorted++;
        }
        output.WriteLine($"{sorted} conformance graphs sorted");
        Assert.True(sorted >= 1000, $"expected over 1000 conformance models, found {sorted}");
    }

    [Fact]
    public void Every_float_test_tensor_decodes_with_as_many_elements_as_its_dims_declare()
    {
        int decoded = 0;
        foreach (string path in EligibleModels())
        {
            string caseFolder = Path.GetDirectoryName(path)!;
            if (!HasOnlyFloatTensorInputsAndOutputs(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)))) continue;

            var dataFiles = Directory.EnumerateDirectories(caseFolder, "test_data_set_*")
                .SelectMany(set => Directory.EnumerateFiles(set, "*.pb"))
                .Where(f => Path.GetFileName(f).StartsWith("input_") || Path.GetFileName(f).StartsWith("output_"));
            foreach (string file in dataFiles)
            {
                var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(file));
                var tensor = TensorCodec.Decode(proto, file);

                long declared = proto.Dims.Aggregate(1L, (count, d) => count * d);
                Assert.Equal(TensorProto.Types.DataType.Float, tensor.ElementType);
                Assert.Equal(proto.Dims, tensor.Shape);
                Assert.Equal(declared, tensor.Count);
                decoded++;
            }
        }
        output.WriteLine($"{decoded} float input/output tensors decoded");
        Assert.True(decoded >= 1000, $"expected over 1000 float test tensors, decoded {decoded}");
    }

    private static bool HasOnlyFloatTensorInputsAndOutputs(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var values = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(model.Graph.Output).ToList();
        return values.Count > 0 && values.All(v =>
            v.Type?.ValueCase == TypeProto.ValueOneofCase.TensorType
            && v.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float);
    }

    [Fact]
    public void Every_loadable_model_saves_and_reloads_to_a_byte_identical_graph()
    {
        using var folder = new TempFolder();
        int roundTrips = 0;
        foreach (string path in EligibleModels())
        {
            ModelProto original;
            try { original = OnnxModelFile.Load(path); }
            catch (OnnxModelException) { continue; } // counted by the load test

            string copy = folder.PathOf("copy.onnx");
            OnnxModelFile.Save(original, copy);
            ModelProto reloaded = OnnxModelFile.Load(copy);

            Assert.True(original.Graph.ToByteString() == reloaded.Graph.ToByteString(), $"{path}: graph bytes differ after save and load");
            Assert.Equal(original, reloaded);
            roundTrips++;
        }
        Assert.True(roundTrips >= 900, $"only {roundTrips} models made the round trip");
        Assert.Empty(Directory.EnumerateFiles(folder.FullPath, "*.tmp"));
    }
}
