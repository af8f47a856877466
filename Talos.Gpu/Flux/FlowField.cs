using System.Buffers.Binary;

namespace Talos.Gpu.Flux;

/// <summary>
/// A dense motion field: pixel (x, y) of the first image moves to (x + U, y + V) in the second. Row-major, like the
/// images. Reads and writes the Middlebury .flo format ("PIEH" as a float tag, int32 width and height, then u,v float
/// pairs row by row; little-endian).
/// </summary>
public sealed class FlowField
{
    public const float FloTag = 202021.25f;
    /// <summary>Middlebury's marker for an unknown flow component.</summary>
    public const float Unknown = 1e9f;

    public int Width { get; }
    public int Height { get; }
    public float[] U { get; }
    public float[] V { get; }

    public FlowField(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"flow size {width}x{height} must be positive");
        Width = width; Height = height;
        U = new float[checked(width * height)];
        V = new float[width * height];
    }

    public FlowField(int width, int height, float[] u, float[] v)
    {
        if (width <= 0 || height <= 0 || u.Length != width * height || v.Length != width * height)
            throw new ArgumentException($"flow planes do not match size {width}x{height}");
        Width = width; Height = height; U = u; V = v;
    }

    /// <summary>Mean endpoint error against <paramref name="truth"/> over pixels where <paramref name="mask"/> (if given) is true and the truth is known.</summary>
    public double EndpointError(FlowField truth, Func<int, bool>? mask = null)
    {
        if (truth.Width != Width || truth.Height != Height) throw new ArgumentException("flow sizes differ");
        double sum = 0; long n = 0;
        for (int i = 0; i < U.Length; i++)
        {
            if (Math.Abs(truth.U[i]) >= Unknown * 0.5f || (mask is not null && !mask(i))) continue;
            double du = U[i] - truth.U[i], dv = V[i] - truth.V[i];
            sum += Math.Sqrt(du * du + dv * dv); n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    public byte[] ToFlo()
    {
        var bytes = new byte[12 + 8L * U.Length];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteSingleLittleEndian(s, FloTag);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], Width);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], Height);
        for (int i = 0, o = 12; i < U.Length; i++, o += 8)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[o..], U[i]);
            BinaryPrimitives.WriteSingleLittleEndian(s[(o + 4)..], V[i]);
        }
        return bytes;
    }

    /// <summary>Parses a .flo file; throws InvalidDataException naming what is wrong.</summary>
    public static FlowField FromFlo(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12) throw new InvalidDataException($"not a .flo file: {bytes.Length} bytes is shorter than the 12-byte header");
        if (BinaryPrimitives.ReadSingleLittleEndian(bytes) != FloTag) throw new InvalidDataException("not a .flo file: the tag is not 'PIEH'");
        int w = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]), h = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (w <= 0 || h <= 0 || w > 1 << 15 || h > 1 << 15) throw new InvalidDataException($".flo file has an absurd size {w}x{h}");
        long need = 12 + 8L * w * h;
        if (bytes.Length != need) throw new InvalidDataException($".flo file of {w}x{h} needs {need} bytes, has {bytes.Length}");
        var f = new FlowField(w, h);
        for (int i = 0, o = 12; i < f.U.Length; i++, o += 8)
        {
            f.U[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[o..]);
            f.V[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(o + 4)..]);
        }
        return f;
    }
}
