using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

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
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the TFR1 frame codec is little-endian");
        // A character or effect layer is mostly empty: only the box holding non-zero pixels is stored.
        var box = NonZeroBox(img);
        bool crop = (long)box.W * box.H * 10 < (long)img.PixelCount * 6;
        if (!crop) box = (0, 0, img.Width, img.Height);
        int n = box.W * box.H;
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(1, n * 8));
        try
        {
            // plane order R, G, B, A; each plane n little-endian halfs, row by row of the box (vectorised float → half)
            var halves = MemoryMarshal.Cast<byte, Half>(raw.AsSpan(0, n * 8));
            var planes = new[] { img.R, img.G, img.B, img.A };
            for (int p = 0; p < 4; p++)
                for (int y = 0; y < box.H; y++)
                    TensorPrimitives.ConvertToHalf(planes[p].AsSpan((box.Y + y) * img.Width + box.X, box.W), halves.Slice(p * n + y * box.W, box.W));
            return Pack(Kind.RgbaHalf, img.Width, img.Height, raw.AsSpan(0, n * 8), crop ? box : null);
        }
        finally { ArrayPool<byte>.Shared.Return(raw); }
    }

    /// <summary>The smallest box holding every pixel with a non-zero channel (an empty layer gives a 0×0 box).</summary>
    static (int X, int Y, int W, int H) NonZeroBox(RgbaImage img)
    {
        int w = img.Width, h = img.Height, x0 = w, x1 = -1, y0 = h, y1 = -1;
        var planes = new[] { img.A, img.R, img.G, img.B };
        for (int y = 0; y < h; y++)
        {
            int row = y * w, first = -1, last = -1;
            foreach (var plane in planes)
            {
                var span = plane.AsSpan(row, w);
                int f = span.IndexOfAnyExcept(0f);
                if (f < 0) continue;
                int l = span.LastIndexOfAnyExcept(0f);
                first = first < 0 ? f : Math.Min(first, f);
                last = Math.Max(last, l);
            }
            if (first < 0) continue;
            y0 = Math.Min(y0, y); y1 = y;
            x0 = Math.Min(x0, first); x1 = Math.Max(x1, last);
        }
        return y1 < 0 ? (0, 0, 0, 0) : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
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
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the TFR1 frame codec is little-endian");
        var box = ReadBox(data, w, h);
        int n = box.W * box.H;
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(1, n * 8));
        try
        {
            Unpack(data, raw.AsSpan(0, n * 8));
            var halves = MemoryMarshal.Cast<byte, Half>(raw.AsSpan(0, n * 8));
            var res = new RgbaImage(w, h);
            var planes = new[] { res.R, res.G, res.B, res.A };
            for (int p = 0; p < 4; p++)
                for (int y = 0; y < box.H; y++)
                    TensorPrimitives.ConvertToSingle(halves.Slice(p * n + y * box.W, box.W), planes[p].AsSpan((box.Y + y) * w + box.X, box.W));
            return res;
        }
        finally { ArrayPool<byte>.Shared.Return(raw); }
    }

    /// <summary>The stored box of an RGBA blob: the whole frame, or the crop written after the header (flag byte 5).</summary>
    static (int X, int Y, int W, int H) ReadBox(byte[] data, int w, int h)
    {
        if (data[5] == 0) return (0, 0, w, h);
        if (data.Length < 32) throw new InvalidDataException("truncated Talos frame blob (crop box)");
        int x = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(16)), y = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(20));
        int bw = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(24)), bh = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(28));
        if (x < 0 || y < 0 || bw < 0 || bh < 0 || x > w - bw || y > h - bh)
            throw new InvalidDataException($"corrupt Talos frame blob: crop box {x},{y} {bw}x{bh} outside {w}x{h}");
        return (x, y, bw, bh);
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

    static byte[] Pack(Kind kind, int w, int h, ReadOnlySpan<byte> raw, (int X, int Y, int W, int H)? crop = null)
    {
        using var ms = new MemoryStream(raw.Length / 4 + 64);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], w);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], h);
        if (crop is { } c)
        {
            header[5] = 1;
            ms.Write(header);
            Span<byte> box = stackalloc byte[16];
            BinaryPrimitives.WriteInt32LittleEndian(box, c.X);
            BinaryPrimitives.WriteInt32LittleEndian(box[4..], c.Y);
            BinaryPrimitives.WriteInt32LittleEndian(box[8..], c.W);
            BinaryPrimitives.WriteInt32LittleEndian(box[12..], c.H);
            ms.Write(box);
        }
        else ms.Write(header);
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    static byte[] Unpack(byte[] data, int expected)
    {
        var raw = new byte[expected];
        Unpack(data, raw);
        return raw;
    }

    static void Unpack(byte[] data, Span<byte> raw)
    {
        int expected = raw.Length;
        int offset = data[5] == 0 ? 16 : 32;
        using var z = new ZLibStream(new MemoryStream(data, offset, data.Length - offset), CompressionMode.Decompress);
        int read = 0;
        try
        {
            while (read < expected)
            {
                int r = z.Read(raw[read..]);
                if (r == 0) break;
                read += r;
            }
        }
        catch (InvalidDataException e) { throw new InvalidDataException("corrupt Talos frame blob: " + e.Message, e); }
        if (read != expected) throw new InvalidDataException($"truncated Talos frame blob ({read} of {expected} bytes)");
    }
}
