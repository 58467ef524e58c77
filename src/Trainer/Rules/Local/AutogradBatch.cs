using System.Diagnostics;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Profiling;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The autograd tapes of one inference step, run backward in one call: their graphs are disjoint, so each product is the
/// one its own tape gives alone, bitwise, and the fixed cost of an autograd call (bench/README.md, "Reading the
/// results") is paid once per step rather than once per vertex.
/// </summary>
public sealed class AutogradBatch
{
    private readonly List<Vertex> _vertices = [];
    private readonly List<Tensor> _predictions = [];
    private readonly List<Tensor> _errors = [];

    public void Add(Vertex vertex, Tensor prediction, Tensor error)
    {
        _vertices.Add(vertex);
        _predictions.Add(prediction);
        _errors.Add(error);
    }

    /// <summary>
    /// The tapes' leaves and the parameter roots are the only tensors in their graphs that require a gradient, so the
    /// engine is not given them as inputs (it would walk each graph once more to mark what they need): each product
    /// lands in its leaf's gradient, and a root's terms are added to its gradient by autograd's AccumulateGrad.
    /// </summary>
    public void Run()
    {
        if (_predictions.Count == 0) return;
        if (StepProfile.Active is { SeparatesTapes: true } profile) RunEachTimed(profile);
        else autograd.backward(_predictions, _errors, null, false, null);
    }

    /// <summary>
    /// While zil's step is profiled: each tape in a call of its own, so that its time is its vertex's. The products are the
    /// same (the graphs are disjoint), and each vertex's time then includes the fixed cost of one autograd call.
    /// </summary>
    private void RunEachTimed(StepProfile profile)
    {
        for (int i = 0; i < _predictions.Count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            autograd.backward([_predictions[i]], [_errors[i]], null, false, null);
            profile.Add(ProfilePart.ZilSweep, _vertices[i], start);
        }
    }
}
