using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
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
    /// <summary>
    /// The fed inputs that only ever appear in a node's second or later input slot, or integer inputs (shapes,
    /// indices) in a first slot that must be static (ConstantOfShape's shape, the operands of shape arithmetic);
    /// a first slot read for its shape alone (Shape, Size) keeps an input data.
    /// </summary>
    public static IReadOnlySet<string> Find(ModelProto model, IEnumerable<string> fedInputs)
    {
        var graph = model.Graph;
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        int opset = (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);
        bool IsInteger(string name) => graph.Input.FirstOrDefault(i => i.Name == name)?.Type?.TensorType is { } t
            && t.ElemType is not ((int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double
                or (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16);
        bool StaticFirstSlot(NodeProto node) =>
            OperatorRegistry.Default.Resolve(node.Domain, node.OpType, Math.Max(opset, OperatorRegistry.MinOpset)) is { } r
            && r.Mapping is not IShapeEvaluation && r.Mapping.RoleOf(0, r.SinceVersion) == InputRole.Static;
        return fedInputs.Where(name =>
            !outputs.Contains(name)
            && graph.Node.Any(n => n.Input.Contains(name))
            && graph.Node.All(n => n.Input.Count == 0 || n.Input[0] != name || (IsInteger(name) && StaticFirstSlot(n)))).ToHashSet();
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
