using ZilOnnx.Trainer.Losses;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

public static class Metrics
{
    /// <summary>
    /// Top-1 accuracy of logits against labels or target rows, over every prediction (every time step of a many-to-many
    /// output, every pixel of a segmentation). The classes lie on ce's class axis (the last axis for other losses).
    /// </summary>
    public static double Accuracy(Tensor output, Tensor targets, ILoss loss)
    {
        if (output.dim() < 2) return double.NaN;
        long axis = loss is CrossEntropyLoss ce ? ce.ClassAxisOf(output.dim()) : output.dim() - 1;
        using var predicted = output.argmax(axis);
        // Labels [B] of an output [B, C, 1, 1] take the predictions' shape [B, 1, 1].
        using var labels = targets.dim() == output.dim() ? targets.argmax(axis) : targets.to(ScalarType.Int64).reshape(predicted.shape);
        using var correct = predicted.eq(labels).to(ScalarType.Float64).mean();
        return correct.item<double>();
    }
}
