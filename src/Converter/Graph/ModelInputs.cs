using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Graph;

/// <summary>What a model declares about its data inputs (graph inputs that are not initializers).</summary>
public static class ModelInputs
{
    /// <summary>The data inputs the graph reads: a node (or a graph output) uses them.</summary>
    public static IReadOnlyList<string> DataInputNames(ModelProto model)
    {
        var read = ReadNames(model.Graph);
        return DeclaredDataInputs(model).Where(read.Contains).ToList();
    }

    /// <summary>
    /// Data inputs no node reads and no output is (Caffe2 conversions in the ONNX model zoo declare one beside the
    /// real input). They take no part in the PCN; the model keeps them, so feeding it stays as it was.
    /// </summary>
    public static IReadOnlyList<string> UnusedInputNames(ModelProto model)
    {
        var read = ReadNames(model.Graph);
        return DeclaredDataInputs(model).Where(name => !read.Contains(name)).ToList();
    }

    private static IEnumerable<string> DeclaredDataInputs(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        return model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name);
    }

    /// <summary>Every name a node reads, in the graph or in a sub-graph of its attributes (which may read outer names), and every
    /// output.</summary>
    private static HashSet<string> ReadNames(GraphProto graph)
    {
        var names = graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Input);
            foreach (var attribute in node.Attribute)
                foreach (var sub in attribute.Graphs.Append(attribute.G).Where(g => g != null))
                    names.UnionWith(ReadNames(sub));
        }
        return names;
    }

    /// <summary>The declared shape: fixed dimensions as numbers, symbolic or missing ones as null; empty when no shape is
    /// declared.</summary>
    public static IReadOnlyList<long?> DeclaredShape(ModelProto model, string inputName)
    {
        var dims = model.Graph.Input.FirstOrDefault(i => i.Name == inputName)?.Type?.TensorType?.Shape?.Dim;
        if (dims == null) return [];
        return dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue >= 0
            ? d.DimValue : (long?)null).ToList();
    }

    /// <summary>The declared shape with symbolic dimensions taken as 1 (enough to inspect a graph without data).</summary>
    public static long[]? NominalShape(ModelProto model, string inputName)
    {
        var info = model.Graph.Input.FirstOrDefault(i => i.Name == inputName);
        if (info?.Type?.TensorType?.Shape == null) return null;
        return DeclaredShape(model, inputName).Select(d => d ?? 1).ToArray();
    }

    /// <summary>The declared element type; FLOAT when the input declares none.</summary>
    public static TensorProto.Types.DataType ElementType(ModelProto model, string inputName)
    {
        int type = model.Graph.Input.FirstOrDefault(i => i.Name == inputName)?.Type?.TensorType?.ElemType ?? 0;
        return type == 0 ? TensorProto.Types.DataType.Float : (TensorProto.Types.DataType)type;
    }

    /// <summary>Whether the input carries integer ids (an embedding lookup's token ids) rather than values.</summary>
    public static bool IsIntegerInput(ModelProto model, string inputName) => IsIdType(ElementType(model, inputName));

    /// <summary>The element types an integer data input (ids) may have: those a Gather accepts as indices.</summary>
    public static bool IsIdType(TensorProto.Types.DataType type) =>
        type is TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32;
}
