using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Talos.Gpu.Imaging;

/// <summary>
/// A minimal PNG writer for 16-bit RGBA (colour type 6, bit depth 16) or greyscale (colour type 0): IHDR, a gAMA chunk, one zlib IDAT (filter 0 per row),
/// IEND. Straight alpha, as PNG defines it.
/// </summary>
public static class Png16Writer
{
    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>
    /// Interleaved RGBA samples (4 per pixel, row by row) as a PNG; <paramref name="gamma"/> is the gAMA value (1.0 for
    /// linear samples, 1/2.2 for sRGB-like ones).
    /// </summary>
    public static byte[] Write(int width, int height, ReadOnlySpan<ushort> rgba, double gamma) => Write(width, height, rgba, 4, gamma);

    /// <summary>One 16-bit greyscale sample per pixel (colour type 0) as a PNG, gAMA 1.0: a background plate's depth map (docs/plates.md).</summary>
    public static byte[] WriteGrey(int width, int height, ReadOnlySpan<ushort> grey) => Write(width, height, grey, 1, 1.0);

    static byte[] Write(int width, int height, ReadOnlySpan<ushort> rgba, int channels, double gamma)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (rgba.Length != channels * width * height) throw new ArgumentException($"{rgba.Length} samples for {width}x{height}x{channels}", nameof(rgba));
        if (!(gamma > 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be positive");
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 16; ihdr[9] = (byte)(channels == 4 ? 6 : 0); // bit depth, RGBA or grey; compression, filter and interlace 0
        Chunk(png, "IHDR", ihdr);
        var gama = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(gama, (uint)Math.Round(gamma * 100000));
        Chunk(png, "gAMA", gama);
        int stride = 1 + 2 * channels * width;
        var raw = new byte[stride * height];
        for (int y = 0; y < height; y++)
            for (int i = 0; i < channels * width; i++)
                BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(y * stride + 1 + 2 * i), rgba[y * channels * width + i]);
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream o, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        o.Write(word);
        var name = Encoding.ASCII.GetBytes(type);
        o.Write(name);
        o.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, name), data); // over the type and the data, without copying the data
        BinaryPrimitives.WriteUInt32BigEndian(word, crc ^ 0xFFFFFFFFu);
        o.Write(word);
    }

    static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }
}
