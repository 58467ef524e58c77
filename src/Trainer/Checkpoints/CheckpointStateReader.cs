using System.Collections;
using System.Reflection;
using System.Text.Json;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Trainer.Checkpoints;

/// <summary>
/// Reads a checkpoint's run state as <see cref="Checkpoint.Save"/> writes it, or says which field is not what it
/// wrote: text that is not JSON, a field missing or of another type, a value out of its range (a negative step, an
/// unknown rule). The deserializer alone fills a missing field with a default and lets any number through, and
/// the run then fails far away (an index out of range, a null reference) or, worse, runs with the default.
/// </summary>
public static class CheckpointStateReader
{
    private static readonly JsonNamingPolicy Naming = JsonNamingPolicy.SnakeCaseLower;

    /// <param name="entry">The state's entry name, which every message starts with.</param>
    public static CheckpointState Read(byte[] json, string entry)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new DataFormatException(entry, null, $"not JSON ({FirstSentence(e.Message)})");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(entry, null, $"not a JSON object but {Describe(root.ValueKind)}");

        int version = 1; // states of the first format did not record it
        if (root.TryGetProperty(Field(nameof(CheckpointState.Version)), out var stamped)
            && !(stamped.ValueKind == JsonValueKind.Number && stamped.TryGetInt32(out version)))
            throw Bad(entry, nameof(CheckpointState.Version), "is not a whole number");
        // A newer state may hold settings this version would silently drop, and then not continue the run.
        if (version > CheckpointState.CurrentVersion)
            throw new DataFormatException(entry, null,
                $"run state version {version} is newer than this zilonnx reads ({CheckpointState.CurrentVersion})");
        if (version < 1) throw Bad(entry, nameof(CheckpointState.Version), $"is {version}; versions start at 1");

        foreach (string required in RequiredFields(version))
            if (!root.TryGetProperty(required, out var value) || value.ValueKind == JsonValueKind.Null)
                throw new DataFormatException(entry, null, $"field '{required}' is missing" +
                    (required == Field(nameof(CheckpointState.Manifest))
                        ? $" (every state of version {CheckpointState.ManifestVersion} or later has one)"
                        : ""));

        CheckpointState state;
        try
        {
            state = root.Deserialize<CheckpointState>(PcnArchive.Json)!;
        }
        catch (JsonException e) when (e.Path is { Length: > 1 } path)
        {
            throw new DataFormatException(entry, null, $"field '{path.TrimStart('$', '.')}' is not {Expected(path)}");
        }
        CheckpointStateRanges.Check(state, entry);
        return state;
    }

    /// <summary>
    /// The constructor's parameters without defaults (present in every version), and the manifest from its version
    /// on: taken from the record itself so that a new field cannot be forgotten here.
    /// </summary>
    private static IEnumerable<string> RequiredFields(int version)
    {
        var constructor = typeof(CheckpointState).GetConstructors().Single(c => c.GetParameters().Length > 1);
        foreach (var parameter in constructor.GetParameters().Where(p => !p.HasDefaultValue)) yield return Field(parameter.Name!);
        if (version >= CheckpointState.ManifestVersion) yield return Field(nameof(CheckpointState.Manifest));
    }

    internal static string Field(string propertyName) => Naming.ConvertName(propertyName);

    internal static DataFormatException Bad(string entry, string propertyName, string problem) =>
        new(entry, null, $"field '{Field(propertyName)}' {problem}");

    /// <summary>What the value at a deserializer's path (e.g. <c>$.manifest.parameters[0].shape</c>) should be, in words.</summary>
    private static string Expected(string path)
    {
        Type? type = typeof(CheckpointState);
        foreach (string segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            int bracket = segment.IndexOf('[');
            string name = bracket < 0 ? segment : segment[..bracket];
            type = type?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => Field(p.Name) == name)?.PropertyType;
            for (int i = segment.IndexOf('['); i >= 0 && type != null; i = segment.IndexOf('[', i + 1)) type = ElementOf(type);
        }
        return type == null ? "of the type the field has" : Describe(type);
    }

    private static Type? ElementOf(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : type.GetInterfaces().Append(type)
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(double)) return "a number";
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        return typeof(IEnumerable).IsAssignableFrom(type) ? "a list" : "an object";
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd(' ', '|', '.');
}
