using System.Text.Json;
using System.Text.Json.Serialization;
using ZilOnnx.Converter.Pcn;

namespace ZilOnnx.Cli.Reporting;

/// <summary>
/// JSON for reports whose numbers need not be finite (a relaxation that blew up, a NaN or infinite divergence).
/// System.Text.Json refuses NaN and Infinity by default, which would turn a failed verification into a crash; they
/// are written as the strings "NaN", "Infinity".
/// </summary>
public static class NonFiniteJson
{
    public static readonly JsonSerializerOptions Options = new(PcnArchive.Json)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
