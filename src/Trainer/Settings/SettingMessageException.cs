namespace ZilOnnx.Trainer.Settings;

/// <summary>
/// The base of the library's errors that are not about a setting's value yet may name one in their advice (a smaller
/// batch size, another device): each keeps its own type, and with it its place among a front end's exit codes.
/// </summary>
public abstract class SettingMessageException(string template, Exception? inner = null)
    : Exception(Setting.Plain(template), inner), ISettingMessage
{
    public string Template { get; } = template;
}
