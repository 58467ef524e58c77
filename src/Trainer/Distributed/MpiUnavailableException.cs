using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Distributed;

/// <summary>Open MPI's library could not be loaded or initialised: the message says what to install.</summary>
public sealed class MpiUnavailableException(string template, Exception? inner = null) : SettingMessageException(template, inner);

/// <summary>A collective operation did not complete: a rank died or stopped answering.</summary>
public sealed class CollectiveFailedException(string message) : Exception(message);
