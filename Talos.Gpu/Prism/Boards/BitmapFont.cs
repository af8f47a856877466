using System.Globalization;
using System.Text;

namespace Talos.Gpu.Prism.Boards;

/// <summary>
/// A built-in 5×7 capitals font for lettering storyboards and animatics: the same pixels on every machine (no system
/// fonts, no native text stack), so boards are as deterministic as frames. Lower case is lettered in capitals, accents are
/// dropped, anything else unknown is '?'. Each glyph is 7 rows of 5 bits, the high bit on the left.
/// </summary>
public static class BitmapFont
{
    public const int GlyphWidth = 5, GlyphHeight = 7, Advance = 6, LineHeight = 10;

    static readonly Dictionary<char, byte[]> Glyphs = Build();

    static Dictionary<char, byte[]> Build()
    {
        static byte[] G(params int[] rows) => rows.Select(r => (byte)Convert.ToInt32(r.ToString("D5"), 2)).ToArray();
        return new Dictionary<char, byte[]>
        {
            ['A'] = G(01110, 10001, 10001, 11111, 10001, 10001, 10001), ['B'] = G(11110, 10001, 10001, 11110, 10001, 10001, 11110),
            ['C'] = G(01110, 10001, 10000, 10000, 10000, 10001, 01110), ['D'] = G(11110, 10001, 10001, 10001, 10001, 10001, 11110),
            ['E'] = G(11111, 10000, 10000, 11110, 10000, 10000, 11111), ['F'] = G(11111, 10000, 10000, 11110, 10000, 10000, 10000),
            ['G'] = G(01110, 10001, 10000, 10111, 10001, 10001, 01111), ['H'] = G(10001, 10001, 10001, 11111, 10001, 10001, 10001),
            ['I'] = G(01110, 00100, 00100, 00100, 00100, 00100, 01110), ['J'] = G(00111, 00010, 00010, 00010, 00010, 10010, 01100),
            ['K'] = G(10001, 10010, 10100, 11000, 10100, 10010, 10001), ['L'] = G(10000, 10000, 10000, 10000, 10000, 10000, 11111),
            ['M'] = G(10001, 11011, 10101, 10101, 10001, 10001, 10001), ['N'] = G(10001, 10001, 11001, 10101, 10011, 10001, 10001),
            ['O'] = G(01110, 10001, 10001, 10001, 10001, 10001, 01110), ['P'] = G(11110, 10001, 10001, 11110, 10000, 10000, 10000),
            ['Q'] = G(01110, 10001, 10001, 10001, 10101, 10010, 01101), ['R'] = G(11110, 10001, 10001, 11110, 10100, 10010, 10001),
            ['S'] = G(01111, 10000, 10000, 01110, 00001, 00001, 11110), ['T'] = G(11111, 00100, 00100, 00100, 00100, 00100, 00100),
            ['U'] = G(10001, 10001, 10001, 10001, 10001, 10001, 01110), ['V'] = G(10001, 10001, 10001, 10001, 10001, 01010, 00100),
            ['W'] = G(10001, 10001, 10001, 10101, 10101, 10101, 01010), ['X'] = G(10001, 10001, 01010, 00100, 01010, 10001, 10001),
            ['Y'] = G(10001, 10001, 01010, 00100, 00100, 00100, 00100), ['Z'] = G(11111, 00001, 00010, 00100, 01000, 10000, 11111),
            ['0'] = G(01110, 10001, 10011, 10101, 11001, 10001, 01110), ['1'] = G(00100, 01100, 00100, 00100, 00100, 00100, 01110),
            ['2'] = G(01110, 10001, 00001, 00010, 00100, 01000, 11111), ['3'] = G(11111, 00010, 00100, 00010, 00001, 10001, 01110),
            ['4'] = G(00010, 00110, 01010, 10010, 11111, 00010, 00010), ['5'] = G(11111, 10000, 11110, 00001, 00001, 10001, 01110),
            ['6'] = G(00110, 01000, 10000, 11110, 10001, 10001, 01110), ['7'] = G(11111, 00001, 00010, 00100, 01000, 01000, 01000),
            ['8'] = G(01110, 10001, 10001, 01110, 10001, 10001, 01110), ['9'] = G(01110, 10001, 10001, 01111, 00001, 00010, 01100),
            [' '] = G(0, 0, 0, 0, 0, 0, 0),
            ['.'] = G(00000, 00000, 00000, 00000, 00000, 01100, 01100), [','] = G(00000, 00000, 00000, 00000, 01100, 00100, 01000),
            [':'] = G(00000, 01100, 01100, 00000, 01100, 01100, 00000), [';'] = G(00000, 01100, 01100, 00000, 01100, 00100, 01000),
            ['!'] = G(00100, 00100, 00100, 00100, 00100, 00000, 00100), ['?'] = G(01110, 10001, 00001, 00010, 00100, 00000, 00100),
            ['\''] = G(00100, 00100, 01000, 00000, 00000, 00000, 00000), ['"'] = G(01010, 01010, 00000, 00000, 00000, 00000, 00000),
            ['-'] = G(00000, 00000, 00000, 11111, 00000, 00000, 00000), ['('] = G(00010, 00100, 01000, 01000, 01000, 00100, 00010),
            [')'] = G(01000, 00100, 00010, 00010, 00010, 00100, 01000), ['/'] = G(00001, 00010, 00010, 00100, 01000, 01000, 10000),
            ['&'] = G(01100, 10010, 10100, 01000, 10101, 10010, 01101), ['#'] = G(01010, 01010, 11111, 01010, 11111, 01010, 01010),
            ['*'] = G(00000, 00100, 10101, 01110, 10101, 00100, 00000), ['+'] = G(00000, 00100, 00100, 11111, 00100, 00100, 00000),
            ['='] = G(00000, 00000, 11111, 00000, 11111, 00000, 00000), ['_'] = G(00000, 00000, 00000, 00000, 00000, 00000, 11111),
            ['<'] = G(00010, 00100, 01000, 10000, 01000, 00100, 00010), ['>'] = G(01000, 00100, 00010, 00001, 00010, 00100, 01000),
            ['$'] = G(00100, 01111, 10100, 01110, 00101, 11110, 00100), ['%'] = G(11000, 11001, 00010, 00100, 01000, 10011, 00011),
            ['@'] = G(01110, 10001, 10111, 10101, 10111, 10000, 01111), ['['] = G(01110, 01000, 01000, 01000, 01000, 01000, 01110),
            [']'] = G(01110, 00010, 00010, 00010, 00010, 00010, 01110),
        };
    }

    /// <summary>Text as the font letters it: capitals, typographic quotes and dashes made plain, accents dropped, unknowns '?'.</summary>
    public static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c0 in text.Replace("…", "...").Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c0) == UnicodeCategory.NonSpacingMark) continue;
            char c = c0 switch { '‘' or '’' or '`' => '\'', '“' or '”' => '"', '–' or '—' => '-', '\n' or '\r' or '\t' => ' ', _ => char.ToUpperInvariant(c0) };
            sb.Append(Glyphs.ContainsKey(c) ? c : '?');
        }
        return sb.ToString();
    }

    public static int Measure(string text, int scale = 1) => Math.Max(0, Normalise(text).Length * Advance * scale - scale);

    /// <summary>Letters <paramref name="text"/> into an RGB24 image with its top-left at (x, y), clipped to the image.</summary>
    public static void Draw(byte[] rgb, int width, int height, int x, int y, string text, (byte R, byte G, byte B) colour, int scale = 1)
    {
        int pen = x;
        foreach (char c in Normalise(text))
        {
            var g = Glyphs[c];
            for (int row = 0; row < GlyphHeight; row++)
                for (int col = 0; col < GlyphWidth; col++)
                {
                    if ((g[row] & (1 << (GlyphWidth - 1 - col))) == 0) continue;
                    for (int sy = 0; sy < scale; sy++)
                        for (int sx = 0; sx < scale; sx++)
                        {
                            int px = pen + col * scale + sx, py = y + row * scale + sy;
                            if (px < 0 || py < 0 || px >= width || py >= height) continue;
                            int o = (py * width + px) * 3;
                            rgb[o] = colour.R; rgb[o + 1] = colour.G; rgb[o + 2] = colour.B;
                        }
                }
            pen += Advance * scale;
        }
    }

    /// <summary>Words wrapped to lines of at most <paramref name="maxChars"/> characters; at most <paramref name="maxLines"/> lines,
    /// the last ending in "..." when text is left over. A word longer than a line is cut.</summary>
    public static List<string> Wrap(string text, int maxChars, int maxLines)
    {
        var lines = new List<string>();
        if (maxChars < 4 || maxLines < 1) return lines;
        var words = Normalise(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cur = new StringBuilder();
        int k = 0;
        for (; k < words.Length; k++)
        {
            var w = words[k].Length > maxChars ? words[k][..maxChars] : words[k];
            if (cur.Length > 0 && cur.Length + 1 + w.Length > maxChars)
            {
                lines.Add(cur.ToString());
                cur.Clear();
                if (lines.Count == maxLines) break;
            }
            if (cur.Length > 0) cur.Append(' ');
            cur.Append(w);
        }
        if (cur.Length > 0 && lines.Count < maxLines) lines.Add(cur.ToString());
        if (k < words.Length && lines.Count > 0)
        {
            var last = lines[^1];
            lines[^1] = (last.Length + 3 > maxChars ? last[..(maxChars - 3)] : last) + "...";
        }
        return lines;
    }
}
