using System.Text;

namespace Talos.Tests.Flux;

/// <summary>
/// A minimal protobuf writer for ONNX ModelProto, enough to build small test graphs in memory (no Python, no onnx
/// package): varints, length-delimited fields, nested messages.
/// </summary>
internal sealed class Proto
{
    readonly MemoryStream _buf = new();

    public byte[] ToArray() => _buf.ToArray();

    void Varint(ulong v)
    {
        while (v >= 0x80) { _buf.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _buf.WriteByte((byte)v);
    }

    void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    public Proto Int(int field, long value) { Tag(field, 0); Varint((ulong)value); return this; }
    public Proto Bytes(int field, byte[] value) { Tag(field, 2); Varint((ulong)value.Length); _buf.Write(value); return this; }
    public Proto Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));
    public Proto Msg(int field, Proto inner) => Bytes(field, inner.ToArray());
}

internal static class OnnxModels
{
    const int Float = 1;

    static Proto Node(string op, string output, params string[] inputs)
    {
        var n = new Proto();
        foreach (var i in inputs) n.Str(1, i);
        return n.Str(2, output).Str(3, op + "_" + output).Str(4, op);
    }

    /// <summary>ValueInfo of a float tensor; a dim is a fixed size (long) or a symbolic name (string).</summary>
    static Proto Value(string name, params object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims) shape.Msg(1, d is string s ? new Proto().Str(2, s) : new Proto().Int(1, Convert.ToInt64(d)));
        var tensor = new Proto().Int(1, Float).Msg(2, shape);
        return new Proto().Str(1, name).Msg(2, new Proto().Msg(1, tensor));
    }

    /// <summary>A RIFE-shaped linear blend: out = A + t·(B − A), with inputs A, B [1,3,H,W] and t [1] (opset 13).</summary>
    public static byte[] LinearBlend()
    {
        var graph = new Proto()
            .Msg(1, Node("Sub", "d", "img1", "img0"))
            .Msg(1, Node("Mul", "m", "d", "timestep"))
            .Msg(1, Node("Add", "out", "img0", "m"))
            .Str(2, "linear_blend")
            .Msg(11, Value("img0", 1L, 3L, "H", "W"))
            .Msg(11, Value("img1", 1L, 3L, "H", "W"))
            .Msg(11, Value("timestep", 1L))
            .Msg(12, Value("out", 1L, 3L, "H", "W"));
        return new Proto().Int(1, 8).Str(2, "talos-tests").Msg(7, graph).Msg(8, new Proto().Str(1, "").Int(2, 13)).ToArray();
    }
}
