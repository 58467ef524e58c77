namespace ZilOnnx.Converter.Graph;

/// <summary>Choices that shape the PCN built from one ONNX graph.</summary>
public sealed record PcGraphOptions
{
    /// <summary>
    /// Train on the logits before a final Softmax/LogSoftmax (the `ce` loss applies its own softmax); the
    /// exported graph keeps the node either way.
    /// </summary>
    public bool TrainOnLogits { get; init; }

    /// <summary>
    /// Train on the input of a final Sigmoid (the `bce` loss takes logits and applies its own sigmoid); the exported
    /// graph keeps the node either way.
    /// </summary>
    public bool TrainBeforeSigmoid { get; init; }

    /// <summary>Insert identity vertices so every path to the output has one length (docs/algorithms.md rule 2). Off only for
    /// ablations.</summary>
    public bool Levelling { get; init; } = true;

    /// <summary>
    /// The concrete shapes of the data inputs the PCN is built for (batch size included). Inputs not listed take
    /// their declared shape, with every symbolic dimension taken as 1.
    /// </summary>
    public IReadOnlyDictionary<string, long[]>? InputShapes { get; init; }

    /// <summary>
    /// Give every node that reads a shared trainable initializer its own copy (<see cref="SharedInitializers.Untie"/>);
    /// the graph's model is then the untied one, which export writes.
    /// </summary>
    public bool Untie { get; init; }

    /// <summary>The graph output to train; null means the first.</summary>
    public string? OutputName { get; init; }

    /// <summary>
    /// Initializers that are read as constants rather than trained (--freeze, --train, --train-last; see
    /// <see cref="TrainableSelection"/>). A vertex with no trainable parameter upstream is then computed from the data
    /// alone, so no rule computes an error or a gradient below the deepest trainable vertex, and export writes these
    /// initializers back untouched.
    /// </summary>
    public IReadOnlySet<string>? Frozen { get; init; }

    /// <summary>The statistics every BatchNormalization uses (`--bn`); null keeps what each node says (its training form or not).</summary>
    public BatchNormStatistics? BatchNorm { get; init; }
}
