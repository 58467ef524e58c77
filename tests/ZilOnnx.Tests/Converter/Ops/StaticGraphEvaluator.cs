using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// Evaluates a graph whose outputs are all known at conversion time the way the graph builder evaluates static
/// sub-graphs: each node through its mapping's <see cref="IStaticEvaluation"/>, or from its inputs' shapes
/// through <see cref="IShapeEvaluation"/>. That covers graphs without data inputs (test_constant) and graphs
/// that only read the shape of their data (test_shape, test_size). Such a graph has nothing to train, so it is
/// no PCN, but its operators' conversion-time results are still checked against the reference outputs.
/// </summary>
internal static class StaticGraphEvaluator
{
    public static IReadOnlyList<HostTensor> Evaluate(ModelProto model, string file, IReadOnlyDictionary<string, HostTensor>? data = null)
    {
        int opset = PcGraphBuilder.DefaultOpset(model, file);
        var values = model.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, file));
        foreach (var (name, value) in data ?? new Dictionary<string, HostTensor>()) values[name] = value;
        foreach (var node in OnnxModelValidator.TopologicalOrder(model.Graph, file))
        {
            var (mapping, since) = OperatorRegistry.Default.Resolve(node.Domain, node.OpType, opset)
                ?? throw new ModelConversionException(file, [$"{node.OpType} is not supported at opset {opset}"]);
            var inputs = node.Input.Select(name => name == "" ? null : values[name]).ToList();
            var operands = inputs.Select(v => v == null ? (Operand)Operand.Absent.Instance : new Operand.FromConstant(v)).ToList();
            var context = new NodeContext(node, opset, since, operands, file);
            values[node.Output[0]] = mapping switch
            {
                IShapeEvaluation shapeOnly => shapeOnly.EvaluateFromShapes(context),
                IStaticEvaluation evaluation => evaluation.EvaluateStatic(context, inputs),
                _ => throw context.Fail("cannot be evaluated at conversion time"),
            };
        }
        return model.Graph.Output.Select(o => values[o.Name]).ToList();
    }

    /// <summary>Whether a graph output depends on the values (not only the shapes) of the given data inputs.</summary>
    public static bool OutputsDependOnData(ModelProto model, IEnumerable<string> dataInputs)
    {
        var dependent = dataInputs.ToHashSet();
        int opset = PcGraphBuilder.DefaultOpset(model, "model");
        foreach (var node in OnnxModelValidator.TopologicalOrder(model.Graph, "model"))
        {
            bool shapeOnly = OperatorRegistry.Default.Resolve(node.Domain, node.OpType, opset)?.Mapping is IShapeEvaluation;
            if (!shapeOnly && node.Input.Any(dependent.Contains)) dependent.UnionWith(node.Output);
        }
        return model.Graph.Output.Any(o => dependent.Contains(o.Name));
    }
}
