namespace ZilOnnx.Trainer.Settings;

/// <summary>
/// A setting the library refuses (a value out of range, a setting that does not apply to another): its message names
/// the settings by parameter name, and <see cref="Template"/> keeps their markers (<see cref="Setting"/>) so that a
/// front end can say it in its own terms.
/// </summary>
public sealed class SettingException(string template) : ArgumentException(Setting.Plain(template)), ISettingMessage
{
    public string Template { get; } = template;

    /// <summary>The parameter names of the settings the message names, in order.</summary>
    public IReadOnlyList<string> Settings => Setting.NamesIn(Template);
}
