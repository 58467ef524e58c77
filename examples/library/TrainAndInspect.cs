using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Library;

namespace ZilOnnx.Examples;

public static class TrainAndInspect
{
    /// <summary>Fine-tunes an ONNX classifier with Z-IL for K steps, prints every vertex's error, and exports the model.</summary>
    public static void Run(string modelPath, string dataPath, string outputPath, int steps, TextWriter log)
    {
        // The ONNX model mapped onto its predictive-coding network, with an .npz of inputs `x` and labels `y`.
        using var network = ZilNetwork.Load(modelPath, dataPath, new NetworkOptions
        {
            Rule = "zil",
            Loss = "ce",
            BatchSize = 8,
            LearningRate = 0.05,
            Precision = Precision.Float64,
        });

        // K steps of the rule; each update is checked against backprop's (an exact rule over the tolerance throws).
        for (int k = 0; k < steps; k++)
        {
            var step = network.Step();
            log.WriteLine($"step {step.Step}: loss {step.Loss:F4}, divergence from backprop {step.MaxRelativeDivergence:E1}");
        }

        // Every vertex's error node on the next batch: for zil, eps_v at its inference step d(v), backprop's -dLoss/d(mu_v).
        var dump = network.Inspect();
        foreach (var vertex in dump.Vertices)
        {
            double largest = dump.Error(vertex.Name).Values.Max(Math.Abs);
            log.WriteLine($"{vertex.Name} (d = {vertex.Depth}): largest |error| {largest:E3}");
        }

        // The original graph with the trained initializers, for ONNX Runtime or any ONNX consumer.
        network.Export(outputPath);
    }
}
