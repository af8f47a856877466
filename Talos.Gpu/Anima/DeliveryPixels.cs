// PQ: SMPTE ST 2084 (the m1, m2, c1..c3 constants of the standard). BT.709 → BT.2020 primaries: ITU-R BT.2087, the linear
// 3×3 matrix between the two RGB spaces (same D65 white). sRGB transfer: IEC 61966-2-1.
using System.Buffers.Binary;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Anima;

/// <summary>
/// ANIMA's delivery signals made from the linear-light HDR frame (premultiplied, BT.709 primaries, 1.0 = SDR reference
/// white): HDR10 (BT.2020 primaries, PQ, 16-bit RGB for the encoder) and 16-bit SDR RGBA (the SDR tone map at float
/// precision, sRGB transfer, straight alpha) for ProRes 4444 and PNG sequences. Rows in parallel; every pixel on its own,
/// so the bytes do not depend on threading.
/// </summary>
public static class DeliveryPixels
{
    /// <summary>Luminance of linear 1.0 in the PQ signal (cd/m²). Highlights above SDR white keep their ratio up to <see cref="PeakNits"/>.</summary>
    public const float SdrWhiteNits = 100f;
    /// <summary>The mastering display's peak (cd/m²): the PQ signal is clipped here (and the HDR10 metadata says so).</summary>
    public const float PeakNits = 1000f;

    const float M1 = 2610f / 16384f, M2 = 2523f / 4096f * 128f, C1 = 3424f / 4096f, C2 = 2413f / 4096f * 32f, C3 = 2392f / 4096f * 32f;

    /// <summary>PQ inverse EOTF: absolute luminance (cd/m²) → signal in [0, 1].</summary>
    public static float PqEncode(float nits)
    {
        float y = Math.Clamp(nits / 10000f, 0f, 1f);
        float p = MathF.Pow(y, M1);
        return MathF.Pow((C1 + C2 * p) / (1f + C3 * p), M2);
    }

    /// <summary>PQ EOTF: signal in [0, 1] → absolute luminance (cd/m²).</summary>
    public static float PqDecode(float signal)
    {
        float e = MathF.Pow(Math.Clamp(signal, 0f, 1f), 1f / M2);
        return 10000f * MathF.Pow(MathF.Max(e - C1, 0f) / (C2 - C3 * e), 1f / M1);
    }

    /// <summary>Linear BT.709 RGB → linear BT.2020 RGB.</summary>
    public static (float R, float G, float B) Bt709To2020(float r, float g, float b) => (
        0.6274039f * r + 0.3292830f * g + 0.0433131f * b,
        0.0690973f * r + 0.9195404f * g + 0.0113623f * b,
        0.0163914f * r + 0.0880133f * g + 0.8955953f * b);

    /// <summary>
    /// HDR10 signal: interleaved little-endian 16-bit R'G'B' (ffmpeg's rgb48le), BT.2020 primaries, PQ. The frame is shown
    /// as if over black (premultiplied colour as is), linear 1.0 = <see cref="SdrWhiteNits"/> (ANIMA has already applied
    /// the shot's exposure: <see cref="Compositor.Expose"/>).
    /// </summary>
    public static byte[] ToPq48(RgbaImage img) => ToPq48(img, null);

    /// <summary><see cref="ToPq48(RgbaImage)"/> written into <paramref name="into"/> when it is the frame's size (every byte of it), else into a new array.</summary>
    public static byte[] ToPq48(RgbaImage img, byte[]? into)
    {
        ArgumentNullException.ThrowIfNull(img);
        int w = img.Width;
        int bytes = checked(img.PixelCount * 6);
        var o = into is not null && into.Length == bytes ? into : new byte[bytes];
        const float scale = SdrWhiteNits;
        Parallel.For(0, img.Height, y =>
        {
            var row = o.AsSpan(y * w * 6, w * 6);
            for (int x = 0, p = y * w; x < w; x++, p++)
            {
                var (r, g, b) = Bt709To2020(Positive(img.R[p]), Positive(img.G[p]), Positive(img.B[p]));
                BinaryPrimitives.WriteUInt16LittleEndian(row[(6 * x)..], Code16(PqEncode(MathF.Min(r * scale, PeakNits))));
                BinaryPrimitives.WriteUInt16LittleEndian(row[(6 * x + 2)..], Code16(PqEncode(MathF.Min(g * scale, PeakNits))));
                BinaryPrimitives.WriteUInt16LittleEndian(row[(6 * x + 4)..], Code16(PqEncode(MathF.Min(b * scale, PeakNits))));
            }
        });
        return o;
    }

    /// <summary>
    /// 16-bit SDR with alpha: interleaved little-endian RGBA (ffmpeg's rgba64le), straight (un-premultiplied) colour through
    /// the SDR tone map (<see cref="Compositor.ToneMap"/>) and the exact sRGB transfer, BT.709 primaries.
    /// </summary>
    public static byte[] ToSdr64(RgbaImage img) => ToSdr64(img, null);

    /// <summary><see cref="ToSdr64(RgbaImage)"/> written into <paramref name="into"/> when it is the frame's size (every byte of it), else into a new array.</summary>
    public static byte[] ToSdr64(RgbaImage img, byte[]? into)
    {
        ArgumentNullException.ThrowIfNull(img);
        int w = img.Width;
        int bytes = checked(img.PixelCount * 8);
        var o = into is not null && into.Length == bytes ? into : new byte[bytes];
        Parallel.For(0, img.Height, y =>
        {
            var row = o.AsSpan(y * w * 8, w * 8);
            for (int x = 0, p = y * w; x < w; x++, p++)
            {
                float a = Math.Clamp(img.A[p], 0f, 1f);
                float k = a > 1e-6f ? 1f / a : 0f;
                BinaryPrimitives.WriteUInt16LittleEndian(row[(8 * x)..], Code16(Srgb(img.R[p] * k)));
                BinaryPrimitives.WriteUInt16LittleEndian(row[(8 * x + 2)..], Code16(Srgb(img.G[p] * k)));
                BinaryPrimitives.WriteUInt16LittleEndian(row[(8 * x + 4)..], Code16(Srgb(img.B[p] * k)));
                BinaryPrimitives.WriteUInt16LittleEndian(row[(8 * x + 6)..], Code16(a));
            }
        });
        return o;
    }

    static float Srgb(float linear) => ColorMath.LinearToSrgb(Compositor.ToneMap(linear));

    static float Positive(float v) => v > 0f && float.IsFinite(v) ? v : 0f;

    static ushort Code16(float v) => (ushort)(Math.Clamp(v, 0f, 1f) * 65535f + 0.5f);
}
