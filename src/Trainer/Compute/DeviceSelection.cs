using ZilOnnx.Trainer.Settings;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

/// <summary>Turns --device auto|cpu|cuda[:N] into a TorchSharp device, with a clear message when CUDA is absent.</summary>
public static class DeviceSelection
{
    public static Device Resolve(string request)
    {
        string text = request.Trim().ToLowerInvariant();
        if (text == "cpu") return CPU;
        bool cudaAvailable = cuda.is_available();
        if (text == "auto") return cudaAvailable ? CUDA : CPU;
        if (text == "cuda" || text.StartsWith("cuda:"))
        {
            if (!cudaAvailable)
                throw new DeviceUnavailableException(
                    $"device '{request}': the CUDA backend is not present (this build links libtorch-cpu-linux-x64, " +
                    $"or no GPU is visible). " +
                    $"Use {Setting.Device} cpu, or build against a CUDA libtorch package of the same version (docs/development.md).");
            int index = text == "cuda" ? 0 : int.Parse(text[5..]);
            if (index >= cuda.device_count()) throw new DeviceUnavailableException($"device '{request}': only {cuda.device_count()} " +
                $"CUDA device(s) are visible");
            return new Device(TorchSharp.DeviceType.CUDA, index);
        }
        throw new ArgumentException($"device '{request}' is not one of auto, cpu, cuda, cuda:N");
    }
}

/// <summary>The device asked for is not there: the message says which one, and what to use instead.</summary>
public sealed class DeviceUnavailableException(string template) : SettingMessageException(template);
