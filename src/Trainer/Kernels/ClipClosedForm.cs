using System.Globalization;
using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The product of Clip (<see cref="ClipKernel"/>) in one TorchScript call of the operator autograd's node runs: for ReLU6
/// (Clip 0..6, MobileNetV2's activation) relu6's, hardtanh_backward (the error where 0 &lt; x &lt; 6); for any other
/// finite bounds clamp's, which selects the error where min &lt;= x &lt;= max, bounds included, and 0 elsewhere (also where
/// min &gt; max, which no x satisfies) by where(). A Clip without bounds (a view) and non-finite bounds stay on a tape.
/// </summary>
public sealed class ClipClosedForm : ClosedForm<ClipSpec>
{
    protected override bool Covers(ClipSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        (spec.Min is not null || spec.Max is not null) && Finite(spec.Min) && Finite(spec.Max) && ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(ClipSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        if (ClipKernel.IsRelu6(spec))
            return [ScriptedOperation.Run("grad: Tensor, x: Tensor", ["return torch.hardtanh_backward(grad, x, 0.0, 6.0)"], error,
                inputs[0]!)[0]];
        var conditions = new List<string>();
        if (spec.Min is { } min) conditions.Add($"(x >= {Literal(min)})");
        if (spec.Max is { } max) conditions.Add($"(x <= {Literal(max)})");
        string passes = conditions.Count == 1 ? conditions[0] : $"{conditions[0]}.logical_and_({conditions[1]})";
        var product = ScriptedOperation.Run("grad: Tensor, x: Tensor", [$"return torch.where({passes}, grad, 0.0)"], error, inputs[0]!)[0];
        return [product];
    }

    /// <summary>A bound as a TorchScript float literal that reads back as the same double.</summary>
    private static string Literal(double bound)
    {
        string literal = bound.ToString("R", CultureInfo.InvariantCulture);
        return literal.Any(c => c is '.' or 'E') ? literal : literal + ".0";
    }

    private static bool Finite(double? bound) => bound is not { } value || double.IsFinite(value);
}
