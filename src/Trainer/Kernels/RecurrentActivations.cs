using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>The activation functions ONNX allows inside RNN/LSTM/GRU cells, with the formulas of their ONNX operators.</summary>
internal static class RecurrentActivations
{
    public static Tensor Apply(RecurrentActivation f, Tensor x) => f.Name switch
    {
        "Relu" => nn.functional.relu(x),
        "Tanh" => tanh(x),
        "Sigmoid" => sigmoid(x),
        "Affine" => x * f.Alpha + f.Beta,
        "LeakyRelu" => nn.functional.leaky_relu(x, f.Alpha),
        "ThresholdedRelu" => x * (x > f.Alpha).to(x.dtype),
        "ScaledTanh" => tanh(x * f.Beta) * f.Alpha,
        "HardSigmoid" => (x * f.Alpha + f.Beta).clamp(0.0, 1.0),
        "Elu" => nn.functional.elu(x, f.Alpha),
        "Softsign" => x / (x.abs() + 1),
        "Softplus" => nn.functional.softplus(x),
        _ => throw new KernelException($"recurrent activation '{f.Name}' has no kernel"),
    };
}
