using System.Text;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Typed access to a node's attributes with the spec's defaults. It remembers which attributes were asked
/// for, so that a mapping can reject any attribute it does not understand instead of ignoring it.
/// </summary>
public sealed class AttributeReader(NodeProto node, Func<string, Exception> fail)
{
    private readonly Dictionary<string, AttributeProto> _byName = ByName(node, fail);
    private readonly HashSet<string> _known = [];

    public bool Has(string name) { _known.Add(name); return _byName.ContainsKey(name); }

    public long Int(string name, long defaultValue) => Get(name, AttributeProto.Types.AttributeType.Int) is { } a ? a.I : defaultValue;

    public float Float(string name, float defaultValue) => Get(name, AttributeProto.Types.AttributeType.Float) is { } a ? a.F
        : defaultValue;

    public string String(string name, string defaultValue) =>
        Get(name, AttributeProto.Types.AttributeType.String) is { } a ? Encoding.UTF8.GetString(a.S.Span) : defaultValue;

    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints) is { } a ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats) is { } a ? a.Floats.ToArray() : null;

    public string[]? Strings(string name) =>
        Get(name, AttributeProto.Types.AttributeType.Strings) is { } a ? a.Strings.Select(b => Encoding.UTF8.GetString(b.Span)).ToArray()
            : null;

    public TensorProto? Tensor(string name) => Get(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>Accepts an attribute the mapping has no use for because it cannot change the result (e.g. Dropout's seed).</summary>
    public void Ignore(params string[] names) { foreach (string n in names) _known.Add(n); }

    /// <summary>Throws if the node carries an attribute that no accessor asked for.</summary>
    public void RejectUnknown()
    {
        string[] unknown = _byName.Keys.Where(k => !_known.Contains(k)).ToArray();
        if (unknown.Length > 0) throw fail($"attribute(s) {string.Join(", ", unknown)} not supported");
    }

    private static Dictionary<string, AttributeProto> ByName(NodeProto node, Func<string, Exception> fail)
    {
        var byName = new Dictionary<string, AttributeProto>();
        foreach (var a in node.Attribute)
            if (!byName.TryAdd(a.Name, a)) throw fail($"attribute '{a.Name}' is given twice");
        return byName;
    }

    private AttributeProto? Get(string name, AttributeProto.Types.AttributeType expected)
    {
        _known.Add(name);
        if (!_byName.TryGetValue(name, out var a)) return null;
        // IR 3 files may leave `type` unset; trust the payload then.
        if (a.Type != AttributeProto.Types.AttributeType.Undefined && a.Type != expected)
            throw fail($"attribute '{name}' has type {a.Type}, expected {expected}");
        return a;
    }
}
