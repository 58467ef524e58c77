using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// Re-declares a model's default opset where that cannot change any node's meaning: a node's semantics are fixed
/// by the operator version in force (the largest since-version not above the opset), so moving the opset between
/// two values at which every node resolves to the same version leaves the model what it was. This lets the few
/// node tests written for opset 1 (GlobalAveragePool, unchanged from version 1 to 21) run at the registry's oldest
/// opset, and gives ONNX Runtime, which has no kernels for some opset-6 versions, a model it can run.
/// </summary>
internal static class OpsetRelabel
{
    /// <summary>A copy declared at <paramref name="target"/>, or null when some node's version would change.</summary>
    public static ModelProto? To(ModelProto model, int target)
    {
        int current = (int)model.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version;
        foreach (var node in model.Graph.Node)
        {
            if (OperatorRegistry.Default.Resolve(node.Domain, node.OpType, target) is not { } resolved) return null;
            int low = Math.Min(current, target), high = Math.Max(current, target);
            if (resolved.Mapping.SinceVersions.Any(v => v > low && v <= high)) return null;
        }
        return WithOpset(model, target);
    }

    /// <summary>
    /// An opset-7 copy of an opset-6 model for ONNX Runtime, which implements Add, Gemm and BatchNormalization only
    /// from version 7. Version 6 differs from 7 in attributes alone: `broadcast` (NumPy broadcasting from 7 gives
    /// the same result for the trailing alignment the attribute asks for without an axis) and `is_test` (version 7
    /// is always the inference form). Null when the model uses a form without an opset-7 equivalent.
    /// </summary>
    public static ModelProto? UpgradeOpset6ForOnnxRuntime(ModelProto model)
    {
        var copy = WithOpset(model, 7);
        foreach (var node in copy.Graph.Node)
        {
            if (OperatorRegistry.Default.Resolve(node.Domain, node.OpType, 7) == null) return null;
            foreach (var attribute in node.Attribute.ToList())
            {
                bool drop = (node.OpType, attribute.Name) switch
                {
                    ("Add" or "Gemm", "broadcast") => true,
                    ("BatchNormalization" or "Dropout", "is_test") => attribute.I != 0,
                    _ => false,
                };
                if (node.OpType == "Add" && attribute.Name == "axis")
                {
                    // An axis that aligns B with A's trailing dimensions is what NumPy broadcasting does anyway.
                    if (DeclaredRank(copy.Graph, node.Input[0]) is not { } rankA || DeclaredRank(copy.Graph, node.Input[1]) is not { } rankB
                        || attribute.I != rankA - rankB) return null;
                    drop = true;
                }
                if (attribute.Name == "is_test" && !drop) return null;
                if (drop) node.Attribute.Remove(attribute);
            }
        }
        return copy;
    }

    private static int? DeclaredRank(GraphProto graph, string name)
    {
        var info = graph.Input.Concat(graph.ValueInfo).Concat(graph.Output).FirstOrDefault(v => v.Name == name);
        if (info?.Type?.TensorType?.Shape is { } shape) return shape.Dim.Count;
        return graph.Initializer.FirstOrDefault(t => t.Name == name)?.Dims.Count;
    }

    private static ModelProto WithOpset(ModelProto model, int opset)
    {
        var copy = model.Clone();
        copy.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version = opset;
        return copy;
    }
}
