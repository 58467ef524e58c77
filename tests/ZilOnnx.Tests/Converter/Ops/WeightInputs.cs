using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The ONNX node tests feed every operand as a graph input: Conv's W and B, Gemm's B and C, BatchNormalization's
/// statistics, Reshape's shape and Pad's pads arrive with the data. A model the converter meets in practice holds
/// those as initializers: the PCN trains the float ones as parameters and needs the shape-like ones at conversion
/// time (they are static inputs, which a data vertex can never feed). So a case is converted the way such a model
/// would be: a graph input that no node reads as its first (data) operand becomes an initializer holding the value
/// of this data set. Inputs read as a first operand stay data inputs of the PCN.
/// </summary>
internal static class WeightInputs
{
    /// <summary>The fed inputs that only ever appear in a node's second or later input slot.</summary>
    public static IReadOnlySet<string> Find(ModelProto model, IEnumerable<string> fedInputs)
    {
        var graph = model.Graph;
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        return fedInputs.Where(name =>
            !outputs.Contains(name)
            && graph.Node.Any(n => n.Input.Contains(name))
            && graph.Node.All(n => n.Input.Count == 0 || n.Input[0] != name)).ToHashSet();
    }

    /// <summary>A copy of the model with the given inputs turned into initializers holding these values.</summary>
    public static ModelProto Inline(ModelProto model, IReadOnlySet<string> weights, IReadOnlyDictionary<string, HostTensor> values)
    {
        var copy = model.Clone();
        foreach (string name in weights)
            copy.Graph.Initializer.Add(TensorCodec.Encode(name, values[name]));
        // The input entries go too, so that the PCN's data inputs are exactly the remaining graph inputs.
        var kept = copy.Graph.Input.Where(i => !weights.Contains(i.Name)).ToList();
        copy.Graph.Input.Clear();
        copy.Graph.Input.AddRange(kept);
        return copy;
    }
}
