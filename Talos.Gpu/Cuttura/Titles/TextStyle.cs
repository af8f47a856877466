using System.Globalization;
using SkiaSharp;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>How lines sit inside a text block: left, right, centre, or start/end of each line's direction (start is right
/// for a right-to-left line).</summary>
public enum TextAlign { Center, Start, End, Left, Right }

/// <summary>
/// How a piece of type looks. Sizes are pixels of the frame it is drawn into. <see cref="Font"/> is a family name that
/// fontconfig knows ("DejaVu Sans", "Noto Sans CJK JP") or the path of a font file (.ttf, .otf, .ttc); null picks the
/// per-script defaults of <see cref="FontLibrary"/> (DejaVu Sans for Latin, Noto for Arabic, Hebrew and CJK).
/// Colours are "#rrggbb" or "#rrggbbaa" (sRGB, alpha last).
/// </summary>
public sealed record TextStyle
{
    public string? Font { get; init; }
    /// <summary>Font size (em) in pixels.</summary>
    public float Size { get; init; } = 48;
    public string Color { get; init; } = "#ffffff";
    /// <summary>CSS/OpenType weight, 100 (thin) … 400 (regular) … 700 (bold) … 900 (black).</summary>
    public int Weight { get; init; } = 400;
    /// <summary>Thickness of the outline around each glyph outside its fill, in pixels (0: none).</summary>
    public float OutlineWidth { get; init; }
    public string OutlineColor { get; init; } = "#000000";
    /// <summary>Drop shadow offset in pixels (positive: right and down) and its Gaussian blur sigma; all 0: no shadow.</summary>
    public float ShadowX { get; init; }
    public float ShadowY { get; init; }
    public float ShadowBlur { get; init; }
    public string ShadowColor { get; init; } = "#000000b4";
    public TextAlign Align { get; init; } = TextAlign.Center;
    /// <summary>Distance between baselines as a multiple of <see cref="Size"/>.</summary>
    public float LineHeight { get; init; } = 1.25f;
    /// <summary>Widest a line may be, in pixels; null: as wide as the box (or the width given to the typesetter).</summary>
    public float? MaxWidthPx { get; init; }
    /// <summary>Widest a line may be as a fraction (0, 1] of the box (or of the width given to the typesetter).</summary>
    public float? MaxWidthFraction { get; init; }
    /// <summary>BCP 47 language ("ja", "zh", "ko", "ar"): picks the CJK font variant and HarfBuzz's language-specific forms.</summary>
    public string? Language { get; init; }

    public bool HasShadow => ShadowX != 0 || ShadowY != 0 || ShadowBlur > 0;

    /// <summary>The line width limit inside an available width: the smallest of the width, MaxWidthPx and MaxWidthFraction × width.</summary>
    public float LineLimit(float availableWidth)
    {
        float w = availableWidth;
        if (MaxWidthPx is { } px) w = Math.Min(w, px);
        if (MaxWidthFraction is { } f) w = Math.Min(w, f * availableWidth);
        return w;
    }

    /// <summary>How far ink can reach beyond the glyph outlines: outline and shadow (offset plus three sigmas of blur).</summary>
    public float InkMargin => OutlineWidth + (HasShadow ? Math.Max(Math.Abs(ShadowX), Math.Abs(ShadowY)) + 3 * ShadowBlur : 0) + 1;

    /// <summary>Checks the style for a frame of the given height; the problem named, else null.</summary>
    public string? Problem(int frameHeight)
    {
        if (!float.IsFinite(Size) || Size <= 0 || Size > Math.Max(1, frameHeight) * 2)
            return $"text size {Size.ToString(CultureInfo.InvariantCulture)} px is outside (0, {2 * Math.Max(1, frameHeight)}] (twice the frame height)";
        if (Weight is < 1 or > 1000) return $"font weight {Weight} is outside 1..1000";
        if (!float.IsFinite(OutlineWidth) || OutlineWidth < 0 || OutlineWidth > Size) return $"outline width {OutlineWidth} px is outside 0..{Size} (the text size)";
        if (!float.IsFinite(ShadowX) || !float.IsFinite(ShadowY) || Math.Abs(ShadowX) > Size * 2 || Math.Abs(ShadowY) > Size * 2)
            return $"shadow offset ({ShadowX}, {ShadowY}) px is larger than twice the text size";
        if (!float.IsFinite(ShadowBlur) || ShadowBlur < 0 || ShadowBlur > Size) return $"shadow blur {ShadowBlur} px is outside 0..{Size} (the text size)";
        if (!float.IsFinite(LineHeight) || LineHeight < 0.5f || LineHeight > 5) return $"line height {LineHeight} is outside 0.5..5 (times the text size)";
        if (MaxWidthPx is { } px && (!float.IsFinite(px) || px <= 0)) return $"max width {px} px must be positive";
        if (MaxWidthFraction is { } f && (!float.IsFinite(f) || f <= 0 || f > 1)) return $"max width fraction {f} is outside (0, 1]";
        foreach (var (name, value) in new[] { ("colour", Color), ("outline colour", OutlineColor), ("shadow colour", ShadowColor) })
            if (!Colors.TryParse(value, out _)) return $"{name} '{value}' is not of the form #rrggbb or #rrggbbaa";
        return null;
    }
}

/// <summary>"#rrggbb" / "#rrggbbaa" (alpha last, as CSS writes it) to <see cref="SKColor"/>.</summary>
public static class Colors
{
    public static SKColor Parse(string hex) =>
        TryParse(hex, out var c) ? c : throw new CutturaException($"colour '{hex}' is not of the form #rrggbb or #rrggbbaa");

    public static bool TryParse(string? hex, out SKColor colour)
    {
        colour = default;
        if (hex is null || (hex.Length != 7 && hex.Length != 9) || hex[0] != '#') return false;
        if (!uint.TryParse(hex.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint v)) return false;
        if (hex.Length == 7) v = (v << 8) | 0xff;
        colour = new SKColor((byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v);
        return true;
    }
}
