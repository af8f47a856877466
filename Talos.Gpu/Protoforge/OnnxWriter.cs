using System.Buffers.Binary;
using System.Text;

namespace Talos.Gpu.Protoforge;

/// <summary>
/// A minimal protobuf encoder: varints, length-delimited fields and nested messages, written in the order given (so
/// the same calls always give the same bytes). Enough for the ONNX messages <see cref="OnnxGraph"/> writes.
/// </summary>
public sealed class ProtoWriter
{
    readonly MemoryStream _buf = new();

    public byte[] ToArray() => _buf.ToArray();
    public long Length => _buf.Length;

    void Varint(ulong v)
    {
        while (v >= 0x80) { _buf.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _buf.WriteByte((byte)v);
    }

    void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    public ProtoWriter Int(int field, long value) { Tag(field, 0); Varint((ulong)value); return this; }
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buf.Write(b);
        return this;
    }
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value) { Tag(field, 2); Varint((ulong)value.Length); _buf.Write(value); return this; }
    public ProtoWriter Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));
    public ProtoWriter Msg(int field, ProtoWriter inner) { Tag(field, 2); Varint((ulong)inner._buf.Length); inner._buf.Position = 0; inner._buf.CopyTo(_buf); return this; }
    /// <summary>Fields already encoded (e.g. <see cref="ProtoField.Encoded"/> of a message read), copied as they are.</summary>
    public ProtoWriter Raw(ReadOnlySpan<byte> encoded) { _buf.Write(encoded); return this; }
}

/// <summary>
/// One field of a protobuf message as read by <see cref="ProtoReader"/>: its number, wire type, value (a varint's
/// number, or a length-delimited field's bytes) and the field's whole encoding (tag included), to copy it unchanged.
/// </summary>
public readonly record struct ProtoField(int Number, int Wire, ulong Varint, ReadOnlyMemory<byte> Bytes, ReadOnlyMemory<byte> Encoded)
{
    public string Text => Encoding.UTF8.GetString(Bytes.Span);
}

/// <summary>
/// A minimal protobuf decoder: the top-level fields of one message, in order (nested messages are read by reading their
/// <see cref="ProtoField.Bytes"/> again). With <see cref="ProtoWriter"/> it edits an ONNX model without a schema:
/// copy the fields to keep, write the ones to change. Malformed bytes are an <see cref="InvalidDataException"/>.
/// </summary>
public static class ProtoReader
{
    public static List<ProtoField> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        var span = message.Span;
        int pos = 0;
        while (pos < span.Length)
        {
            int start = pos;
            ulong tag = Varint(span, ref pos);
            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            ulong value = 0;
            ReadOnlyMemory<byte> bytes = default;
            switch (wire)
            {
                case 0: value = Varint(span, ref pos); break;
                case 1: pos += 8; break;
                case 2:
                    ulong length = Varint(span, ref pos);
                    if (length > (ulong)(span.Length - pos)) throw new InvalidDataException($"protobuf: field {number} is longer than its message");
                    bytes = message.Slice(pos, (int)length);
                    pos += (int)length;
                    break;
                case 5: pos += 4; break;
                default: throw new InvalidDataException($"protobuf: field {number} has wire type {wire}");
            }
            if (pos > span.Length) throw new InvalidDataException($"protobuf: field {number} runs past the message");
            fields.Add(new ProtoField(number, wire, value, bytes, message[start..pos]));
        }
        return fields;
    }

    static ulong Varint(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (pos >= span.Length || shift > 63) throw new InvalidDataException("protobuf: a varint runs past the message");
            byte b = span[pos++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
    }

    /// <summary>The text of the first field <paramref name="number"/> of a message ("" when it has none): an ONNX name.</summary>
    public static string Text(ReadOnlyMemory<byte> message, int number) =>
        Fields(message).FirstOrDefault(f => f.Number == number && f.Wire == 2).Text;
}

/// <summary>
/// An ONNX graph built node by node and written as a ModelProto: only the fields Talos needs (ModelProto ir_version,
/// opset_import, producer, graph; GraphProto node, name, initializer, input, output; NodeProto input, output, name,
/// op_type, attribute; AttributeProto float, int, string, floats, ints; TensorProto dims, data_type, name, raw_data;
/// ValueInfoProto with a float tensor type and a shape of fixed and named dims).
/// </summary>
public sealed class OnnxGraph(string name)
{
    public const int FloatType = 1, Int64Type = 7;
    const int AttrFloat = 1, AttrInt = 2, AttrString = 3, AttrFloats = 6, AttrInts = 7;

    readonly List<ProtoWriter> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    readonly HashSet<string> _names = [];
    int _counter;

    /// <summary>A fresh value name with the given stem (never one already used in this graph).</summary>
    public string Fresh(string stem)
    {
        string n;
        do n = $"{stem}_{_counter++}"; while (!_names.Add(n));
        return n;
    }

    public void Input(string name, params object[] dims) { _names.Add(name); _inputs.Add(ValueInfo(name, dims)); }
    public void Output(string name, params object[] dims) => _outputs.Add(ValueInfo(name, dims));

    /// <summary>A float initializer of the given shape.</summary>
    public string Floats(string stem, float[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        return Tensor(stem, FloatType, raw, dims);
    }

    /// <summary>An int64 initializer of the given shape (a 0-d scalar when no dims are given).</summary>
    public string Int64s(string stem, long[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        return Tensor(stem, Int64Type, raw, dims);
    }

    string Tensor(string stem, int type, byte[] raw, long[] dims)
    {
        var n = Fresh(stem);
        var t = new ProtoWriter();
        foreach (var d in dims) t.Int(1, d);
        t.Int(2, type).Str(8, n).Bytes(9, raw);
        _initializers.Add(t);
        return n;
    }

    /// <summary>
    /// A node; attributes are (name, value) with value a float, int/long, string, float[] or long[]. Its output is
    /// <paramref name="output"/> when given, else a fresh name; that name is returned.
    /// </summary>
    public string Node(string op, string[] inputs, string? output = null, params (string Name, object Value)[] attributes)
    {
        output ??= Fresh(op.ToLowerInvariant());
        _names.Add(output);
        _nodes.Add(NodeProto(op, inputs, [output], attributes));
        return output;
    }

    /// <summary>A NodeProto (named after its first output) with the attributes of <see cref="Node"/>.</summary>
    public static ProtoWriter NodeProto(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var n = new ProtoWriter();
        foreach (var i in inputs) n.Str(1, i);
        foreach (var o in outputs) n.Str(2, o);
        n.Str(3, $"{op}:{outputs[0]}").Str(4, op);
        foreach (var (an, av) in attributes)
        {
            var a = new ProtoWriter().Str(1, an);
            switch (av)
            {
                case float f: a.Float(2, f).Int(20, AttrFloat); break;
                case int i: a.Int(3, i).Int(20, AttrInt); break;
                case long l: a.Int(3, l).Int(20, AttrInt); break;
                case string s: a.Str(4, s).Int(20, AttrString); break;
                case float[] fs: foreach (var f in fs) a.Float(7, f); a.Int(20, AttrFloats); break;
                case long[] ls: foreach (var l in ls) a.Int(8, l); a.Int(20, AttrInts); break;
                default: throw new ArgumentException($"attribute {an}: unsupported value {av?.GetType().Name}");
            }
            n.Msg(5, a);
        }
        return n;
    }

    /// <summary>A ValueInfoProto: a float tensor with fixed (long) and named (string) dims.</summary>
    public static ProtoWriter ValueInfo(string name, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims) shape.Msg(1, d is string s ? new ProtoWriter().Str(2, s) : new ProtoWriter().Int(1, Convert.ToInt64(d)));
        var tensor = new ProtoWriter().Int(1, FloatType).Msg(2, shape);
        return new ProtoWriter().Str(1, name).Msg(2, new ProtoWriter().Msg(1, tensor));
    }

    /// <summary>The ModelProto's bytes (IR version 8, the default domain at <paramref name="opset"/>).</summary>
    public byte[] ToModel(int opset, string producer, string producerVersion, string docString)
    {
        var g = new ProtoWriter();
        foreach (var n in _nodes) g.Msg(1, n);
        g.Str(2, name);
        foreach (var t in _initializers) g.Msg(5, t);
        g.Str(10, docString);
        foreach (var i in _inputs) g.Msg(11, i);
        foreach (var o in _outputs) g.Msg(12, o);
        return new ProtoWriter().Int(1, 8).Str(2, producer).Str(3, producerVersion).Msg(7, g)
            .Msg(8, new ProtoWriter().Str(1, "").Int(2, opset)).ToArray();
    }
}
