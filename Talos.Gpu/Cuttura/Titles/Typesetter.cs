using System.Globalization;
using HarfBuzzSharp;
using SkiaSharp;
using Talos.Messages.Specs;
using HbBuffer = HarfBuzzSharp.Buffer;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// Sets text into lines: paragraphs at explicit newlines; per paragraph the bidi levels (<see cref="Bidi"/>), items of one
/// level, script and font (the style's font, else <see cref="FontLibrary"/>'s fallback for the script), each shaped by
/// HarfBuzz (kerning, ligatures, Arabic joining, mark positioning), greedy line breaking at spaces and between CJK
/// characters (not before closing or after opening CJK punctuation), and per line the items reordered visually (L2) and
/// placed left to right. A plain function: the same text and style give the same layout.
/// </summary>
public static class Typesetter
{
    /// <summary>Longest text a title may hold (the same cap as a shot's dialogue lines).</summary>
    public const int MaxTextLength = Limits.MaxTextLength;

    sealed record Item(int Start, int Length, byte Level, Script Script, SKTypeface Typeface);

    sealed record ShapedGlyph(ushort Id, int Cluster, float Advance, float OffsetX, float OffsetY);

    /// <summary>
    /// Lays <paramref name="text"/> out in lines no wider than <paramref name="maxWidthPx"/> (narrowed further by the style's
    /// MaxWidthPx / MaxWidthFraction); a word longer than the line is broken between its characters.
    /// </summary>
    public static TextLayout Layout(string text, TextStyle style, float maxWidthPx, FontLibrary? fonts = null)
    {
        ArgumentNullException.ThrowIfNull(style);
        if (text is null) throw new CutturaException("title text is missing");
        if (text.Length > MaxTextLength) throw new CutturaException($"title text has {text.Length} characters; at most {MaxTextLength} are allowed");
        if (!float.IsFinite(maxWidthPx) || maxWidthPx <= 0 || maxWidthPx > 4 * Limits.MaxWidth)
            throw new CutturaException($"line width {maxWidthPx} px is outside (0, {4 * Limits.MaxWidth}]");
        if (style.Problem(Limits.MaxHeight) is { } problem) throw new CutturaException(problem);
        fonts ??= FontLibrary.Shared;
        float limit = style.LineLimit(maxWidthPx);

        var primary = style.Font is null ? null : fonts.Resolve(style.Font, style.Weight);
        var lines = new List<(int Start, int End, bool Rtl, List<(Item Item, List<ShapedGlyph> Glyphs)> Runs, float Width)>();
        var letterOf = new int[text.Length];
        var wordOf = new int[text.Length];
        int letters = 0, words = 0;
        var usedFaces = new HashSet<SKTypeface>();

        int ps = 0;
        while (ps <= text.Length)
        {
            int nl = text.IndexOf('\n', ps);
            int pe = nl < 0 ? text.Length : nl;
            int contentEnd = pe > ps && text[pe - 1] == '\r' ? pe - 1 : pe;
            bool rtl = Bidi.IsRtlParagraph(text, ps, contentEnd - ps);
            var items = Itemise(text, ps, contentEnd, rtl, primary, style, fonts);
            foreach (var it in items) usedFaces.Add(it.Typeface);

            // Logical advances per UTF-16 index, from shaping whole items.
            var advance = new float[contentEnd - ps];
            var clusterStart = new bool[contentEnd - ps];
            foreach (var it in items)
                foreach (var g in Shape(text, it, style, fonts))
                {
                    advance[g.Cluster - ps] += g.Advance;
                    clusterStart[g.Cluster - ps] = true;
                }

            var breaks = BreakOpportunities(text, ps, contentEnd);
            NumberUnits(text, ps, contentEnd, breaks, letterOf, wordOf, ref letters, ref words);
            foreach (var (ls, le) in BreakLines(text, ps, contentEnd, breaks, advance, clusterStart, limit))
            {
                var runs = new List<(Item, List<ShapedGlyph>)>();
                var pieces = items.Where(it => it.Start < le && it.Start + it.Length > ls)
                    .Select(it => it with { Start = Math.Max(it.Start, ls), Length = Math.Min(it.Start + it.Length, le) - Math.Max(it.Start, ls) })
                    .ToList();
                var order = Bidi.VisualOrder(pieces.Select(p => p.Level).ToList());
                float width = 0;
                foreach (int k in order)
                {
                    var shaped = Shape(text, pieces[k], style, fonts);
                    width += shaped.Sum(g => g.Advance);
                    runs.Add((pieces[k], shaped));
                }
                lines.Add((ls, le, rtl, runs, width));
            }
            if (nl < 0) break;
            ps = nl + 1;
        }

        // Vertical metrics: the largest ascent and descent of the fonts used, so no glyph pokes out of the block.
        if (usedFaces.Count == 0) usedFaces.Add(primary ?? fonts.Family("DejaVu Sans", style.Weight));
        float ascent = 0, descent = 0;
        foreach (var tf in usedFaces)
        {
            using var f = MakeFont(tf, style.Size);
            ascent = Math.Max(ascent, -f.Metrics.Ascent);
            descent = Math.Max(descent, f.Metrics.Descent);
        }
        float lineAdvance = style.Size * style.LineHeight;
        float blockWidth = lines.Count == 0 ? 0 : lines.Max(l => l.Width);

        var placedLines = new List<TextLine>();
        var glyphs = new List<PlacedGlyph>();
        for (int li = 0; li < lines.Count; li++)
        {
            var l = lines[li];
            float baseline = ascent + li * lineAdvance;
            float x = Align(style.Align, l.Rtl, blockWidth - l.Width);
            placedLines.Add(new TextLine(l.Start, l.End - l.Start, baseline, x, l.Width, l.Rtl));
            foreach (var (item, shaped) in l.Runs)
            {
                using var font = MakeFont(item.Typeface, style.Size);
                for (int i = 0; i < shaped.Count; i++)
                {
                    var g = shaped[i];
                    var origin = new SKPoint(x + g.OffsetX, baseline - g.OffsetY);
                    var b = InkBounds(font, g.Id);
                    var box = b.IsEmpty ? SKRect.Create(origin.X, origin.Y, 0, 0) : new SKRect(origin.X + b.Left, origin.Y + b.Top, origin.X + b.Right, origin.Y + b.Bottom);
                    glyphs.Add(new PlacedGlyph(g.Id, g.Cluster, li, origin, box, item.Level % 2 == 1, item.Typeface));
                    x += g.Advance;
                }
            }
        }
        float height = lines.Count == 0 ? 0 : ascent + (lines.Count - 1) * lineAdvance + descent;
        return new TextLayout
        {
            Text = text, Style = style, Lines = placedLines, Glyphs = glyphs, Width = blockWidth, Height = height,
            LetterOf = letterOf, WordOf = wordOf,
        };
    }

    /// <summary>A Skia font for drawing and measuring at unhinted, subpixel-positioned, linear metrics (layout independent of size rounding).</summary>
    public static SKFont MakeFont(SKTypeface typeface, float size) =>
        new(typeface, size) { Subpixel = true, Hinting = SKFontHinting.None, LinearMetrics = true, Edging = SKFontEdging.Antialias };

    /// <summary>The tight bounds of a glyph's outline (empty for a blank glyph such as a space).</summary>
    static SKRect InkBounds(SKFont font, ushort glyph)
    {
        using var path = font.GetGlyphPath(glyph);
        return path is null || path.IsEmpty ? SKRect.Empty : path.TightBounds;
    }

    static float Align(TextAlign align, bool rtl, float slack) => align switch
    {
        TextAlign.Left => 0,
        TextAlign.Right => slack,
        TextAlign.Start => rtl ? slack : 0,
        TextAlign.End => rtl ? 0 : slack,
        _ => slack / 2,
    };

    /// <summary>Splits a paragraph into items of one bidi level, one script and one typeface.</summary>
    static List<Item> Itemise(string text, int start, int end, bool rtl, SKTypeface? primary, TextStyle style, FontLibrary fonts)
    {
        var items = new List<Item>();
        if (end <= start) return items;
        var levels = Bidi.Levels(text, start, end - start, rtl);
        var unicode = UnicodeFunctions.Default;

        // Scripts per code point; Common and Inherited take the script before them (or after, at the start).
        var cps = new List<(int Index, int Units, int Cp, Script Script)>();
        for (int i = start; i < end;)
        {
            int cp = Bidi.CodePoint(text, i, out int n);
            cps.Add((i, n, cp, unicode.GetScript(cp)));
            i += n;
        }
        static bool Weak(Script s) => s == Script.Common || s == Script.Inherited || s == Script.Unknown;
        var resolved = new Script[cps.Count];
        Script last = Script.Invalid;
        for (int k = 0; k < cps.Count; k++)
        {
            if (!Weak(cps[k].Script)) last = cps[k].Script;
            resolved[k] = Weak(cps[k].Script) ? last : cps[k].Script;
        }
        Script next = Script.Latin;
        for (int k = cps.Count - 1; k >= 0; k--)
        {
            if (resolved[k] != Script.Invalid) next = resolved[k];
            else resolved[k] = next;
        }

        SKTypeface? prevFace = null;
        var fallbackPrimary = primary ?? fonts.Family("DejaVu Sans", style.Weight);
        int runStart = start;
        Script runScript = resolved[0];
        SKTypeface? runFace = null;
        byte runLevel = levels[0];
        for (int k = 0; k < cps.Count; k++)
        {
            var (idx, units, cp, script) = cps[k];
            SKTypeface face;
            bool weak = Weak(script);
            if (weak && prevFace is not null && FontLibrary.Has(prevFace, cp)) face = prevFace;
            else if (weak && Bidi.ClassOf(cp) == Bidi.Class.Neutral && char.IsWhiteSpace(text, idx) && prevFace is not null) face = prevFace;
            else face = fonts.ForCharacter(cp, resolved[k], primary ?? (ScriptHasDefault(resolved[k]) ? null : fallbackPrimary), style.Weight, style.Language)
                        ?? prevFace ?? fallbackPrimary;
            byte level = levels[idx - start];
            if (runFace is null) { runFace = face; runScript = resolved[k]; runLevel = level; }
            else if (face != runFace || resolved[k] != runScript || level != runLevel)
            {
                items.Add(new Item(runStart, idx - runStart, runLevel, runScript, runFace));
                runStart = idx;
                runFace = face;
                runScript = resolved[k];
                runLevel = level;
            }
            prevFace = face;
        }
        items.Add(new Item(runStart, end - runStart, runLevel, runScript, runFace!));
        return items;
    }

    /// <summary>Scripts whose default font is not DejaVu Sans: without a style font, they go straight to their own family.</summary>
    static bool ScriptHasDefault(Script s) =>
        s == Script.Arabic || s == Script.Hebrew || s == Script.Han || s == Script.Hiragana || s == Script.Katakana || s == Script.Hangul || s == Script.Bopomofo;

    /// <summary>Shapes one item with HarfBuzz (the whole text as context, so joining across item edges is right); glyphs in visual order, pixels.</summary>
    static List<ShapedGlyph> Shape(string text, Item item, TextStyle style, FontLibrary fonts)
    {
        var hb = fonts.Shaper(item.Typeface);
        using var buffer = new HbBuffer();
        buffer.AddUtf16(text, item.Start, item.Length);
        buffer.Direction = item.Level % 2 == 1 ? Direction.RightToLeft : Direction.LeftToRight;
        buffer.Script = item.Script;
        buffer.Language = new Language(style.Language ?? (item.Script == Script.Arabic ? "ar" : item.Script == Script.Hebrew ? "he" : "en"));
        buffer.ClusterLevel = ClusterLevel.MonotoneCharacters;
        hb.Font.Shape(buffer);
        var infos = buffer.GetGlyphInfoSpan();
        var pos = buffer.GetGlyphPositionSpan();
        float scale = style.Size / hb.UnitsPerEm;
        var result = new List<ShapedGlyph>(infos.Length);
        for (int i = 0; i < infos.Length; i++)
            result.Add(new ShapedGlyph((ushort)infos[i].Codepoint, (int)infos[i].Cluster, pos[i].XAdvance * scale, pos[i].XOffset * scale, pos[i].YOffset * scale));
        return result;
    }

    /// <summary>
    /// Where a line may start, as UTF-16 indices in (start, end): after a run of spaces, and before or after a CJK character
    /// unless that splits closing punctuation from what precedes it or opening punctuation from what follows (kinsoku).
    /// </summary>
    internal static List<int> BreakOpportunities(string text, int start, int end)
    {
        var list = new List<int>();
        int prevCp = -1;
        for (int i = start; i < end;)
        {
            int cp = Bidi.CodePoint(text, i, out int n);
            if (i > start && prevCp >= 0)
            {
                bool ws = IsSpace(cp), prevWs = IsSpace(prevCp);
                if (!ws && (prevWs || ((IsCjk(cp) || IsCjk(prevCp)) && !NoBreakBefore(cp) && !NoBreakAfter(prevCp))))
                    list.Add(i);
            }
            prevCp = cp;
            i += n;
        }
        return list;
    }

    static bool IsSpace(int cp) => cp != 0x00A0 && cp < 0x10000 && char.IsWhiteSpace((char)cp);

    static bool IsCjk(int cp) =>
        cp is >= 0x2E80 and <= 0x9FFF or >= 0xAC00 and <= 0xD7AF or >= 0xF900 and <= 0xFAFF or >= 0xFF00 and <= 0xFFEF or >= 0x20000 and <= 0x3FFFF;

    const string ClosingCjk = "、。，．・：；！？）」』】〕〉》｝〗〙ー…‥ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻゛゜ヽヾゝゞ!),.:;?]}";
    const string OpeningCjk = "（「『【〔〈《｛〖〘([{";

    static bool NoBreakBefore(int cp) => cp < 0x10000 && ClosingCjk.Contains((char)cp);
    static bool NoBreakAfter(int cp) => cp < 0x10000 && OpeningCjk.Contains((char)cp);

    /// <summary>Letters (non-space code points) and words (stretches between break opportunities) numbered in logical order.</summary>
    static void NumberUnits(string text, int start, int end, List<int> breaks, int[] letterOf, int[] wordOf, ref int letters, ref int words)
    {
        int b = 0;
        bool wordOpen = false;
        for (int i = start; i < end;)
        {
            int cp = Bidi.CodePoint(text, i, out int n);
            if (b < breaks.Count && breaks[b] == i) { b++; if (wordOpen) { words++; wordOpen = false; } }
            bool space = IsSpace(cp);
            for (int j = 0; j < n; j++)
            {
                letterOf[i + j] = space ? -1 : letters;
                wordOf[i + j] = space ? -1 : words;
            }
            if (!space) { letters++; wordOpen = true; }
            i += n;
        }
        if (wordOpen) words++;
        for (int i = end; i < Math.Min(text.Length, end + 2); i++)
            if (text[i] is '\r' or '\n') { letterOf[i] = -1; wordOf[i] = -1; }
    }

    /// <summary>
    /// Greedy line breaking: segments between opportunities are added while the line (its trailing spaces not counted)
    /// fits; a segment wider than a whole line is broken at cluster starts. Lines exclude their trailing spaces.
    /// </summary>
    static List<(int Start, int End)> BreakLines(string text, int start, int end, List<int> breaks, float[] advance, bool[] clusterStart, float limit)
    {
        var lines = new List<(int, int)>();
        if (end <= start) { lines.Add((start, start)); return lines; }
        var bounds = new List<int> { start };
        bounds.AddRange(breaks);
        bounds.Add(end);
        int lineStart = start;
        float lineWidth = 0; // including trailing spaces of the segments in it
        float Width(int a, int b) { float w = 0; for (int i = a; i < b; i++) w += advance[i - start]; return w; }
        int TrimEnd(int a, int b) { while (b > a && char.IsWhiteSpace(text[b - 1])) b--; return b; }
        for (int s = 0; s + 1 < bounds.Count; s++)
        {
            int a = bounds[s], b = bounds[s + 1];
            float trimmed = Width(a, TrimEnd(a, b)), full = Width(a, b);
            if (a > lineStart && lineWidth + trimmed > limit)
            {
                lines.Add((lineStart, TrimEnd(lineStart, a)));
                lineStart = a;
                lineWidth = 0;
            }
            if (a == lineStart && trimmed > limit)
            {
                // An over-long word: break it between clusters.
                int from = a;
                float w = 0;
                int tb = TrimEnd(a, b);
                for (int i = a; i < tb; i++)
                {
                    if (i > from && clusterStart[i - start] && w + advance[i - start] > limit)
                    {
                        lines.Add((from, i));
                        from = i;
                        w = 0;
                    }
                    w += advance[i - start];
                }
                lineStart = from;
                lineWidth = w + (full - trimmed);
                continue;
            }
            lineWidth += full;
        }
        lines.Add((lineStart, TrimEnd(lineStart, end)));
        return lines;
    }

    internal static string Describe(float v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
