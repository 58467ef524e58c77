using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Y: the hidden part of every step's state, zero beyond each sequence's length, in the node's layout.</summary>
public sealed class RecurrentSequenceKernel : Kernel<RecurrentSequenceSpec>
{
    protected override Tensor Forward(RecurrentSequenceSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        long steps = spec.SequenceLength, n = spec.HiddenSize;
        var lengths = inputs.Count > spec.Directions * steps ? inputs[(int)(spec.Directions * steps)] : null;
        var perTime = new List<Tensor>();
        for (long t = 0; t < steps; t++)
        {
            var directions = new List<Tensor>();
            for (int d = 0; d < spec.Directions; d++)
            {
                var h = inputs[(int)(d * steps + t)]!.narrow(1, 0, n);
                if (lengths is not null) h = where(lengths.GreaterThan(t).reshape(-1, 1), h, zeros_like(h));
                directions.Add(h);
            }
            perTime.Add(stack(directions));
        }
        var y = stack(perTime);
        return spec.Layout == 0 ? y : y.permute(2, 0, 1, 3);
    }
}

/// <summary>
/// Y_h or Y_c: each direction's last state, hidden or cell part, in the node's layout. A sequence of length 0
/// has no last state: ONNX Runtime gives zeros there (the step vertices kept the initial state).
/// </summary>
public sealed class RecurrentFinalStateKernel : Kernel<RecurrentFinalStateSpec>
{
    protected override Tensor Forward(RecurrentFinalStateSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        long n = spec.HiddenSize;
        var lengths = inputs.Count > spec.Directions ? inputs[spec.Directions] : null;
        var y = stack(inputs.Take(spec.Directions).Select(s =>
        {
            var part = s!.narrow(1, spec.CellPart ? n : 0, n);
            return lengths is null ? part : where(lengths.GreaterThan(0).reshape(-1, 1), part, zeros_like(part));
        }).ToList());
        return spec.Layout == 0 ? y : y.permute(1, 0, 2);
    }
}
