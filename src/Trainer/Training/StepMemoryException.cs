using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// A training step does not fit in memory: refused before the first step (its estimate exceeds what is available), or
/// a step that ran out of memory all the same. The message names the batch size, which is what the user can change.
/// </summary>
public sealed class StepMemoryException(string template, Exception? inner = null) : SettingMessageException(template, inner);
