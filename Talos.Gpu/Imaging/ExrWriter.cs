using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Talos.Gpu.Imaging;

/// <summary>OpenEXR pixel types (the file's codes).</summary>
public enum ExrPixelType { Half = 1, Float = 2 }

/// <summary>One channel of an EXR image: its name ("R", "Z"…), its stored type, and width×height values, row by row.</summary>
public sealed record ExrChannel(string Name, ExrPixelType Type, float[] Data);

/// <summary>
/// A minimal OpenEXR 2 writer: single-part scanline file, channels sorted by name, HALF and FLOAT pixels, ZIP compression
/// (blocks of 16 scanlines: bytes split into even and odd halves, delta predictor, zlib; a block that does not shrink is
/// stored raw, as the format allows), the required header attributes and the scanline offset table. Hand-written because
/// no maintained managed OpenEXR writer is on NuGet; layout per "OpenEXR File Layout" (openexr.com).
/// </summary>
public static class ExrWriter
{
    const int Magic = 20000630, Version = 2, ZipCompression = 3, LinesPerBlock = 16;

    public static byte[] Write(int width, int height, IReadOnlyList<ExrChannel> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (channels.Count == 0) throw new ArgumentException("an EXR image needs at least one channel", nameof(channels));
        var sorted = channels.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        foreach (var c in sorted)
        {
            if (string.IsNullOrEmpty(c.Name) || c.Name.Length > 31 || c.Name.Contains('\0')) throw new ArgumentException($"channel name '{c.Name}' must be 1-31 characters", nameof(channels));
            if (c.Data.Length != width * height) throw new ArgumentException($"channel {c.Name} has {c.Data.Length} values, the image {width * height}", nameof(channels));
            if (c.Type is not (ExrPixelType.Half or ExrPixelType.Float)) throw new ArgumentException($"channel {c.Name}: pixel type {c.Type}", nameof(channels));
        }
        if (sorted.Select(c => c.Name).Distinct().Count() != sorted.Count) throw new ArgumentException("channel names repeat", nameof(channels));

        using var file = new MemoryStream();
        using var o = new BinaryWriter(file, Encoding.ASCII, leaveOpen: true); // BinaryWriter is little-endian, as EXR is
        o.Write(Magic); o.Write(Version);
        var chlist = new MemoryStream();
        Span<byte> rec = stackalloc byte[16];
        foreach (var c in sorted)
        {
            chlist.Write(Encoding.ASCII.GetBytes(c.Name + "\0"));
            rec.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(rec, (int)c.Type);   // then pLinear 0 and 3 reserved bytes
            BinaryPrimitives.WriteInt32LittleEndian(rec[8..], 1);        // x sampling
            BinaryPrimitives.WriteInt32LittleEndian(rec[12..], 1);       // y sampling
            chlist.Write(rec);
        }
        chlist.WriteByte(0);
        Attribute(o, "channels", "chlist", chlist.ToArray());
        Attribute(o, "compression", "compression", [ZipCompression]);
        var box = Box(width, height);
        Attribute(o, "dataWindow", "box2i", box);
        Attribute(o, "displayWindow", "box2i", box);
        Attribute(o, "lineOrder", "lineOrder", [0]); // increasing y
        Attribute(o, "pixelAspectRatio", "float", BitConverter.GetBytes(1f));
        Attribute(o, "screenWindowCenter", "v2f", [.. BitConverter.GetBytes(0f), .. BitConverter.GetBytes(0f)]);
        Attribute(o, "screenWindowWidth", "float", BitConverter.GetBytes(1f));
        o.Write((byte)0);

        int blocks = (height + LinesPerBlock - 1) / LinesPerBlock;
        long table = file.Position;
        o.Write(new byte[8 * blocks]);
        var offsets = new long[blocks];
        var bytesPerPixel = sorted.Sum(c => c.Type == ExrPixelType.Half ? 2 : 4);
        var raw = new byte[LinesPerBlock * width * bytesPerPixel];
        for (int b = 0; b < blocks; b++)
        {
            int y0 = b * LinesPerBlock, lines = Math.Min(LinesPerBlock, height - y0), n = 0;
            for (int y = y0; y < y0 + lines; y++)
                foreach (var c in sorted)
                    for (int x = 0, p = y * width; x < width; x++, p++)
                        if (c.Type == ExrPixelType.Half) { BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(n), (Half)c.Data[p]); n += 2; }
                        else { BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(n), c.Data[p]); n += 4; }
            var packed = Zip(raw.AsSpan(0, n));
            offsets[b] = file.Position;
            o.Write(y0);
            if (packed.Length < n) { o.Write(packed.Length); o.Write(packed); }
            else { o.Write(n); o.Write(raw, 0, n); } // stored: a reader takes a block of the raw size as uncompressed
        }
        o.Flush();
        file.Position = table;
        foreach (var off in offsets) o.Write(off);
        o.Flush();
        return file.ToArray();
    }

    /// <summary>
    /// ZIP_COMPRESSION's block transform: bytes de-interleaved (even-indexed into the first half, odd into the second),
    /// each byte replaced by its difference to the previous plus 128 (mod 256), then zlib-deflated.
    /// </summary>
    internal static byte[] Zip(ReadOnlySpan<byte> raw)
    {
        var t = new byte[raw.Length];
        int half = (raw.Length + 1) / 2;
        for (int i = 0; i < raw.Length; i++) t[(i & 1) == 0 ? i / 2 : half + i / 2] = raw[i];
        for (int i = t.Length - 1; i > 0; i--) t[i] = (byte)(t[i] - t[i - 1] + 128);
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(t);
        return ms.ToArray();
    }

    static byte[] Box(int width, int height)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), width - 1);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), height - 1);
        return b;
    }

    static void Attribute(BinaryWriter o, string name, string type, byte[] value)
    {
        o.Write(Encoding.ASCII.GetBytes(name + "\0" + type + "\0"));
        o.Write(value.Length);
        o.Write(value);
    }
}
