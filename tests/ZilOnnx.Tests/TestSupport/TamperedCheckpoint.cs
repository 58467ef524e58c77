using System.IO.Compression;
using System.Text.Json.Nodes;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// A copy of a real checkpoint changed in one way, as a user or a broken copy could change it: an entry removed or
/// replaced, or its run state (checkpoint/state.json) edited as JSON or replaced by other text.
/// </summary>
public static class TamperedCheckpoint
{
    public const string State = "checkpoint/state.json";

    /// <summary>Copies <paramref name="original"/> to <paramref name="copy"/>, then applies <paramref name="change"/> to the copy's entries.</summary>
    public static string Write(string original, string copy, Action<ZipArchive> change)
    {
        File.Copy(original, copy, overwrite: true);
        using var zip = ZipFile.Open(copy, ZipArchiveMode.Update);
        change(zip);
        return copy;
    }

    public static void Remove(ZipArchive zip, string entry) => (zip.GetEntry(entry) ?? throw new ArgumentException($"no entry {entry}")).Delete();

    public static void Replace(ZipArchive zip, string entry, byte[] bytes)
    {
        zip.GetEntry(entry)?.Delete();
        using var stream = zip.CreateEntry(entry).Open();
        stream.Write(bytes);
    }

    public static byte[] Read(ZipArchive zip, string entry)
    {
        using var stream = (zip.GetEntry(entry) ?? throw new ArgumentException($"no entry {entry}")).Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Edits the run state as a JSON object.</summary>
    public static void EditState(ZipArchive zip, Action<JsonObject> edit)
    {
        var state = JsonNode.Parse(Read(zip, State))!.AsObject();
        edit(state);
        Replace(zip, State, System.Text.Encoding.UTF8.GetBytes(state.ToJsonString()));
    }
}
