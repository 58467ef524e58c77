using System.Text.RegularExpressions;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// Which parameters train: `--freeze GLOB,...` and `--train GLOB,...` match initializer names, or node names (meaning the
/// initializers the node reads); `--train-last K` trains the K parameterized layers nearest the output. Resolved against
/// a graph built with every parameter trainable, into the set of initializers to build the training graph with as constants.
/// </summary>
public sealed record TrainableSelection(IReadOnlyList<string> Freeze, IReadOnlyList<string> Train, int? TrainLast)
{
    public static readonly TrainableSelection All = new([], [], null);

    public bool TrainsAll => Freeze.Count == 0 && Train.Count == 0 && TrainLast == null;

    /// <summary>
    /// The initializers to freeze; a selection the graph cannot satisfy is refused, naming the option (a
    /// <see cref="ModelConversionException"/>: about the model), and --train with --train-last, which no model satisfies,
    /// as conflicting options (an <see cref="ArgumentException"/>: a usage error).
    /// </summary>
    /// <param name="graph">The model's PCN with nothing frozen.</param>
    public IReadOnlySet<string> FrozenIn(PcGraph graph)
    {
        if (Train.Count > 0 && TrainLast != null)
            throw new ArgumentException("--train and --train-last exclude each other: give one of them (and --freeze to take some of " +
                "its parameters out)");
        var all = graph.Parameters.Select(p => p.Name).ToHashSet();
        var kept = Train.Count > 0 ? Matching(graph, "--train", Train)
            : TrainLast is { } k ? LastLayers(graph, k)
            : all;
        var frozen = Matching(graph, "--freeze", Freeze);
        if (Train.Count > 0 && kept.FirstOrDefault(frozen.Contains) is { } both)
            throw Fail(graph, $"parameter '{both}' is selected by both --train and --freeze");
        var trainable = kept.Except(frozen).ToList();
        if (trainable.Count == 0)
            throw Fail(graph, $"the selection leaves no parameter to train (the model has {all.Count})");
        return all.Except(trainable).ToHashSet();
    }

    private static HashSet<string> Matching(PcGraph graph, string option, IReadOnlyList<string> globs)
    {
        var selected = new HashSet<string>();
        foreach (string glob in globs)
        {
            var pattern = GlobPattern(glob);
            var hits = graph.Parameters.Where(p => pattern.IsMatch(p.Name) || p.Readers.Any(r => pattern.IsMatch(r.NodeName))).ToList();
            if (hits.Count == 0)
                throw Fail(graph, $"{option} '{glob}' matches no initializer and no node that reads one (initializers: {Sample(graph)})");
            selected.UnionWith(hits.Select(p => p.Name));
        }
        return selected;
    }

    private static HashSet<string> LastLayers(PcGraph graph, int count)
    {
        var layers = ParameterizedLayers.Of(graph);
        if (count > layers.Count)
            throw Fail(graph, $"--train-last {count}: the model has {layers.Count} parameterized layers");
        return layers.Take(count).SelectMany(l => l.Parameters).Select(p => p.Name).ToHashSet();
    }

    /// <summary>Shell-style: `*` any run of characters, `?` one character, the whole name must match (names are case-sensitive in
    /// ONNX).</summary>
    private static Regex GlobPattern(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);

    private static string Sample(PcGraph graph)
    {
        var names = graph.Parameters.Select(p => p.Name).ToList();
        return string.Join(", ", names.Take(8)) + (names.Count > 8 ? $", ... ({names.Count} in all)" : "");
    }

    private static ModelConversionException Fail(PcGraph graph, string problem) => new(graph.File, [problem]);
}
