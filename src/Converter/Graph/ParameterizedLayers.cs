using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// The model's parameterized layers, nearest the output first (what --train-last counts). A layer is an ONNX node that
/// reads parameters; a bias Add that follows a parameterized MatMul belongs to it, as torch.nn.Linear exports as
/// MatMul + Add. A layer read at several depths (an RNN's weights, once per time step) counts at its nearest.
/// </summary>
public static class ParameterizedLayers
{
    public sealed record Layer(string Node, int Depth, IReadOnlyList<Parameter> Parameters);

    public static List<Layer> Of(PcGraph graph)
    {
        var layers = new Dictionary<string, (int Depth, List<Parameter> Parameters)>();
        foreach (var parameter in graph.Parameters)
        {
            foreach (var reader in parameter.Readers)
            {
                string node = LayerNode(reader);
                int depth = reader.ReachesOutput ? reader.Depth : int.MaxValue;
                var layer = layers.GetValueOrDefault(node, (int.MaxValue, []));
                if (!layer.Parameters.Contains(parameter)) layer.Parameters.Add(parameter);
                layers[node] = (Math.Min(layer.Depth, depth), layer.Parameters);
            }
        }
        return layers.Select(l => new Layer(l.Key, l.Value.Depth, l.Value.Parameters)).OrderBy(l => l.Depth).ToList();
    }

    private static string LayerNode(Vertex reader) =>
        reader.Op is AddSpec && reader.VertexInputs.FirstOrDefault(u => u.Op is MatMulSpec
            && u.Operands.Any(o => o is Operand.FromParameter)) is { } matMul
            ? matMul.NodeName
            : reader.NodeName;
}
