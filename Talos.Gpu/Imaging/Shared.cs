using System.Globalization;

namespace Talos.Gpu.Imaging;

/// <summary>Linear-light colour (components may exceed 1 for HDR light).</summary>
public readonly record struct Rgb(float R, float G, float B)
{
    /// <summary>Parses "#rrggbb" (sRGB) into linear light.</summary>
    public static Rgb FromHex(string hex)
    {
        if (!TryParseHex(hex, out var c)) throw new FormatException($"colour '{hex}' is not of the form #rrggbb");
        return c;
    }

    public static bool TryParseHex(string? hex, out Rgb colour)
    {
        colour = default;
        if (hex is null || hex.Length != 7 || hex[0] != '#') return false;
        if (!int.TryParse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v)) return false;
        colour = new Rgb(ColorMath.SrgbToLinear(((v >> 16) & 255) / 255f), ColorMath.SrgbToLinear(((v >> 8) & 255) / 255f), ColorMath.SrgbToLinear((v & 255) / 255f));
        return true;
    }

    public static Rgb operator *(Rgb a, float s) => new(a.R * s, a.G * s, a.B * s);
    public static Rgb operator *(Rgb a, Rgb b) => new(a.R * b.R, a.G * b.G, a.B * b.B);
    public static Rgb operator +(Rgb a, Rgb b) => new(a.R + b.R, a.G + b.G, a.B + b.B);
}

/// <summary>A point inside a named region of a drawing (from AXIS), used by CHROMA to pick the region's paint.</summary>
public sealed record RegionSeed(float X, float Y, string Region);

/// <summary>
/// Camera state at one frame: zoom about the frame centre (1 = wide) and horizontal pan in frame widths; depth of field
/// focused at parallax depth <paramref name="Focus"/> with a blur radius of <paramref name="Aperture"/> frame heights per
/// depth unit out of focus (0 = everything sharp).
/// </summary>
public readonly record struct CameraState(double Zoom, double PanX, double Focus = 1.0, double Aperture = 0.0)
{
    public static CameraState Wide => new(1.0, 0.0);
}

public static class ColorMath
{
    public static float SrgbToLinear(float c) => c <= 0.04045f ? c / 12.92f : MathF.Pow((c + 0.055f) / 1.055f, 2.4f);
    public static float LinearToSrgb(float c) => c <= 0.0031308f ? c * 12.92f : 1.055f * MathF.Pow(c, 1f / 2.4f) - 0.055f;
    /// <summary>Rec.709 luminance of linear RGB.</summary>
    public static float Luma(float r, float g, float b) => 0.2126f * r + 0.7152f * g + 0.0722f * b;
}
