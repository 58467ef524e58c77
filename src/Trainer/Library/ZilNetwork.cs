using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Studies;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Trainer.Library;

/// <summary>
/// The library's entry point (docs/library.md): an ONNX model mapped onto its predictive-coding network, a data set, a
/// learning rule and an optimizer, trained step by step with every step checked against backprop as `finetune` does, its
/// value and error nodes open to inspection, and written back as ONNX. The parts (<see cref="Model"/>, <see cref="Rule"/>,
/// <see cref="Loss"/>, <see cref="Data"/>) are the types the command line uses, for whoever needs more than this.
/// </summary>
public sealed class ZilNetwork : IDisposable
{
    private readonly Training.Trainer _trainer;
    private readonly BatchOrder _order;

    private ZilNetwork(PcnModel model, ILearningRule rule, ILoss loss, DataSet data, BatchOrder order, Training.Trainer trainer)
    {
        Model = model; Rule = rule; Loss = loss; Data = data; _order = order; _trainer = trainer;
    }

    public PcnModel Model { get; }
    public ILearningRule Rule { get; }
    public ILoss Loss { get; }
    public DataSet Data { get; }
    /// <summary>The training steps taken so far.</summary>
    public long Steps => _trainer.StepsTaken;

    /// <summary>
    /// Reads the model (one data input) and the data (an .npz with `x` and `y`, or any DATA of docs/cli.md, "Data") and
    /// builds the network for batches of <see cref="NetworkOptions.BatchSize"/>.
    /// </summary>
    /// <exception cref="OnnxModelException">The model cannot be read or mapped (unsupported operator, ...).</exception>
    /// <exception cref="DataFormatException">The data cannot be read or do not fit the model.</exception>
    public static ZilNetwork Load(string modelPath, string dataPath, NetworkOptions? options = null)
    {
        options ??= new NetworkOptions();
        ModelProto onnx = OnnxModelFile.Load(modelPath);
        var inputs = ModelInputs.DataInputNames(onnx);
        if (inputs.Count != 1)
            throw new ArgumentException($"{modelPath}: the model has {inputs.Count} data inputs; training needs exactly one");
        string input = inputs[0];
        var data = DataSources.Load(dataPath, DataSplit.Train, input, ModelInputs.DeclaredShape(onnx, input),
            ModelInputs.IsIntegerInput(onnx, input));
        var loss = new LossSettings(options.Loss).Create();
        var graph = PcGraphBuilder.Build(onnx, modelPath, new PcGraphOptions
        {
            TrainOnLogits = loss.AppliesSoftmax,
            TrainBeforeSigmoid = loss.AppliesSigmoid,
            InputShapes = new Dictionary<string, long[]> { [input] = [options.BatchSize, .. data.Inputs.Shape[1..]] },
        });
        DataValidation.Check(data, graph.TrainingOutput.Shape, loss);
        var model = new PcnModel(graph, options.Precision, DeviceSelection.Resolve(options.Device))
        {
            DropoutMasks = new DropoutMasks(options.Seed),
        };
        var rule = RuleFactory.Create(options.Rule);
        var order = new BatchOrder(data.Count, options.BatchSize, options.Shuffle, options.Seed);
        var verification = new VerificationPolicy(options.VerifyEvery, options.Tolerance ?? options.Precision.DefaultTolerance(),
            Beside: options.VerifyBeside);
        var trainer = new Training.Trainer(model, rule, loss, new Sgd(options.LearningRate, options.Momentum), data, order, verification);
        return new ZilNetwork(model, rule, loss, data, order, trainer);
    }

    /// <summary>
    /// One training step on the next batch: the rule's update, applied by the optimizer, and, when due, its divergence from
    /// backprop's (<see cref="TrainingStep.Divergences"/>).
    /// </summary>
    /// <exception cref="VerificationFailedException">An exact rule's update is over the tolerance; the parameters are those before the
    /// step.</exception>
    public TrainingStep Step() => _trainer.Step();

    /// <summary>
    /// The value node, error node and energy term of every vertex over the inference steps of the rule on the batch the next
    /// <see cref="Step"/> takes, from the parameters as they are; nothing changes (the arrays of `verify --dump`).
    /// </summary>
    public VertexDump Inspect()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var batch = Data.Take(_order.IndicesOf(Steps), Model.DType, Model.Device);
        return VertexDump.Capture(Model, batch, Loss, Rule);
    }

    /// <summary>Writes the original ONNX graph with the trained initializers (same names, types and opset), atomically.</summary>
    public void Export(string onnxPath) =>
        OnnxModelFile.Save(ModelExport.WithInitializers(Model.Graph.Model, Model.ExportParameters()), onnxPath);

    public void Dispose()
    {
        _trainer.Dispose();
        Model.Dispose();
    }
}
