using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
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
        "Affine" => x.Times(f.Alpha).Plus(f.Beta),
        "LeakyRelu" => x.LeakyRelu(f.Alpha),
        "ThresholdedRelu" => x * x.GreaterThan(f.Alpha).to(x.dtype),
        "ScaledTanh" => tanh(x.Times(f.Beta)).Times(f.Alpha),
        "HardSigmoid" => x.Times(f.Alpha).Plus(f.Beta).Clamp(0.0, 1.0),
        "Elu" => x.Elu(f.Alpha),
        "Softsign" => x / x.abs().Plus(1),
        "Softplus" => nn.functional.softplus(x),
        _ => throw new KernelException($"recurrent activation '{f.Name}' has no kernel"),
    };
}
