using System.Text;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// The parts of the Unicode Bidirectional Algorithm (UAX #9) that titles and subtitles need: the paragraph direction
/// from its first strong character (P2–P3), implicit levels for strong, number and neutral characters (W1–W7 and N1–N2
/// in simplified form: numbers take the level above an RTL context, neutrals the direction of equal strong neighbours,
/// else the paragraph's), and the reordering of a line's level runs (L2). No explicit embeddings or isolates.
/// </summary>
public static class Bidi
{
    /// <summary>The bidi class of a character as far as this algorithm distinguishes them.</summary>
    public enum Class : byte { L, R, Number, Neutral, Mark }

    public static Class ClassOf(int cp)
    {
        if (cp is >= 0x0660 and <= 0x0669 or >= 0x06F0 and <= 0x06F9) return Class.Number;
        if (cp is >= 0x0590 and <= 0x08FF or >= 0xFB1D and <= 0xFDFF or >= 0xFE70 and <= 0xFEFE or >= 0x10800 and <= 0x10FFF or >= 0x1E800 and <= 0x1EFFF)
        {
            var cat = Rune.GetUnicodeCategory(new Rune(cp));
            return cat is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark ? Class.Mark : Class.R;
        }
        if (!Rune.IsValid(cp)) return Class.Neutral;
        var r = new Rune(cp);
        var c = Rune.GetUnicodeCategory(r);
        if (c is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark) return Class.Mark;
        if (Rune.IsDigit(r)) return Class.Number;
        if (Rune.IsLetter(r) || c == System.Globalization.UnicodeCategory.SpacingCombiningMark) return Class.L;
        return Class.Neutral;
    }

    /// <summary>True when the first strong character of <paramref name="text"/> is right-to-left (P2, P3); false when it is LTR or there is none.</summary>
    public static bool IsRtlParagraph(string text, int start = 0, int length = -1)
    {
        int end = length < 0 ? text.Length : start + length;
        for (int i = start; i < end;)
        {
            int cp = CodePoint(text, i, out int n);
            var k = ClassOf(cp);
            if (k == Class.L) return false;
            if (k == Class.R) return true;
            i += n;
        }
        return false;
    }

    /// <summary>
    /// The embedding level of each UTF-16 unit of <paramref name="text"/>[start, start+length) in a paragraph of the given
    /// direction: 0/1 for LTR/RTL text, 2 for numbers and LTR text inside RTL (both units of a surrogate pair get the same level).
    /// </summary>
    public static byte[] Levels(string text, int start, int length, bool rtlParagraph)
    {
        var classes = new Class[length];
        for (int i = 0; i < length;)
        {
            int cp = CodePoint(text, start + i, out int n);
            var k = ClassOf(cp);
            for (int j = 0; j < n && i + j < length; j++) classes[i + j] = k;
            i += n;
        }
        // W1: a mark takes the class of what it marks.
        for (int i = 0; i < length; i++)
            if (classes[i] == Class.Mark) classes[i] = i == 0 ? (rtlParagraph ? Class.R : Class.L) : classes[i - 1];

        byte para = (byte)(rtlParagraph ? 1 : 0);
        var levels = new byte[length];
        // Numbers: in an RTL paragraph or after an R (W2/W7 simplified) they are LTR runs inside RTL (level 2); else level 0.
        Class lastStrong = rtlParagraph ? Class.R : Class.L;
        var numberContext = new Class[length];
        for (int i = 0; i < length; i++)
        {
            if (classes[i] is Class.L or Class.R) lastStrong = classes[i];
            numberContext[i] = lastStrong;
        }
        // Strong direction seen by neutrals (N1): numbers count as R.
        Class Strong(int i) => classes[i] switch { Class.L => Class.L, Class.R => Class.R, Class.Number => numberContext[i] == Class.R || rtlParagraph ? Class.R : Class.L, _ => Class.Neutral };
        for (int i = 0; i < length; i++)
        {
            switch (classes[i])
            {
                case Class.L: levels[i] = (byte)(rtlParagraph ? 2 : 0); break;
                case Class.R: levels[i] = 1; break;
                case Class.Number: levels[i] = (byte)(rtlParagraph || numberContext[i] == Class.R ? 2 : 0); break;
                default:
                {
                    int a = i - 1;
                    while (a >= 0 && Strong(a) == Class.Neutral) a--;
                    int b = i + 1;
                    while (b < length && Strong(b) == Class.Neutral) b++;
                    var before = a >= 0 ? Strong(a) : (rtlParagraph ? Class.R : Class.L);
                    var after = b < length ? Strong(b) : (rtlParagraph ? Class.R : Class.L);
                    levels[i] = before == after ? (byte)(before == Class.R ? 1 : rtlParagraph ? 2 : 0) : para;
                    break;
                }
            }
        }
        // Keep surrogate pairs and clusters of a number with its neighbours consistent: both halves of a pair share a level.
        for (int i = 1; i < length; i++)
            if (char.IsLowSurrogate(text[start + i])) levels[i] = levels[i - 1];
        return levels;
    }

    /// <summary>
    /// L2: the visual order of runs with the given levels (logical order in, indices in display order left to right out):
    /// from the highest level down to the lowest odd level, every maximal sequence at that level or above is reversed.
    /// </summary>
    public static int[] VisualOrder(IReadOnlyList<byte> runLevels)
    {
        var order = Enumerable.Range(0, runLevels.Count).ToArray();
        if (runLevels.Count == 0) return order;
        int max = runLevels.Max(), minOdd = runLevels.Where(l => l % 2 == 1).DefaultIfEmpty((byte)255).Min();
        if (minOdd == 255) return order;
        for (int level = max; level >= minOdd; level--)
        {
            for (int i = 0; i < order.Length;)
            {
                if (runLevels[order[i]] < level) { i++; continue; }
                int j = i;
                while (j < order.Length && runLevels[order[j]] >= level) j++;
                Array.Reverse(order, i, j - i);
                i = j;
            }
        }
        return order;
    }

    /// <summary>The code point at <paramref name="i"/> (U+FFFD for a lone surrogate) and how many UTF-16 units it takes.</summary>
    public static int CodePoint(string s, int i, out int units)
    {
        if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            units = 2;
            return char.ConvertToUtf32(s[i], s[i + 1]);
        }
        units = 1;
        return char.IsSurrogate(s[i]) ? 0xFFFD : s[i];
    }
}
