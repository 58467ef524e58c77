using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>The operators whose local products are written out (<see cref="IClosedForm"/>); every other stays with autograd.</summary>
public static class ClosedForms
{
    private static readonly Dictionary<Type, IClosedForm> Forms = new()
    {
        [typeof(GemmSpec)] = new GemmClosedForm(),
        [typeof(RecurrentStepSpec)] = new RnnStepClosedForm(),
    };

    /// <summary>The closed form of the operator, or null when it has none.</summary>
    public static IClosedForm? For(OpSpec spec) => Forms.GetValueOrDefault(spec.GetType());
}
