using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Onnx;

/// <summary>
/// Writes a model back as it came, with new values for some initializers: names, element types, layouts,
/// nodes, opsets and metadata are untouched, so whatever consumed the original consumes the result.
/// </summary>
public static class ModelExport
{
    public static ModelProto WithInitializers(ModelProto original, IReadOnlyDictionary<string, HostTensor> values)
    {
        var model = original.Clone();
        var initializers = model.Graph.Initializer;
        var remaining = new HashSet<string>(values.Keys);
        for (int i = 0; i < initializers.Count; i++)
        {
            var old = initializers[i];
            if (!values.TryGetValue(old.Name, out var value)) continue;
            if (!value.Shape.SequenceEqual(old.Dims))
                throw new ArgumentException($"initializer '{old.Name}': new shape [{string.Join(",", value.Shape)}] differs from " +
                    $"[{string.Join(",", old.Dims)}]");
            var stored = new HostTensor((TensorProto.Types.DataType)old.DataType, value.Shape, value.Values);
            var encoded = TensorCodec.Encode(old.Name, stored);
            if (old.HasDocString) encoded.DocString = old.DocString;
            encoded.MetadataProps.AddRange(old.MetadataProps);
            initializers[i] = encoded;
            remaining.Remove(old.Name);
        }
        if (remaining.Count > 0) throw new ArgumentException($"no initializer named {string.Join(", ", remaining)}");
        return model;
    }
}
