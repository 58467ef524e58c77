using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Applies --num-classes and the trainable selection to a model, continuing a checkpoint's: its model already carries
/// the new head, and it resumes with the initializers it froze, so the same options (or none) must be given.
/// </summary>
public static class TransferSetup
{
    /// <summary>
    /// The model with fresh parameters (--reinit) and its new head (--num-classes), neither again for a checkpoint, whose
    /// model has both already, or as it is.
    /// </summary>
    public static ModelSource ApplySurgery(ModelSource source, int? numClasses, bool reinit, int seed, bool resumed, List<string> notices)
    {
        if (reinit && resumed) notices.Add("--reinit: a checkpoint continues its run from the parameters it recorded, not drawn again");
        else if (reinit) source = Reinitialise(source, seed, notices);
        if (numClasses is not { } classes || resumed) return source;
        var (replaced, head) = source.WithNewHead(classes, seed);
        notices.Add($"--num-classes {classes}: replaced {head.Describe} ({head.Classes} classes) with a new head of {classes} outputs, " +
            $"initialised from --seed");
        return replaced;
    }

    private static ModelSource Reinitialise(ModelSource source, int seed, List<string> notices)
    {
        var (fresh, drawn, kept) = source.WithFreshParameters(seed);
        notices.Add($"--reinit: drew {drawn.Count} initializers afresh from --seed {seed} (torch.nn's initialisation for their layers)" +
            (kept.Count == 0 ? "" : $"; kept {kept.Count} that no such layer reads as a parameter: {string.Join(", ", kept)}"));
        return fresh;
    }

    /// <summary>
    /// The PCN with the selected initializers frozen, resolved on the graph with every parameter trainable, and that set.
    /// </summary>
    /// <param name="recorded">A resumed checkpoint's frozen set (empty when all trained), or null for a fresh run.</param>
    public static (PcGraph Graph, IReadOnlySet<string> Frozen) BuildGraph(ModelSource source, PcGraphOptions options,
        TrainableSelection selection,
        IReadOnlyCollection<string>? recorded, List<string> notices)
    {
        if (recorded == null && selection.TrainsAll) return (source.BuildGraph(options), new HashSet<string>());
        var selected = selection.TrainsAll ? null : selection.FrozenIn(source.BuildGraph(options));
        if (recorded != null && selected != null && !selected.SetEquals(recorded))
            throw new ArgumentException($"{source.Path}: the checkpointed run froze {recorded.Count} initializers; --freeze, --train " +
                $"and --train-last " +
                                        "select others, which would not continue it (leave them out to keep the checkpoint's)");
        var frozen = selected ?? recorded!.ToHashSet();
        var graph = source.BuildGraph(options with { Frozen = frozen });
        if (frozen.Count > 0)
        {
            int fullDepth = graph.Vertices.Where(v => v.ReachesOutput && v.Kind != VertexKind.DataInput).Max(v => v.Depth);
            notices.Add($"training {graph.Parameters.Count} initializers ({string.Join(", ", graph.Parameters.Select(p => p.Name))}), " +
                $"{frozen.Count} frozen: the Z-IL schedule stops at depth {graph.MaxDepth} of {fullDepth}");
        }
        return (graph, frozen);
    }
}
