using System.Buffers.Binary;
using Talos.Messages.Specs;

namespace Talos.Gpu.Imaging;

/// <summary>
/// What a PNG or JPEG file says about itself before any pixel is decoded: format, size, bit depth, PNG colour type and
/// interlacing. Every image Talos takes in (uploads, background plates, depth maps) is held to <see cref="Limits.MaxImageSide"/>
/// and <see cref="Limits.MaxImagePixels"/> here, from the header, so a 30,000 × 30,000 PNG is refused before it costs memory.
/// </summary>
public readonly record struct ImageHeader(string Format, int Width, int Height, int BitDepth, int ColourType, bool Interlaced)
{
    public const string Png = "PNG", Jpeg = "JPEG";

    static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether the bytes start like a PNG or a JPEG at all (the sniffers' question).</summary>
    public static bool LooksLikeImage(ReadOnlySpan<byte> data) =>
        data.StartsWith(PngSignature) || (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF);

    /// <summary>PNG colour type as words: what a depth map of the wrong kind is told it is.</summary>
    public string Describe() => (BitDepth == 8 ? "an " : "a ") + (Format == Jpeg ? $"{BitDepth}-bit JPEG" : $"{BitDepth}-bit {ColourType switch
    {
        0 => "greyscale", 2 => "RGB", 3 => "palette", 4 => "greyscale+alpha", 6 => "RGBA", _ => $"colour type {ColourType}",
    }} PNG");

    /// <summary>
    /// The header of a PNG (signature, IHDR) or a JPEG (SOI, then the first SOFn frame header), checked against the size
    /// limits; null with <paramref name="problem"/> saying what is wrong (not an image, truncated, too large).
    /// </summary>
    public static ImageHeader? Read(ReadOnlySpan<byte> data, out string problem)
    {
        ImageHeader h;
        if (data.StartsWith(PngSignature))
        {
            if (data.Length < 33 || !data.Slice(12, 4).SequenceEqual("IHDR"u8)) { problem = "a PNG signature without an IHDR chunk (truncated or corrupt PNG)"; return null; }
            uint w = BinaryPrimitives.ReadUInt32BigEndian(data[16..]), ht = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
            if (w == 0 || ht == 0 || w > int.MaxValue || ht > int.MaxValue) { problem = $"a PNG whose header says {w}x{ht} pixels (corrupt)"; return null; }
            h = new ImageHeader(Png, (int)w, (int)ht, data[24], data[25], data[28] != 0);
        }
        else if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            if (!JpegFrame(data, out h)) { problem = "a JPEG without a frame header (truncated or corrupt JPEG)"; return null; }
        }
        else { problem = "not a readable PNG/JPEG image (neither signature)"; return null; }
        problem = SizeProblem(h.Width, h.Height) ?? "";
        return problem.Length == 0 ? h : null;
    }

    /// <summary>Null when an image of this size is accepted, else why not (the limits named).</summary>
    public static string? SizeProblem(long width, long height) =>
        width > Limits.MaxImageSide || height > Limits.MaxImageSide
            ? $"{width}x{height} pixels, larger than the limit of {Limits.MaxImageSide} pixels a side"
            : width * height > Limits.MaxImagePixels
                ? $"{width}x{height} pixels ({width * height / 1e6:0.#} megapixels), more than the limit of {Limits.MaxImagePixels / 1e6:0.#} megapixels"
                : null;

    /// <summary>Walks the JPEG's marker segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).</summary>
    static bool JpegFrame(ReadOnlySpan<byte> data, out ImageHeader header)
    {
        header = default;
        int pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF) return false;
            byte marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; } // fill byte
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; } // markers without a length
            if (marker is 0xD9 or 0xDA) return false; // end of image, or scan data before any frame header
            int len = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (len < 2) return false;
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (pos + 9 > data.Length || len < 8) return false;
                int precision = data[pos + 4];
                int height = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 5)..]), width = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 7)..]);
                if (width == 0 || height == 0) return false;
                header = new ImageHeader(Jpeg, width, height, precision, 0, marker is 0xC2 or 0xC6 or 0xCA or 0xCE);
                return true;
            }
            pos += 2 + len;
        }
        return false;
    }
}
