using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

public static class Metrics
{
    /// <summary>
    /// Top-1 accuracy of logits [B, ..., C] against labels [B, ...] or target rows [B, ..., C], over every
    /// prediction (every time step of a many-to-many output).
    /// </summary>
    public static double Accuracy(Tensor output, Tensor targets)
    {
        if (output.dim() < 2) return double.NaN;
        using var predicted = output.argmax(-1);
        using var labels = targets.dim() == output.dim() ? targets.argmax(-1) : targets.to(ScalarType.Int64);
        using var correct = predicted.eq(labels).to(ScalarType.Float64).mean();
        return correct.item<double>();
    }
}
