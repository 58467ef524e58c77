using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Settings;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// ce = softmax cross-entropy of the logits along the class axis, as torch.nn.CrossEntropyLoss defines it. The class
/// axis is 1 for outputs of rank 4 or more ([B, C, H, W]: labels [B, H, W]; [B, C, 1, 1]: labels [B] as well) and the
/// last axis otherwise ([B, C]; [B, T, C] with one label per time step), unless --class-axis names another. Targets are
/// integer labels shaped like the logits without the class axis, or probability rows shaped like the logits. Each
/// position's term is -sum_c t'_c log softmax(z)_c with t' = (1 - s) t + s / C (label smoothing s); reduction sample
/// sums the terms of a sample and takes the mean over the batch, reduction mean the mean over all labelled positions.
/// </summary>
/// <remarks>The output error is the local derivative of <see cref="Value"/>, see <see cref="LocallyDerivedLoss"/>.</remarks>
public sealed class CrossEntropyLoss(LossReduction reduction = LossReduction.Sample, int? classAxis = null, double labelSmoothing = 0)
    : LocallyDerivedLoss
{
    public override string Name => "ce";
    public override bool AppliesSoftmax => true;

    /// <summary>The class axis of an output of this rank.</summary>
    public int ClassAxisOf(long rank)
    {
        if (rank < 2) throw new ArgumentException($"ce needs logits of shape [batch, classes, ...], got an output of rank {rank}");
        int axis = classAxis ?? (rank >= 4 ? 1 : (int)rank - 1);
        return axis < rank ? axis
            : throw new SettingException($"{Setting.ClassAxis} {axis} is outside the output's rank {rank} (axes 1..{rank - 1})");
    }

    /// <summary>The labels' shape for <paramref name="output"/>: the output without its class axis.</summary>
    public long[] LabelShape(IReadOnlyList<long> output)
    {
        int axis = ClassAxisOf(output.Count);
        return [.. output.Where((_, i) => i != axis)];
    }

    /// <summary>
    /// Labels fit when shaped <see cref="LabelShape"/>, or, where every axis of that shape but the batch is 1
    /// (a classifier's [B, C, 1, 1]), shaped [B].
    /// </summary>
    public bool FitsLabels(IReadOnlyList<long> output, IReadOnlyList<long> labels)
    {
        long[] expected = LabelShape(output);
        return labels.SequenceEqual(expected) || (labels.Count == 1 && labels[0] == expected[0] && expected.Skip(1).All(d => d == 1));
    }

    public override Tensor Value(Tensor output, Tensor target)
    {
        int axis = ClassAxisOf(output.dim());
        long classes = output.size(axis);
        // Classes last, so one code path serves every layout; an output already laid out that way is not copied.
        var logits = axis == output.dim() - 1 ? output : output.movedim([axis], [-1]);
        var logProbabilities = nn.functional.log_softmax(logits, -1);
        long samples = output.size(0);
        long positions = output.numel() / classes;
        Tensor summed;
        if (IsLabels(output, target))
        {
            // Integer labels pick their log-probabilities (nll_loss), rather than multiplying by one-hot rows: the same
            // sum, without building and multiplying a [B, ..., C] tensor forward and backward at every step.
            var flat = logProbabilities.reshape(-1, classes);
            summed = nn.functional.nll_loss(flat, target.to(ScalarType.Int64).reshape(-1), reduction: nn.Reduction.Sum);
            // torch's label smoothing for labels: (1 - s) nll + s / C * sum_c (-log p_c), the same as smoothed rows.
            if (labelSmoothing > 0)
                summed = summed.Times(1 - labelSmoothing) - flat.sum().Times(labelSmoothing / classes);
        }
        else
        {
            var rows = axis == output.dim() - 1 ? target : target.movedim([axis], [-1]);
            if (labelSmoothing > 0) rows = rows.Times(1 - labelSmoothing).Plus(labelSmoothing / classes);
            summed = -(rows * logProbabilities).sum();
        }
        return summed.DividedBy(reduction.Divisor(samples, positions));
    }

    /// <summary>
    /// Integer labels along the last axis without smoothing (a classifier's [B, C], a token model's [B, T, C]): the value and
    /// the output error in one TorchScript call of the operators that <see cref="Value"/> and the autograd call of
    /// <see cref="LocallyDerivedLoss"/> run, in their order (log_softmax and nll_loss forward, the division; then the
    /// division's, nll_loss's and log_softmax's backward operators on a gradient of one), so bitwise that call's result
    /// (<c>CrossEntropyErrorTests</c>) at about half its cost: 26 against 63 us on 8 x 10 logits in float32. Z-IL takes
    /// this error at every step. Other layouts and targets take the autograd call.
    /// </summary>
    public override (Tensor Value, Tensor Error) ValueAndOutputError(Tensor output, Tensor target)
    {
        int axis = ClassAxisOf(output.dim());
        if (labelSmoothing > 0 || axis != output.dim() - 1 || !IsLabels(output, target)) return base.ValueAndOutputError(output, target);
        long classes = output.size(axis), divisor = reduction.Divisor(output.size(0), output.numel() / classes);
        // nll_loss's reduction 2 is Sum; -100 is libtorch's default ignore_index, which nn.functional.nll_loss passes.
        using var _ = no_grad();
        var result = ScriptedOperation.Run("logits: Tensor, target: Tensor", [
            "logp = torch.log_softmax(logits, -1)",
            $"flat = logp.reshape([-1, {classes}])",
            "labels = target.reshape([-1])",
            "summed = torch.nll_loss_forward(flat, labels, None, 2, -100)",
            $"value = summed[0] / {divisor}",
            $"ofSummed = torch.ones_like(value) / {divisor}",
            "ofFlat = torch.nll_loss_backward(ofSummed, flat, labels, None, 2, -100, summed[1])",
            "return (value, torch._log_softmax_backward_data(ofFlat.reshape(logp.shape), logp, -1, logits.dtype).neg())",
        ], output, target.to(ScalarType.Int64));
        return (result[0], result[1]);
    }

    /// <summary>
    /// True for integer labels that fit (<see cref="FitsLabels"/>), false for probability rows shaped like the logits;
    /// anything else is refused, naming both shapes.
    /// </summary>
    private bool IsLabels(Tensor output, Tensor target)
    {
        if (target.dtype is ScalarType.Int64 or ScalarType.Int32)
        {
            if (!FitsLabels(output.Sizes(), target.Sizes()))
                throw new ArgumentException($"ce: labels {Format(target.Sizes())} must have the logits' shape without the class axis " +
                                            $"{ClassAxisOf(output.dim())} ({Format(LabelShape(output.Sizes()))})");
            return true;
        }
        if (!target.Sizes().SequenceEqual(output.Sizes()))
            throw new ArgumentException($"ce: target rows {Format(target.Sizes())} must have the output's shape {Format(output.Sizes())}");
        return false;
    }
}
