using StbImageSharp;
using StbImageWriteSharp;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Flux;

/// <summary>Drawn keys in and out of PNG: ink coverage (dark, opaque strokes on paper) and colour frames.</summary>
public static class KeyImages
{
    public const int MaxDimension = 8192;

    static StbImageSharp.ImageResult Decode(byte[] bytes, string name)
    {
        var img = ImageFiles.DecodeRgba8(bytes, $"'{name}'");
        if (img.Width > MaxDimension || img.Height > MaxDimension)
            throw new InvalidDataException($"'{name}' has an absurd size {img.Width}x{img.Height} (at most {MaxDimension} a side)");
        return img;
    }

    /// <summary>
    /// An image as ink coverage, resampled (nearest) to <paramref name="width"/>×<paramref name="height"/> when given and
    /// different. A grey drawing (ink or pencil on paper): (1 − lightness)·alpha. A coloured key (a cel with flat fills,
    /// <see cref="IsColour"/>): ink is what is dark against its surroundings, (1 − lightness / the lightest value within
    /// <see cref="ColourInkRadius"/> pixels)·alpha, so a flat fill, pale or dark, reads as paper and the strokes between
    /// fills as ink. (Lines drawn inside a near-black fill come out faint: darkness alone cannot tell them apart.)
    /// </summary>
    public static GrayImage ReadInk(byte[] bytes, string name, int width = 0, int height = 0)
    {
        var img = Decode(bytes, name);
        int sw = img.Width, sh = img.Height;
        var lightness = new float[sw * sh];
        var alpha = new byte[sw * sh];
        for (int i = 0; i < lightness.Length; i++)
        {
            int o = 4 * i;
            float luma = ColorMath.Luma(ColorMath.SrgbToLinear(img.Data[o] / 255f), ColorMath.SrgbToLinear(img.Data[o + 1] / 255f), ColorMath.SrgbToLinear(img.Data[o + 2] / 255f));
            lightness[i] = ColorMath.LinearToSrgb(luma);
            alpha[i] = img.Data[o + 3];
        }
        var surround = IsColour(img) ? LocalMax(lightness, sw, sh, ColourInkRadius(sw, sh)) : null;
        int w = width > 0 ? width : sw, h = height > 0 ? height : sh;
        var lines = new GrayImage(w, h);
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(sh - 1, (int)((y + 0.5) * sh / h));
            for (int x = 0; x < w; x++)
            {
                int s = sy * sw + Math.Min(sw - 1, (int)((x + 0.5) * sw / w));
                float dark = surround is null ? 1f - lightness[s] : 1f - lightness[s] / Math.Max(surround[s], 1e-3f);
                lines.Data[y * w + x] = Math.Clamp(dark * alpha[s] / 255f, 0f, 1f);
            }
        }
        return lines;
    }

    /// <summary>How far a coloured key's pixel looks for the fill it is drawn on: wider than a stroke (1/120 of the smaller side, at least 3 px).</summary>
    public static int ColourInkRadius(int width, int height) => Math.Max(3, Math.Min(width, height) / 120);

    /// <summary>The largest value within a (2r+1)² square around each pixel (separable: rows, then columns).</summary>
    static float[] LocalMax(float[] v, int w, int h, int r)
    {
        var rows = new float[v.Length];
        var result = new float[v.Length];
        Parallel.For(0, h, y =>
        {
            int row = y * w;
            for (int x = 0; x < w; x++)
            {
                float m = 0f;
                for (int k = Math.Max(0, x - r), end = Math.Min(w - 1, x + r); k <= end; k++) m = Math.Max(m, v[row + k]);
                rows[row + x] = m;
            }
        });
        Parallel.For(0, w, x =>
        {
            for (int y = 0; y < h; y++)
            {
                float m = 0f;
                for (int k = Math.Max(0, y - r), end = Math.Min(h - 1, y + r); k <= end; k++) m = Math.Max(m, rows[k * w + x]);
                result[y * w + x] = m;
            }
        });
        return result;
    }

    /// <summary>
    /// An image as premultiplied linear RGBA, resampled (nearest, as <see cref="ReadInk"/>) to
    /// <paramref name="width"/>×<paramref name="height"/> when given and different.
    /// </summary>
    public static RgbaImage ReadRgba(byte[] bytes, string name, int width = 0, int height = 0)
    {
        var img = Decode(bytes, name);
        int sw = img.Width, sh = img.Height, w = width > 0 ? width : sw, h = height > 0 ? height : sh;
        var r = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(sh - 1, (int)((y + 0.5) * sh / h));
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, o = 4 * (sy * sw + Math.Min(sw - 1, (int)((x + 0.5) * sw / w)));
                float a = img.Data[o + 3] / 255f;
                r.R[i] = ColorMath.SrgbToLinear(img.Data[o] / 255f) * a;
                r.G[i] = ColorMath.SrgbToLinear(img.Data[o + 1] / 255f) * a;
                r.B[i] = ColorMath.SrgbToLinear(img.Data[o + 2] / 255f) * a;
                r.A[i] = a;
            }
        }
        return r;
    }

    /// <summary>Is any pixel coloured (not grey)? Decides whether a key pair is inbetweened as ink or as colour.</summary>
    public static bool IsColour(byte[] bytes, string name) => IsColour(Decode(bytes, name));

    static bool IsColour(StbImageSharp.ImageResult img)
    {
        for (int i = 0; i < img.Width * img.Height; i++)
        {
            int r = img.Data[4 * i], g = img.Data[4 * i + 1], b = img.Data[4 * i + 2];
            if (Math.Abs(r - g) > 8 || Math.Abs(g - b) > 8) return true;
        }
        return false;
    }

    /// <summary>Ink as black lines on white paper, 8-bit grey PNG.</summary>
    public static byte[] WriteInk(GrayImage ink)
    {
        var px = new byte[ink.Data.Length];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)MathF.Round(255f * (1f - Math.Clamp(ink.Data[i], 0f, 1f)));
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(px, ink.Width, ink.Height, StbImageWriteSharp.ColorComponents.Grey, ms);
        return ms.ToArray();
    }

    /// <summary>Premultiplied linear RGBA as an sRGB RGBA PNG.</summary>
    public static byte[] WriteRgba(RgbaImage img)
    {
        var px = new byte[img.PixelCount * 4];
        for (int i = 0; i < img.PixelCount; i++)
        {
            float a = Math.Clamp(img.A[i], 0f, 1f), inv = a > 1e-6f ? 1f / a : 0f;
            px[4 * i] = Byte(ColorMath.LinearToSrgb(Math.Clamp(img.R[i] * inv, 0f, 1f)));
            px[4 * i + 1] = Byte(ColorMath.LinearToSrgb(Math.Clamp(img.G[i] * inv, 0f, 1f)));
            px[4 * i + 2] = Byte(ColorMath.LinearToSrgb(Math.Clamp(img.B[i] * inv, 0f, 1f)));
            px[4 * i + 3] = Byte(a);
        }
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(px, img.Width, img.Height, StbImageWriteSharp.ColorComponents.RedGreenBlueAlpha, ms);
        return ms.ToArray();
    }

    static byte Byte(float v) => (byte)MathF.Round(255f * Math.Clamp(v, 0f, 1f));
}
