using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Settings;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// The pre-flight check of a run: a training step whose estimate (<see cref="StepMemoryEstimate"/>) exceeds the memory
/// available now (<see cref="AvailableMemory"/>) is refused before the first step, naming the batch size, instead of
/// being left to fail inside libtorch halfway through a step (or, under a limit on address space, to be killed by the
/// kernel's OOM killer before any allocation fails). On a GPU the step's tensors live in the device's memory,
/// which TorchSharp does not report, so nothing is checked there; a CUDA allocation that fails is still an error
/// (<see cref="Trainer.Step"/>).
/// </summary>
public static class StepMemoryCheck
{
    /// <param name="batchSize">The batch size as given (--batch-size); under MPI each rank computes a shard of it.</param>
    /// <param name="available">What is available; null reads it now.</param>
    public static void EnsureFits(StepMemoryEstimate estimate, int batchSize, Device device, AvailableMemory? available = null)
    {
        if (device.type != TorchSharp.DeviceType.CPU) return;
        if ((available ?? AvailableMemory.Now()) is not { } free || estimate.Total <= free.Bytes) return;
        throw new StepMemoryException(
            $"{Setting.BatchSize} {batchSize}: one training step needs about {StepMemoryEstimate.Format(estimate.Total)} " +
            $"({estimate.Parts()}), but {StepMemoryEstimate.Format(free.Bytes)} are available under {free.Limit}; " +
            $"use a smaller {Setting.BatchSize}");
    }
}
