using SkiaSharp;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>Where a block sits inside its box when it is smaller than the box.</summary>
public enum Anchor { TopLeft, Top, TopRight, Left, Center, Right, BottomLeft, Bottom, BottomRight }

/// <summary>
/// A rectangle of the frame: in fractions of the frame's width and height (<paramref name="Fractions"/> true, the default;
/// resolution independent, so one scene serves every aspect ratio's size) or in pixels.
/// </summary>
public sealed record FrameBox(double X, double Y, double Width, double Height, bool Fractions = true)
{
    public static FrameBox Pixels(double x, double y, double width, double height) => new(x, y, width, height, false);

    /// <summary>The whole frame.</summary>
    public static FrameBox Full { get; } = new(0, 0, 1, 1);

    public SKRect ToPixels(int width, int height) => Fractions
        ? SKRect.Create((float)(X * width), (float)(Y * height), (float)(Width * width), (float)(Height * height))
        : SKRect.Create((float)X, (float)Y, (float)Width, (float)Height);

    public static FrameBox FromPixels(SKRect r) => Pixels(r.Left, r.Top, r.Width, r.Height);

    public string? Problem(int width, int height)
    {
        if (!double.IsFinite(X) || !double.IsFinite(Y) || !double.IsFinite(Width) || !double.IsFinite(Height)) return "box has a non-finite coordinate";
        var r = ToPixels(width, height);
        if (r.Width < 1 || r.Height < 1) return $"box {r.Width:0.#}x{r.Height:0.#} px is smaller than a pixel";
        if (r.Right < 0 || r.Bottom < 0 || r.Left > width || r.Top > height) return $"box at ({r.Left:0.#}, {r.Top:0.#}) lies outside the {width}x{height} frame";
        if (r.Width > 4 * width || r.Height > 4 * height) return $"box {r.Width:0.#}x{r.Height:0.#} px is more than four times the {width}x{height} frame";
        return null;
    }

    /// <summary>The top-left corner of a <paramref name="w"/>×<paramref name="h"/> block anchored in <paramref name="box"/>.</summary>
    public static SKPoint Place(SKRect box, float w, float h, Anchor anchor)
    {
        float x = anchor switch
        {
            Anchor.TopLeft or Anchor.Left or Anchor.BottomLeft => box.Left,
            Anchor.TopRight or Anchor.Right or Anchor.BottomRight => box.Right - w,
            _ => box.MidX - w / 2,
        };
        float y = anchor switch
        {
            Anchor.TopLeft or Anchor.Top or Anchor.TopRight => box.Top,
            Anchor.BottomLeft or Anchor.Bottom or Anchor.BottomRight => box.Bottom - h,
            _ => box.MidY - h / 2,
        };
        return new SKPoint(x, y);
    }
}

/// <summary>
/// Something a <see cref="TitleScene"/> draws on frames [<see cref="StartFrame"/>, <see cref="EndFrame"/>) (end
/// exclusive), placed in <see cref="Box"/> at <see cref="Anchor"/>, animated in and out by <see cref="Animation"/>.
/// </summary>
public abstract record SceneElement(FrameBox Box, int StartFrame, int EndFrame)
{
    public Anchor Anchor { get; init; } = Anchor.Center;
    public TitleAnimation Animation { get; init; } = TitleAnimation.None;

    public bool VisibleAt(int frame) => frame >= StartFrame && frame < EndFrame;
}

/// <summary>
/// Type in a frame: <see cref="Text"/> set in <see cref="Style"/>, its lines no wider than the box (or the style's max
/// width), the block anchored in the box; both less the style's ink margin (outline and shadow), so all it draws stays in
/// the box. Titles, lower thirds, subtitles and end cards are all this.
/// </summary>
public sealed record TitleElement(string Text, TextStyle Style, FrameBox Box, int StartFrame, int EndFrame) : SceneElement(Box, StartFrame, EndFrame);

/// <summary>
/// A logo or plate: <see cref="Image"/> is an SVG document or a PNG (sniffed from the bytes), scaled to fit the box
/// keeping its aspect ratio and anchored in it.
/// </summary>
public sealed record LogoElement(byte[] Image, FrameBox Box, int StartFrame, int EndFrame) : SceneElement(Box, StartFrame, EndFrame);

/// <summary>
/// An element placed in a frame: its index in the scene, the rectangle its block (text block or fitted image) occupies,
/// <see cref="Ink"/> — every pixel it can touch, outline and shadow included — and, for text, its glyphs in frame
/// pixels and the layout they came from.
/// </summary>
public sealed record ElementLayout(int Index, SceneElement Element, SKRect Box, SKRect Ink, IReadOnlyList<PlacedGlyph> Glyphs, TextLayout? Text);
