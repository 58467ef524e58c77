using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>What the model's last node makes of the scores it serves.</summary>
public enum ServedOutput { Scores, Softmax, LogSoftmax, Sigmoid }

/// <summary>
/// The loss of the outputs ONNX Runtime serves, computed by the trainer's own <see cref="ILoss"/> (one definition of each
/// loss), averaged over the samples as the trainer's held-out evaluation averages it. The trainer applies ce to the
/// logits before a final Softmax/LogSoftmax and bce to those before a final Sigmoid; ONNX Runtime serves that node's
/// output, so the loss is given what the node's input was: log p for probabilities (the logits up to a constant per
/// row, which softmax ignores), the log-probabilities as they are, logit(p) for a Sigmoid's probabilities.
/// </summary>
public sealed class ServedLoss(ILoss loss, ServedOutput served)
{
    private double _sum;
    private long _samples;

    public ILoss Loss => loss;
    public double Value => _sum / _samples;

    /// <param name="outputs">The served first output of one batch.</param>
    /// <param name="targets">That batch's targets, gathered as int64 labels or float64 rows.</param>
    public void Add(HostTensor outputs, HostBatch.Part targets)
    {
        using var scope = NewDisposeScope();
        var scores = OwnedTensors.FromArray(outputs.Values, outputs.Shape, CPU);
        long samples = outputs.Shape[0];
        using (no_grad()) _sum += loss.Value(TrainingOutput(scores), targets.ToTensor(CPU)).ToDouble() * samples;
        _samples += samples;
    }

    private Tensor TrainingOutput(Tensor scores) => served switch
    {
        // The smallest double keeps a probability that underflowed to 0 finite, as a huge loss rather than Infinity.
        ServedOutput.Softmax when loss.AppliesSoftmax => scores.clamp_min(double.Epsilon).log(),
        ServedOutput.Sigmoid when loss.AppliesSigmoid => Logit(scores.clamp(double.Epsilon, 1 - Math.Pow(2, -53))),
        _ => scores,
    };

    private static Tensor Logit(Tensor p) => p.log() - p.neg().log1p();
}
