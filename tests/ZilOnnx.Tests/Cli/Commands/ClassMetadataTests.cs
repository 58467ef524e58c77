using System.Text.Json;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// A model fine-tuned on an image folder remembers its classes (metadata zilonnx.classes), in ONNX and in .pcn, through
/// a checkpoint and its resume; `run` and `inspect` show them; the model's other metadata stay as they were.
/// </summary>
public sealed class ClassMetadataTests
{
    private static readonly string Model = Repository.PathOf("models", "lenet5-fashion.onnx");

    /// <summary>The shipped model with an author entry, a zilonnx.preprocess entry and an older class list.</summary>
    private static string ModelWithMetadata(TempDirectory temp)
    {
        var model = OnnxModelFile.Load(Model);
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "someone" });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "zilonnx.preprocess", Value = """{"resize":[28,28]}""" });
        model.MetadataProps.Add(new StringStringEntryProto { Key = ModelMetadata.ClassesKey, Value = """["old"]""" });
        string path = temp.File("model.onnx");
        OnnxModelFile.Save(model, path);
        return path;
    }

    private static CliProcess.Result Finetune(string model, string data, string output, params string[] more)
    {
        var run = CliProcess.Run(["finetune", model, "--data", data, "-o", output, "--batch-size", "8", "--rule", "bp", "--verify-every", "0", .. more]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private static void AssertCarriesTheFolderClasses(ModelProto model, string path)
    {
        Assert.Equal(FashionImages.ClassNames, ModelMetadata.Classes(model, path));
        Assert.Single(model.MetadataProps, p => p.Key == ModelMetadata.ClassesKey);
        Assert.Equal("someone", model.MetadataProps.Single(p => p.Key == "author").Value);
        Assert.Single(model.MetadataProps, p => p.Key == ModelMetadata.PreprocessKey);
    }

    /// <summary>The export stores the preprocessing it was trained with (grayscale images of the folder), not the model's older entry.</summary>
    private static void AssertStoresTheFolderPreprocessing(ModelProto model, string path)
    {
        var stored = PreprocessingMetadata.Read(model, path)!;
        Assert.Equal(1, stored.Channels);
        Assert.Null(stored.Resize);
    }

    [Fact]
    public void The_export_carries_the_folder_classes_in_onnx_and_pcn_and_run_and_inspect_name_them()
    {
        using var temp = new TempDirectory();
        var images = FashionImages.Write(temp.File("images"), perClass: 2);
        string model = ModelWithMetadata(temp);
        Finetune(model, temp.File("images"), temp.File("tuned.onnx"), "--steps", "2");
        Finetune(model, temp.File("images"), temp.File("tuned.pcn"), "--steps", "2");
        AssertCarriesTheFolderClasses(OnnxModelFile.Load(temp.File("tuned.onnx")), temp.File("tuned.onnx"));
        AssertCarriesTheFolderClasses(ModelSource.Load(temp.File("tuned.pcn")).Model, temp.File("tuned.pcn"));
        AssertStoresTheFolderPreprocessing(OnnxModelFile.Load(temp.File("tuned.onnx")), temp.File("tuned.onnx"));

        // ONNX Runtime loads the export, and run names the classes from it.
        foreach (string engine in new[] { "ort", "pcn" })
        {
            var run = CliProcess.Run("run", temp.File("tuned.onnx"), "--data", images[0].File, "--engine", engine, "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            var top = JsonDocument.Parse(run.Output).RootElement[0].GetProperty("top")[0];
            Assert.Equal(FashionImages.ClassNames[top.GetProperty("index").GetInt32()], top.GetProperty("class").GetString());
        }

        var text = CliProcess.Run("inspect", temp.File("tuned.pcn"));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("metadata: zilonnx.classes: 10 classes: 0-T-shirt_top, 1-Trouser, 2-Pullover,", text.Output);
        Assert.Contains("metadata: author=someone", text.Output);
        // The preprocessing is shown once, as the metadata entry it is.
        Assert.Contains("metadata: zilonnx.preprocess: {\"layout\":\"nchw\",\"channels\":1,\"scale_to_unit\":true}", text.Output);
        Assert.Single(text.Output.Split('\n'), line => line.Contains("\"channels\":1"));

        var json = CliProcess.Run("inspect", temp.File("tuned.onnx"), "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var metadata = JsonDocument.Parse(json.Output).RootElement.GetProperty("metadata");
        Assert.Equal(FashionImages.ClassNames, metadata.GetProperty("zilonnx.classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("someone", metadata.GetProperty("author").GetString());
        Assert.Equal(1, metadata.GetProperty("zilonnx.preprocess").GetProperty("channels").GetInt32());
        Assert.Equal(1, JsonDocument.Parse(json.Output).RootElement.GetProperty("preprocess").GetProperty("channels").GetInt32());
    }

    [Fact]
    public void A_checkpoint_carries_the_classes_and_a_resume_on_unnamed_data_exports_them()
    {
        using var temp = new TempDirectory();
        var images = FashionImages.Write(temp.File("images"), perClass: 2);
        string model = ModelWithMetadata(temp);
        Finetune(model, temp.File("images"), temp.File("first.onnx"), "--steps", "2", "--checkpoint-every", "2");
        string checkpoint = temp.File("first.checkpoint.pcn");
        AssertCarriesTheFolderClasses(ModelSource.Load(checkpoint).Model, checkpoint);

        // The same images as an .npz name no classes: the resumed run keeps the checkpoint's (--force: other data).
        string npz = temp.File("images.npz");
        NpzArchive.Write(npz, new Dictionary<string, HostTensor>
        {
            ["x"] = new(TensorProto.Types.DataType.Float, [images.Count, 1, 28, 28], [.. images.SelectMany(i => i.Pixels.Select(p => p / 255.0))]),
            ["y"] = new(TensorProto.Types.DataType.Int64, [images.Count], [.. images.Select(i => (double)i.Label)]),
        });
        Finetune(checkpoint, npz, temp.File("resumed.onnx"), "--steps", "4", "--force");
        AssertCarriesTheFolderClasses(OnnxModelFile.Load(temp.File("resumed.onnx")), temp.File("resumed.onnx"));
    }

    [Fact]
    public void Data_naming_more_classes_than_the_model_is_one_error_and_fewer_a_note()
    {
        using var temp = new TempDirectory();
        var images = FashionImages.Write(temp.File("images"), perClass: 1);
        ImageFiles.WriteGrayPng(temp.File(Path.Combine("images", "extra", "0.png")), images[0].Pixels, 28, 28);
        var more = CliProcess.Run("finetune", Model, "--data", temp.File("images"), "-o", temp.File("more.onnx"), "--steps", "1");
        Assert.True(more.ExitCode == 2, more.ToString());
        Assert.StartsWith($"error: {temp.File("images")}, array 'y': the data name 11 classes (0-T-shirt_top, ", more.Error);
        Assert.Contains("but the model's output has 10", more.Error);

        foreach (string name in FashionImages.ClassNames.Skip(3)) Directory.Delete(temp.File(Path.Combine("images", name)), recursive: true);
        Directory.Delete(temp.File(Path.Combine("images", "extra")), recursive: true);
        var fewer = Finetune(Model, temp.File("images"), temp.File("fewer.onnx"), "--steps", "1");
        Assert.Contains("note: the data name 3 classes but the model's output has 10", fewer.Output);
        Assert.Equal([.. FashionImages.ClassNames.Take(3), "3", "4", "5", "6", "7", "8", "9"],
            ModelMetadata.Classes(OnnxModelFile.Load(temp.File("fewer.onnx")), "fewer.onnx"));
    }

    [Fact]
    public void A_new_head_carries_the_names_of_the_data_it_was_trained_on_and_none_without_them()
    {
        using var temp = new TempDirectory();
        var images = FashionImages.Write(temp.File("images"), perClass: 2);
        foreach (string name in FashionImages.ClassNames.Skip(5)) Directory.Delete(temp.File(Path.Combine("images", name)), recursive: true);
        // The model carries an old class list; the new head of 5 is trained on a folder of 5 named classes.
        string model = ModelWithMetadata(temp);
        var named = Finetune(model, temp.File("images"), temp.File("five.onnx"), "--steps", "1", "--num-classes", "5");
        Assert.DoesNotContain("the data name", named.Output);
        var exported = OnnxModelFile.Load(temp.File("five.onnx"));
        Assert.Equal(FashionImages.ClassNames.Take(5), ModelMetadata.Classes(exported, "five.onnx"));
        Assert.Single(exported.MetadataProps, p => p.Key == ModelMetadata.ClassesKey);
        Assert.Equal("someone", exported.MetadataProps.Single(p => p.Key == "author").Value);

        // The same images as an .npz name no classes: the old names are dropped with the old head, and none take their place.
        var kept = images.Where(i => i.Label < 5).ToList();
        string npz = temp.File("five.npz");
        NpzArchive.Write(npz, new Dictionary<string, HostTensor>
        {
            ["x"] = new(TensorProto.Types.DataType.Float, [kept.Count, 1, 28, 28], [.. kept.SelectMany(i => i.Pixels.Select(p => p / 255.0))]),
            ["y"] = new(TensorProto.Types.DataType.Int64, [kept.Count], [.. kept.Select(i => (double)i.Label)]),
        });
        Finetune(model, npz, temp.File("unnamed.onnx"), "--steps", "1", "--num-classes", "5");
        var unnamed = OnnxModelFile.Load(temp.File("unnamed.onnx"));
        Assert.Null(ModelMetadata.Classes(unnamed, "unnamed.onnx"));
        Assert.Equal("someone", unnamed.MetadataProps.Single(p => p.Key == "author").Value);
        var run = CliProcess.Run("run", temp.File("unnamed.onnx"), "--data", kept[0].File, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var top = JsonDocument.Parse(run.Output).RootElement[0].GetProperty("top")[0];
        Assert.Equal(top.GetProperty("index").GetInt32().ToString(), top.GetProperty("class").GetString());
    }
}
