using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// A model that converts but cannot be trained as the settings ask (batch statistics split into pieces): a conversion
/// error naming the file, whose one problem may name a setting (<see cref="ISettingMessage"/>).
/// </summary>
public sealed class ModelSettingException(string file, string problem)
    : ModelConversionException(file, [Setting.Plain(problem)]), ISettingMessage
{
    public string Template { get; } = $"{file}: {problem}";
}
