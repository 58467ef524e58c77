using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Settings;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// The last guard before a trained model is written. <see cref="NumericalGuard"/> sees each step's loss and update,
/// not the parameters the last update leaves behind: a run whose every step was finite can still end with parameters
/// that overflow, in the initializers' own element type (float64 training of a float32 model) or in the model's
/// outputs (LeNet-5 at --lr 1000: two finite steps, then every output of the export is Inf or NaN in ONNX Runtime).
/// So the parameters must fit their element type, and every graph output of the PCN forward pass on the run's first
/// batch, computed in the precision of the export (float32 for a float32 model trained in float64, whose activations
/// can overflow where the training's did not), must be finite.
/// </summary>
public static class ExportCheck
{
    public static void Check(PcnModel model, DataSet data, BatchOrder order)
    {
        using var scope = NewDisposeScope();
        foreach (var parameter in model.Graph.Parameters)
            if (StoredType(parameter.Initial.ElementType) is { } stored && !IsFinite(model.Parameters[parameter.Name].to(stored)))
                throw new NumericalFailureException(
                    $"the trained parameter '{parameter.Name}' does not fit its element type {parameter.Initial.ElementType} (NaN, Inf " +
                        $"or out of range): the run diverged, and the model is not written");
        var exportPrecision = model.Graph.Parameters.Any(p => p.Initial.ElementType == TensorProto.Types.DataType.Double)
            ? Precision.Float64 : Precision.Float32;
        using var exported = exportPrecision == model.Precision ? null
            : new PcnModel(model.Graph, exportPrecision, model.Device, model.Parameters.ToDictionary(p => p.Key,
                p => p.Value.to(exportPrecision.ToScalarType())));
        var served = exported ?? model;
        // The PCN takes exactly the batch it was built for: the first batch's first samples, as many as that.
        long samples = served.Graph.DataInputs.First().Shape[0];
        var batch = data.Take(order.IndicesOf(0).Take((int)samples).ToList(), served.DType, served.Device);
        var values = served.Forward(batch.Inputs);
        foreach (var (name, operand) in served.Graph.GraphOutputs)
        {
            if (operand is not Operand.FromVertex vertex || values[vertex.Source] is not { } value || !value.is_floating_point()) continue;
            long bad = value.isfinite().logical_not().sum().item<long>();
            if (bad > 0)
                throw new NumericalFailureException(
                    $"the trained model's output '{name}' is NaN or Inf in {bad} of {value.numel()} values on the first batch: the run " +
                        $"diverged (a smaller {Setting.LearningRate} may keep it stable), and the model is not written");
        }
    }

    /// <summary>The tensor type an initializer is written in, for the floating-point types a parameter can have.</summary>
    private static ScalarType? StoredType(TensorProto.Types.DataType type) => type switch
    {
        TensorProto.Types.DataType.Float => ScalarType.Float32,
        TensorProto.Types.DataType.Double => ScalarType.Float64,
        TensorProto.Types.DataType.Float16 => ScalarType.Float16,
        TensorProto.Types.DataType.Bfloat16 => ScalarType.BFloat16,
        _ => null,
    };

    private static bool IsFinite(Tensor t) => t.isfinite().all().item<bool>();
}
