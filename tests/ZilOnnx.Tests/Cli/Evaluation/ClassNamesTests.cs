using ZilOnnx.Cli.Evaluation;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Cli.Evaluation;

/// <summary>Which names `eval` gives the classes: the data's, else the model's zilonnx.classes, else the label numbers.</summary>
public sealed class ClassNamesTests
{
    private static DataSet Data(IReadOnlyList<string>? names) => new(
        "data.npz", "x", new HostTensor(DataType.Float, [2, 1], [0, 1]), new HostTensor(DataType.Int64, [2], [0, 1]))
    {
        ClassNames = names,
    };

    private static ModelProto Model(string? classes)
    {
        var model = new ModelProto();
        if (classes != null) model.MetadataProps.Add(new StringStringEntryProto { Key = ClassNames.MetadataKey, Value = classes });
        return model;
    }

    [Fact]
    public void Without_names_the_classes_are_their_label_numbers() =>
        Assert.Equal(["0", "1", "2"], ClassNames.Resolve(Data(null), Model(null), "m.onnx", 3));

    [Fact]
    public void The_models_metadata_names_the_classes() =>
        Assert.Equal(["cat", "dog", "eel"], ClassNames.Resolve(Data(null), Model("[\"cat\",\"dog\",\"eel\"]"), "m.onnx", 3));

    [Fact]
    public void The_datas_names_win_and_a_model_with_more_classes_keeps_the_further_ones_numbered() =>
        Assert.Equal(["ant", "bee", "2"], ClassNames.Resolve(Data(["ant", "bee"]), Model("[\"cat\",\"dog\",\"eel\"]"), "m.onnx", 3));

    [Fact]
    public void Data_with_more_names_than_the_model_has_classes_is_bad_input()
    {
        var e = Assert.Throws<DataFormatException>(() => ClassNames.Resolve(Data(["a", "b", "c", "d"]), Model(null), "m.onnx", 3));
        Assert.Contains("data.npz", e.Message);
    }

    [Theory]
    [InlineData("[\"cat\",\"dog\"]", "names 2 classes but the first output has 3")]
    [InlineData("{\"cat\": 0}", "is not a JSON list of strings")]
    [InlineData("[\"cat\", null, \"eel\"]", "is not a JSON list of strings")]
    public void Metadata_that_does_not_fit_the_model_names_the_model(string metadata, string problem)
    {
        var e = Assert.Throws<OnnxModelException>(() => ClassNames.Resolve(Data(null), Model(metadata), "m.onnx", 3));
        Assert.StartsWith("m.onnx: ", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
