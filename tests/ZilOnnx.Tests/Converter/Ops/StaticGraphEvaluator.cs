using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// Evaluates a graph without data inputs (test_constant) the way the graph builder evaluates static sub-graphs:
/// each node through its mapping's <see cref="IStaticEvaluation"/>. Such a graph has nothing to train, so it is
/// no PCN, but its operators' conversion-time results are still checked against the reference outputs.
/// </summary>
internal static class StaticGraphEvaluator
{
    public static IReadOnlyList<HostTensor> Evaluate(ModelProto model, string file)
    {
        int opset = PcGraphBuilder.DefaultOpset(model, file);
        var values = model.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, file));
        foreach (var node in OnnxModelValidator.TopologicalOrder(model.Graph, file))
        {
            var (mapping, since) = OperatorRegistry.Default.Resolve(node.Domain, node.OpType, opset)
                ?? throw new ModelConversionException(file, [$"{node.OpType} is not supported at opset {opset}"]);
            var inputs = node.Input.Select(name => name == "" ? null : values[name]).ToList();
            var operands = inputs.Select(v => v == null ? (Operand)Operand.Absent.Instance : new Operand.FromConstant(v)).ToList();
            var context = new NodeContext(node, opset, since, operands, file);
            if (mapping is not IStaticEvaluation evaluation) throw context.Fail("cannot be evaluated at conversion time");
            values[node.Output[0]] = evaluation.EvaluateStatic(context, inputs);
        }
        return model.Graph.Output.Select(o => values[o.Name]).ToList();
    }
}
