using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Trainer.Data.Preprocessing;
using ZilOnnx.Trainer.Pcn;

namespace ZilOnnx.Cli.Models;

/// <summary>Writes a trained model as ONNX (the original graph with updated initializers) or as a .pcn file, atomically.</summary>
public static class ModelOutput
{
    /// <summary>
    /// Refuses an output path that is the input model itself (also through a symbolic or a hard link, or `..`) unless
    /// forced: a fine-tuned model written over the only copy of the original cannot be undone.
    /// </summary>
    public static void EnsureNotInput(string input, string output, bool force)
    {
        var model = PathStatus.Of(input, followLinks: true);
        if (force || model.Kind != PathKind.RegularFile) return;
        // The real paths stand in where the system has no file identities (not Linux).
        if (model.IsSameFileAs(PathStatus.Of(output, followLinks: true)) || PathStatus.RealPath(input) == PathStatus.RealPath(output))
            throw new ArgumentException($"-o {output} is the input model {input}: writing it would replace the original; give --force " +
                $"to allow that");
    }

    /// <param name="preprocessing">The preprocessing the model was trained with, stored in its metadata where it says anything
    /// (<see cref="PreprocessingMetadata"/>).</param>
    public static void Write(string path, PcnModel model, ImagePreprocessing? preprocessing = null)
    {
        var onnx = ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters());
        if (PreprocessingMetadata.IsWorthStoring(preprocessing)) PreprocessingMetadata.Write(onnx, preprocessing!);
        if (ModelSource.IsPcn(path)) PcnArchive.Write(path, onnx, model.Graph);
        else OnnxModelFile.Save(onnx, path);
    }
}
