using SkiaSharp;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// Safe areas of SMPTE ST 2046-1:2009 ("Safe Areas for Widescreen Image Display"): the title-safe area is the centred
/// rectangle of 90 % of the frame's width and height, the action-safe area 93 %. Type stays inside title safe; action
/// that matters inside action safe.
/// </summary>
public static class SafeAreas
{
    public const double TitleSafeFraction = 0.90, ActionSafeFraction = 0.93;

    public static SKRect TitleSafe(int width, int height) => Centred(width, height, TitleSafeFraction);

    public static SKRect ActionSafe(int width, int height) => Centred(width, height, ActionSafeFraction);

    /// <summary>The title-safe area as a resolution-independent box (fractions of the frame).</summary>
    public static FrameBox TitleSafeBox { get; } = new((1 - TitleSafeFraction) / 2, (1 - TitleSafeFraction) / 2, TitleSafeFraction, TitleSafeFraction);

    static SKRect Centred(int width, int height, double fraction)
    {
        if (width <= 0 || height <= 0) throw new CutturaException($"frame size {width}x{height} must be positive");
        float mx = (float)(width * (1 - fraction) / 2), my = (float)(height * (1 - fraction) / 2);
        return new SKRect(mx, my, width - mx, height - my);
    }

    /// <summary>
    /// <paramref name="title"/> placed in <paramref name="rect"/> (frame pixels of a <paramref name="width"/>×<paramref name="height"/>
    /// frame) at the largest text size up to its own whose laid-out block, ink (outline, shadow) included, fits the rectangle;
    /// the size is found by bisection to 1/64 px. A clear error when even <paramref name="minSize"/> px does not fit.
    /// </summary>
    public static TitleElement FitInto(TitleElement title, SKRect rect, int width, int height, float minSize = 6, FontLibrary? fonts = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (rect.Width < 1 || rect.Height < 1) throw new CutturaException($"rectangle {rect.Width}x{rect.Height} px is too small to fit a title into");
        var box = FrameBox.FromPixels(rect);
        var placed = title with { Box = box };
        if (Fits(placed, width, height, title.Style.Size, fonts)) return placed;
        if (!Fits(placed, width, height, minSize, fonts))
            throw new CutturaException($"title \"{Shorten(title.Text)}\" does not fit {rect.Width:0}x{rect.Height:0} px even at {minSize} px");
        float lo = minSize, hi = title.Style.Size;
        while (hi - lo > 1f / 64)
        {
            float mid = (lo + hi) / 2;
            if (Fits(placed, width, height, mid, fonts)) lo = mid; else hi = mid;
        }
        return placed with { Style = title.Style with { Size = lo } };
    }

    static bool Fits(TitleElement title, int width, int height, float size, FontLibrary? fonts)
    {
        var t = title with { Style = title.Style with { Size = size } };
        var l = new TitleScene([t], fonts).Layout(width, height)[0];
        // The scene sets the block inside the box less the ink margin: it fits when no glyph's ink leaves the box.
        var r = title.Box.ToPixels(width, height);
        r.Inflate(0.01f, 0.01f);
        float m = l.Text!.Style.InkMargin;
        if (l.Box.Width > r.Width - 2 * m || l.Box.Height > r.Height - 2 * m) return false;
        foreach (var g in l.Glyphs)
        {
            if (g.Blank) continue;
            var b = g.Box;
            b.Inflate(m - 1, m - 1);
            if (!r.Contains(b)) return false;
        }
        return true;
    }

    static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
