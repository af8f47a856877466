using System.Buffers.Binary;
using System.IO.Compression;

namespace Talos.Gpu.Imaging;

/// <summary>
/// Byte format of frames and layers stored in the vault ("TFR1"): a 16-byte header (magic, kind, width, height)
/// followed by a zlib stream of the planes. RGBA planes are stored as IEEE half floats (linear light, premultiplied,
/// HDR-safe); gray as 8-bit coverage; final RGB frames as 8-bit sRGB, interleaved RGB24.
/// The encoding is deterministic: the same image always gives the same bytes, hence the same vault hash.
/// </summary>
public static class FrameCodec
{
    const uint Magic = 0x31524654; // "TFR1"
    public const int MaxDimension = 16384;

    public enum Kind : byte { RgbaHalf = 1, Gray8 = 2, Rgb24 = 3 }

    public static byte[] EncodeRgba(RgbaImage img)
    {
        int n = img.PixelCount;
        var raw = new byte[n * 8];
        var span = raw.AsSpan();
        // plane order R, G, B, A; each plane n halfs
        WritePlane(img.R, span.Slice(0, n * 2));
        WritePlane(img.G, span.Slice(n * 2, n * 2));
        WritePlane(img.B, span.Slice(n * 4, n * 2));
        WritePlane(img.A, span.Slice(n * 6, n * 2));
        return Pack(Kind.RgbaHalf, img.Width, img.Height, raw);
    }

    static void WritePlane(float[] src, Span<byte> dst)
    {
        for (int i = 0; i < src.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(dst.Slice(i * 2, 2), (Half)src[i]);
    }

    public static byte[] EncodeGray(GrayImage img)
    {
        var raw = new byte[img.Data.Length];
        for (int i = 0; i < raw.Length; i++) raw[i] = (byte)Math.Clamp((int)MathF.Round(img.Data[i] * 255f), 0, 255);
        return Pack(Kind.Gray8, img.Width, img.Height, raw);
    }

    public static byte[] EncodeRgb24(byte[] rgb, int width, int height)
    {
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException("rgb24 buffer size does not match dimensions");
        return Pack(Kind.Rgb24, width, height, rgb);
    }

    public static (Kind kind, int width, int height) ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic)
            throw new InvalidDataException("not a Talos frame blob (bad magic)");
        var kind = (Kind)data[4];
        int w = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        int h = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        if (kind is not (Kind.RgbaHalf or Kind.Gray8 or Kind.Rgb24) || w <= 0 || h <= 0 || w > MaxDimension || h > MaxDimension)
            throw new InvalidDataException($"corrupt Talos frame header (kind {(int)kind}, {w}x{h})");
        return (kind, w, h);
    }

    public static RgbaImage DecodeRgba(byte[] data)
    {
        var (kind, w, h) = ReadHeader(data);
        if (kind == Kind.Rgb24)
        {
            var rgb = Unpack(data, w * h * 3);
            var img = new RgbaImage(w, h);
            for (int i = 0; i < w * h; i++)
            {
                img.R[i] = ColorMath.SrgbToLinear(rgb[i * 3] / 255f);
                img.G[i] = ColorMath.SrgbToLinear(rgb[i * 3 + 1] / 255f);
                img.B[i] = ColorMath.SrgbToLinear(rgb[i * 3 + 2] / 255f);
                img.A[i] = 1f;
            }
            return img;
        }
        if (kind != Kind.RgbaHalf) throw new InvalidDataException($"frame blob holds {kind}, not RGBA");
        int n = w * h;
        var raw = Unpack(data, n * 8);
        var res = new RgbaImage(w, h);
        ReadPlane(raw.AsSpan(0, n * 2), res.R);
        ReadPlane(raw.AsSpan(n * 2, n * 2), res.G);
        ReadPlane(raw.AsSpan(n * 4, n * 2), res.B);
        ReadPlane(raw.AsSpan(n * 6, n * 2), res.A);
        return res;
    }

    static void ReadPlane(ReadOnlySpan<byte> src, float[] dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(i * 2, 2));
    }

    public static GrayImage DecodeGray(byte[] data)
    {
        var (kind, w, h) = ReadHeader(data);
        if (kind != Kind.Gray8) throw new InvalidDataException($"frame blob holds {kind}, not gray");
        var raw = Unpack(data, w * h);
        var img = new GrayImage(w, h);
        for (int i = 0; i < raw.Length; i++) img.Data[i] = raw[i] / 255f;
        return img;
    }

    /// <summary>Decodes an 8-bit sRGB frame (interleaved RGB24).</summary>
    public static (byte[] rgb, int width, int height) DecodeRgb24(byte[] data)
    {
        var (kind, w, h) = ReadHeader(data);
        if (kind != Kind.Rgb24) throw new InvalidDataException($"frame blob holds {kind}, not RGB24");
        return (Unpack(data, w * h * 3), w, h);
    }

    static byte[] Pack(Kind kind, int w, int h, byte[] raw)
    {
        using var ms = new MemoryStream(raw.Length / 4 + 64);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], w);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], h);
        ms.Write(header);
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    static byte[] Unpack(byte[] data, int expected)
    {
        var raw = new byte[expected];
        using var z = new ZLibStream(new MemoryStream(data, 16, data.Length - 16), CompressionMode.Decompress);
        int read = 0;
        try
        {
            while (read < expected)
            {
                int r = z.Read(raw, read, expected - read);
                if (r == 0) break;
                read += r;
            }
        }
        catch (InvalidDataException e) { throw new InvalidDataException("corrupt Talos frame blob: " + e.Message, e); }
        if (read != expected) throw new InvalidDataException($"truncated Talos frame blob ({read} of {expected} bytes)");
        return raw;
    }
}
