// TEMPORARY until the validator lands.
using ZilOnnx.Converter.Onnx.Proto;
namespace ZilOnnx.Converter.Onnx;
public static class OnnxModelValidator
{
    public static IReadOnlyList<NodeProto> TopologicalOrder(GraphProto graph, string file) => graph.Node.ToList();
}
