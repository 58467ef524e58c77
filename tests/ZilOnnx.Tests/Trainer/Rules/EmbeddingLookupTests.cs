using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>A bag-of-embeddings model: token ids x[8, 5] look up rows of E[20, 6], averaged over the tokens, then a Gemm head.</summary>
internal static class EmbeddingModel
{
    public const long Vocabulary = 20;

    public static ModelProto Build(long batch = 8) => new ModelBuilder(opset: 13)
        .Input("x", TensorProto.Types.DataType.Int64, batch, 5).Output("y", batch, 4)
        .Initializer("E", [Vocabulary, 6], PcGraphBuilderTests.Values(120, 11))
        .Initializer("W", [6, 4], PcGraphBuilderTests.Values(24, 12))
        .Initializer("b", [4], PcGraphBuilderTests.Values(4, 13))
        .Op("Gather", ["E", "x"], "embedded", Int("axis", 0))
        .Op("ReduceMean", ["embedded"], "pooled", Ints("axes", 1), Int("keepdims", 0))
        .Op("Gemm", ["pooled", "W", "b"], "y")
        .Build();

    /// <summary>Ids from rows 0..9 only (one written as -1, i.e. row 19), so rows 10..18 are never read.</summary>
    public static HostTensor Ids(long samples) => new(TensorProto.Types.DataType.Int64, [samples, 5],
        Enumerable.Range(0, (int)(samples * 5)).Select(i => i == 7 ? -1.0 : (i * 7 + 3) % 10).ToArray());

    public static HostTensor Targets(long samples) => new(TensorProto.Types.DataType.Float, [samples, 4],
        PcGraphBuilderTests.Values((int)samples * 4, 14).Select(v => (double)v).ToArray());

    public static readonly long[] UsedRows = [.. Enumerable.Range(0, 10).Select(i => (long)i), 19];
}

/// <summary>
/// Gather with token ids from an int64 graph input: the table is a trainable parameter, the ids a clamped data
/// vertex. Z-IL stays exact, and only the rows the batch names receive an update.
/// </summary>
public sealed class EmbeddingLookupTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static Batch FirstBatch(PcnModel model) =>
        new DataSet("memory", "x", EmbeddingModel.Ids(8), EmbeddingModel.Targets(8), integerInputs: true)
            .Take(Enumerable.Range(0, 8).Select(i => (long)i).ToList(), model.DType, CPU);

    [Fact]
    public void The_lookup_is_a_vertex_reading_the_table_as_a_parameter()
    {
        var graph = PcGraphBuilder.Build(EmbeddingModel.Build(), "embedding.onnx");
        var gather = graph.Vertices.Single(v => v.Op is GatherLookupSpec);
        Assert.Equal([8L, 5, 6], gather.Shape);
        Assert.IsType<Operand.FromParameter>(gather.Operands[0]);
        Assert.Equal(VertexKind.DataInput, ((Operand.FromVertex)gather.Operands[1]).Source.Kind);
        Assert.True(((DataInputSpec)graph.DataInputs.Single().Op).IsInteger);
        Assert.Equal(["E", "W", "b"], graph.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_and_updates_only_the_rows_read(Precision precision)
    {
        double tolerance = precision == Precision.Float64 ? 1e-12 : 1e-4;
        using var model = new PcnModel(PcGraphBuilder.Build(EmbeddingModel.Build(), "embedding.onnx"), precision, CPU);
        var batch = FirstBatch(model);
        Assert.Equal(ScalarType.Int64, batch.Inputs["x"].dtype);

        using var zil = new Zil().Compute(model, batch, new MeanSquaredErrorLoss());
        using var bp = new Backprop().Compute(model, batch, new MeanSquaredErrorLoss());
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        var divergences = ParameterDivergence.Compare(zil.Updates, bp.Updates);
        Assert.Equal(3, divergences.Count);
        double worst = divergences.Select(d => d.MaxRel).LargestOrNaN();
        output.WriteLine($"{precision}: worst relative divergence {worst:E3}");
        Assert.True(worst <= tolerance, $"{precision}: relative divergence {worst:E3} ({string.Join(", ", divergences.Select(d => $"{d.Name} {d.MaxRel:E2}"))})");

        var table = zil.Updates["E"];
        for (long row = 0; row < EmbeddingModel.Vocabulary; row++)
        {
            double size = table[row].abs().max().ToDouble();
            if (EmbeddingModel.UsedRows.Contains(row)) Assert.True(size > 1e-6, $"row {row} is read but its update is zero");
            else Assert.True(size == 0.0, $"row {row} is never read but its update is {size:E3}");
        }
    }

    [Fact]
    public void Onnx_runtime_on_the_export_equals_the_pcn_forward()
    {
        using var model = new PcnModel(PcGraphBuilder.Build(EmbeddingModel.Build(), "embedding.onnx"), Precision.Float32, CPU);
        var batch = FirstBatch(model);
        using (var result = new Zil().Compute(model, batch, new MeanSquaredErrorLoss()))
        using (no_grad())
            foreach (var (name, update) in result.Updates) model.Parameters[name].add_(update, alpha: 0.5);
        var exported = ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters());

        var values = model.Forward(batch.Inputs);
        var y = (Operand.FromVertex)model.Graph.GraphOutputs["y"];
        using var pcn = values[y.Source].to(ScalarType.Float64).contiguous();
        using var session = OnnxRuntimeSession.Open(exported.ToByteArray(), ExecutionProviderChoice.Cpu);
        var ort = session.Run(new Dictionary<string, HostTensor> { ["x"] = EmbeddingModel.Ids(8) })["y"];
        double worst = SequenceDifference.MaxAbs(pcn.data<double>().ToArray(), ort.Values);
        Assert.True(worst <= 1e-5, $"ONNX Runtime and the PCN differ by {worst:E3}");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-21)]
    public void An_out_of_range_token_id_is_a_clear_error(long id)
    {
        using var model = new PcnModel(PcGraphBuilder.Build(EmbeddingModel.Build(), "embedding.onnx"), Precision.Float64, CPU);
        var ids = EmbeddingModel.Ids(8);
        ids.Values[3] = id;
        var batch = new DataSet("memory", "x", ids, EmbeddingModel.Targets(8), integerInputs: true)
            .Take(Enumerable.Range(0, 8).Select(i => (long)i).ToList(), model.DType, CPU);
        var e = Assert.Throws<KernelException>(() => model.Forward(batch.Inputs));
        Assert.Contains($"index {id} is out of range for an axis of size 20", e.Message);
    }

    [Fact]
    public void Indices_computed_from_data_are_refused()
    {
        var model = new ModelBuilder(opset: 13).Input("x", TensorProto.Types.DataType.Int64, 8, 5).Output("y", 8, 5, 6)
            .Initializer("E", [20, 6], PcGraphBuilderTests.Values(120, 11))
            .Op("Identity", ["x"], "ids")
            .Op("Gather", ["E", "ids"], "y")
            .Build();
        var e = Assert.Throws<ModelConversionException>(() => PcGraphBuilder.Build(model, "embedding.onnx"));
        Assert.Contains("must come straight from an integer graph input", e.Message);
    }
}
