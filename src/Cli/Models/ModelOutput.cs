using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Trainer.Pcn;

namespace ZilOnnx.Cli.Models;

/// <summary>Writes a trained model as ONNX (the original graph with updated initializers) or as a .pcn file, atomically.</summary>
public static class ModelOutput
{
    public static void Write(string path, PcnModel model)
    {
        var onnx = ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters());
        if (ModelSource.IsPcn(path)) PcnArchive.Write(path, onnx, model.Graph);
        else OnnxModelFile.Save(onnx, path);
    }
}
