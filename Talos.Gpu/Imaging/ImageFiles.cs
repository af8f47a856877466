using System.Buffers.Binary;
using System.IO.Compression;

namespace Talos.Gpu.Imaging;

/// <summary>
/// PNG and JPEG files in: the header is read and held to the size limits first (<see cref="ImageHeader.Read"/>), then the
/// pixels are decoded — 8-bit RGBA through StbImageSharp, or 16-bit greyscale PNG (depth maps) by <see cref="DecodeGrey16"/>.
/// Every failure is an <see cref="InvalidDataException"/> naming the file (<c>name</c>) and what is wrong with it.
/// </summary>
public static class ImageFiles
{
    /// <summary>The header, or one clear error: not an image, truncated, larger than the limits.</summary>
    public static ImageHeader Header(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ImageHeader.Read(bytes, out var problem) ?? throw new InvalidDataException($"{name} is {problem}");
    }

    /// <summary>A PNG or JPEG as 8-bit RGBA (sRGB, straight alpha; a JPEG or an opaque PNG has alpha 255).</summary>
    public static StbImageSharp.ImageResult DecodeRgba8(byte[] bytes, string name)
    {
        var header = Header(bytes, name);
        // stb decodes a truncated JPEG's missing rows as grey without a word: a whole one ends with its EOI marker (FF D9 cannot
        // occur inside entropy-coded data, where every FF byte is stuffed).
        if (header.Format == ImageHeader.Jpeg && bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) < 0)
            throw new InvalidDataException($"{name} is not a readable JPEG image (corrupt or truncated): it has no end-of-image marker");
        StbImageSharp.ImageResult? img;
        try { img = StbImageSharp.ImageResult.FromMemory(bytes, StbImageSharp.ColorComponents.RedGreenBlueAlpha); }
        catch (Exception e) { throw new InvalidDataException($"{name} is not a readable {header.Format} image (corrupt or truncated): {e.Message}"); }
        if (img?.Data is null || img.Width != header.Width || img.Height != header.Height || img.Data.Length < 4L * header.Width * header.Height)
            throw new InvalidDataException($"{name} is not a readable {header.Format} image (corrupt or truncated)");
        return img;
    }

    /// <summary>
    /// A 16-bit greyscale PNG (colour type 0, bit depth 16, not interlaced) as its samples, row by row. Anything else —
    /// an 8-bit PNG, RGB, a JPEG — is refused, saying what it is; so is a truncated or corrupt one (chunk lengths, zlib, filters).
    /// </summary>
    public static (int Width, int Height, ushort[] Samples) DecodeGrey16(byte[] bytes, string name)
    {
        var h = Header(bytes, name);
        if (h.Format != ImageHeader.Png || h.BitDepth != 16 || h.ColourType != 0)
            throw new InvalidDataException($"{name} must be a 16-bit greyscale PNG; it is {h.Describe()}");
        if (h.Interlaced) throw new InvalidDataException($"{name} is an interlaced PNG; save it without interlacing");
        int w = h.Width, ht = h.Height, stride = 2 * w;
        using var idat = new MemoryStream();
        int pos = 8;
        bool end = false;
        while (!end)
        {
            if (pos + 12 > bytes.Length) throw new InvalidDataException($"{name} is a truncated PNG (no IEND chunk)");
            long len = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos));
            if (len > bytes.Length - pos - 12) throw new InvalidDataException($"{name} is a truncated or corrupt PNG (a chunk runs past the end of the file)");
            var type = bytes.AsSpan(pos + 4, 4);
            if (type.SequenceEqual("IDAT"u8)) idat.Write(bytes, pos + 8, (int)len);
            end = type.SequenceEqual("IEND"u8);
            pos += 12 + (int)len;
        }
        var raw = new byte[(long)(stride + 1) * ht];
        try
        {
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            z.ReadExactly(raw);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        { throw new InvalidDataException($"{name} is a corrupt PNG (its compressed pixels do not inflate to {w}x{ht}): {e.Message}"); }
        var prev = new byte[stride];
        var row = new byte[stride];
        var samples = new ushort[w * ht];
        for (int y = 0; y < ht; y++)
        {
            int o = y * (stride + 1);
            byte filter = raw[o];
            raw.AsSpan(o + 1, stride).CopyTo(row);
            Unfilter(filter, row, prev, bpp: 2, name);
            for (int x = 0; x < w; x++) samples[y * w + x] = BinaryPrimitives.ReadUInt16BigEndian(row.AsSpan(2 * x));
            (prev, row) = (row, prev);
        }
        return (w, ht, samples);
    }

    /// <summary>Undoes one row's PNG filter (none, sub, up, average, Paeth) in place, against the row above.</summary>
    static void Unfilter(byte filter, byte[] row, byte[] prev, int bpp, string name)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            row[i] = filter switch
            {
                0 => row[i],
                1 => (byte)(row[i] + a),
                2 => (byte)(row[i] + b),
                3 => (byte)(row[i] + ((a + b) >> 1)),
                4 => (byte)(row[i] + Paeth(a, b, c)),
                _ => throw new InvalidDataException($"{name} is a corrupt PNG (row filter {filter})"),
            };
        }
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
