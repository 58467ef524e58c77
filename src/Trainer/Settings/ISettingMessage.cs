namespace ZilOnnx.Trainer.Settings;

/// <summary>
/// An error whose message may name settings: its <see cref="Exception.Message"/> names them by parameter name, and
/// <see cref="Template"/> keeps their markers (<see cref="Setting"/>) so that a front end can say it in its own terms.
/// </summary>
public interface ISettingMessage
{
    /// <summary>The message with each setting's marker in place of its name.</summary>
    string Template { get; }
}
