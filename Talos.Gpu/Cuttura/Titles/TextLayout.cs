using SkiaSharp;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// One shaped glyph placed in a text block. <paramref name="Origin"/> is its pen position on the baseline and
/// <paramref name="Box"/> its ink bounds (the outline's bounding box; empty at the origin for a blank glyph), both in
/// pixels relative to the block's top-left corner. <paramref name="SourceIndex"/> is the UTF-16 index in the text of the
/// first character of the glyph's cluster (a ligature covers several characters). <paramref name="Rtl"/>: the glyph
/// belongs to a right-to-left run.
/// </summary>
public sealed record PlacedGlyph(ushort GlyphId, int SourceIndex, int Line, SKPoint Origin, SKRect Box, bool Rtl, SKTypeface Typeface)
{
    /// <summary>A glyph without ink (a space): its box has no area. (SKRect.IsEmpty only means "all zero".)</summary>
    public bool Blank => Box.Width <= 0 || Box.Height <= 0;
}

/// <summary>
/// A line of a block: the text range [<paramref name="Start"/>, Start + <paramref name="Length"/>) it shows (trailing
/// spaces excluded), its baseline and left edge in block pixels, its advance width, and whether its paragraph is RTL.
/// </summary>
public sealed record TextLine(int Start, int Length, float Baseline, float Left, float Width, bool Rtl);

/// <summary>
/// What <see cref="Typesetter.Layout"/> made of a text: lines, glyphs in visual order (line by line, left to right), and
/// the block's size (width: the widest line; height: first ascent to last descent). <see cref="Ink"/> is the union of the
/// glyph boxes. <see cref="LetterOf"/> / <see cref="WordOf"/> number each UTF-16 index's letter (non-space code point)
/// and word (stretch between two line-break opportunities; each CJK character is one) in logical order, for
/// per-letter and per-word reveals; -1 for spaces.
/// </summary>
public sealed class TextLayout
{
    public required string Text { get; init; }
    public required TextStyle Style { get; init; }
    public required IReadOnlyList<TextLine> Lines { get; init; }
    public required IReadOnlyList<PlacedGlyph> Glyphs { get; init; }
    public required float Width { get; init; }
    public required float Height { get; init; }
    public required int[] LetterOf { get; init; }
    public required int[] WordOf { get; init; }
    public int LetterCount => LetterOf.Length == 0 ? 0 : LetterOf.Max() + 1;
    public int WordCount => WordOf.Length == 0 ? 0 : WordOf.Max() + 1;

    public SKRect Ink
    {
        get
        {
            var inked = Glyphs.Where(g => !g.Blank).Select(g => g.Box).ToList();
            if (inked.Count == 0) return SKRect.Empty;
            var r = inked[0];
            foreach (var b in inked.Skip(1)) r.Union(b);
            return r;
        }
    }

    /// <summary>The same layout moved by (dx, dy) (a block placed in a frame).</summary>
    public IEnumerable<PlacedGlyph> GlyphsAt(float dx, float dy) =>
        Glyphs.Select(g => g with { Origin = new SKPoint(g.Origin.X + dx, g.Origin.Y + dy), Box = SKRect.Create(g.Box.Left + dx, g.Box.Top + dy, g.Box.Width, g.Box.Height) });
}
