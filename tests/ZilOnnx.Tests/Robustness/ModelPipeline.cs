using System.Text.Json;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Pcn;

namespace ZilOnnx.Tests.Robustness;

/// <summary>How a model file fared in <see cref="ModelPipeline.Run"/>.</summary>
public enum PipelineOutcome
{
    /// <summary>Loaded, validated and converted to a PCN.</summary>
    Accepted,
    /// <summary>Refused while reading or validating the file or its tensors: <see cref="OnnxModelException"/> (exit code 2).</summary>
    RejectedModelFile,
    /// <summary>Valid ONNX that does not map onto a PCN: <see cref="ModelConversionException"/> (exit code 2).</summary>
    RejectedConversion,
    /// <summary>Any other exception: a bug (the command line would call it an internal error).</summary>
    Failed,
    /// <summary>Did not finish within the time bound.</summary>
    Hung,
}

/// <summary>
/// What `inspect` and `convert` do with a model file before they write anything, in process: load it as the
/// command line does (.onnx or .pcn, external data, validation), list unsupported operators, build the PCN and
/// describe it as JSON.
/// </summary>
public static class ModelPipeline
{
    public static void Run(string path)
    {
        var source = ModelSource.Load(path);
        int opset = PcGraphBuilder.DefaultOpset(source.Model, path);
        var unsupported = OperatorRegistry.Default.FindUnsupported(source.Model.Graph.Node, opset);
        if (unsupported.Count > 0) throw new ModelConversionException(path, unsupported);
        var graph = source.BuildGraph(new PcGraphOptions());
        JsonSerializer.Serialize(PcGraphDescription.Of(graph), PcnArchive.Json);
    }

    /// <summary>The outcome of <see cref="Run"/>, with the exception when there was one.</summary>
    public static (PipelineOutcome Outcome, Exception? Error) Classify(string path)
    {
        try
        {
            Run(path);
            return (PipelineOutcome.Accepted, null);
        }
        catch (OnnxModelException e) { return (PipelineOutcome.RejectedModelFile, e); }
        catch (ModelConversionException e) { return (PipelineOutcome.RejectedConversion, e); }
        catch (Exception e) { return (PipelineOutcome.Failed, e); }
    }
}
