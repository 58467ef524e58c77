using Google.Protobuf;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The single-node model of a <see cref="RecurrentCase"/>: X (and the initial states when the case says so) are
/// graph inputs; W, R, B, P, sequence_lens and the other initial states are initializers. Output shapes are left
/// undeclared, so that neither side is told the answer.
/// </summary>
internal static class RecurrentNodeModel
{
    /// <summary>The model in the given layout, and the data to feed it (tensors transposed to that layout).</summary>
    public static (ModelProto Model, Dictionary<string, HostTensor> Feeds) Build(RecurrentCase c, RecurrentCaseTensors t, int layout)
    {
        var builder = new ModelBuilder(irVersion: 8, opset: c.Opset);
        var feeds = new Dictionary<string, HostTensor>();
        void Data(string name, HostTensor value)
        {
            builder.Input(name, value.Shape);
            feeds[name] = value;
        }
        void Constant(string name, HostTensor value) => builder.Initializer(TensorCodec.Encode(name, value));

        // Layout 1 swaps the first two axes of X, the initial states and Y_h/Y_c.
        HostTensor InLayout(HostTensor value) => layout == 0 ? value : RecurrentCaseTensors.Permute(value, 1, 0, 2);
        Data("X", InLayout(t.X));
        Constant("W", t.W);
        Constant("R", t.R);
        var inputs = new List<string> { "X", "W", "R", "", "", "", "", "" };
        if (c.Bias) { Constant("B", t.B); inputs[3] = "B"; }
        if (c.SequenceLengths is { } lengths)
        {
            builder.Initializer(Int32Tensor("sequence_lens", lengths));
            inputs[4] = "sequence_lens";
        }
        foreach (var (slot, name, present, value) in new[] { (5, "initial_h", c.InitialH, t.InitialH), (6, "initial_c", c.InitialC, t.InitialC) })
        {
            if (!present) continue;
            if (c.InitialStatesAsData) Data(name, InLayout(value)); else Constant(name, InLayout(value));
            inputs[slot] = name;
        }
        if (c.Peepholes) { Constant("P", t.P); inputs[7] = "P"; }
        while (inputs[^1] == "") inputs.RemoveAt(inputs.Count - 1);

        var model = builder.Build();
        var node = ModelBuilder.NewNode(c.OpType, [.. inputs], c.OutputNames, "recurrent");
        node.Attribute.Add(Int("hidden_size", c.Hidden));
        // An explicit direction="forward" and layout=0 half the time, so that both spellings of the defaults are read.
        if (c.Direction != "forward" || c.Seed % 2 == 0) node.Attribute.Add(Text("direction", c.Direction));
        if (layout == 1 || (c.Opset >= 14 && c.Seed % 2 == 0)) node.Attribute.Add(Int("layout", layout));
        if (c.Clip is { } clip) node.Attribute.Add(new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = clip });
        if (c.Activations is { } activations)
        {
            var a = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
            a.Strings.AddRange(activations.Select(ByteString.CopyFromUtf8));
            node.Attribute.Add(a);
        }
        if (c.Alphas is { } alphas) node.Attribute.Add(Floats("activation_alpha", alphas));
        if (c.Betas is { } betas) node.Attribute.Add(Floats("activation_beta", betas));
        if (c.InputForget is { } inputForget) node.Attribute.Add(Int("input_forget", inputForget));
        if (c.LinearBeforeReset is { } lbr) node.Attribute.Add(Int("linear_before_reset", lbr));
        model.Graph.Node.Add(node);
        foreach (string output in c.OutputNames.Where(n => n != ""))
            model.Graph.Output.Add(new ValueInfoProto
            {
                Name = output,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } },
            });
        return (model, feeds);
    }

    /// <summary>A graph output of the layout-0 model rearranged as the layout-1 model gives it.</summary>
    public static HostTensor ToLayout1(string output, HostTensor layout0) =>
        output == "Y" ? RecurrentCaseTensors.Permute(layout0, 2, 0, 1, 3) : RecurrentCaseTensors.Permute(layout0, 1, 0, 2);

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static AttributeProto Floats(string name, float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    private static TensorProto Int32Tensor(string name, int[] values)
    {
        var bytes = new byte[values.Length * sizeof(int)];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        return ModelBuilder.RawTensor(name, DataType.Int32, [values.Length], bytes);
    }
}
