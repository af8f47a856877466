using HarfBuzzSharp;
using SkiaSharp;
using SkiaSharp.HarfBuzz;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// Fonts for titles: a family by name through fontconfig (Skia's <see cref="SKFontManager"/>), or a font file by path,
/// and a fallback per script so a mixed string renders without tofu: Latin, Greek, Cyrillic → DejaVu Sans; Arabic → Noto
/// Sans Arabic / Noto Naskh Arabic; Hebrew → Noto Sans Hebrew; Japanese, Chinese, Korean → Noto Sans CJK (JP, SC, KR by
/// language; Debian fonts-dejavu-core, fonts-noto-core, fonts-noto-cjk). Typefaces and their HarfBuzz faces are cached;
/// one library serves every thread (<see cref="Shared"/>).
/// </summary>
public sealed class FontLibrary
{
    /// <summary>The process-wide library over the system's fonts.</summary>
    public static FontLibrary Shared { get; } = new();

    /// <summary>The Debian packages that hold the fallback fonts (named when one is missing).</summary>
    public const string FontPackages = "fonts-dejavu-core fonts-noto-core fonts-noto-cjk";

    readonly object _gate = new();
    readonly Dictionary<string, SKTypeface> _byKey = new(StringComparer.Ordinal);
    readonly Dictionary<IntPtr, HbFace> _faces = [];

    /// <summary>A HarfBuzz font at its design units (scale = units per em) for one typeface; shaping with it is thread-safe.</summary>
    internal sealed record HbFace(HarfBuzzSharp.Font Font, int UnitsPerEm);

    /// <summary>
    /// A typeface for <paramref name="font"/>: a path (contains '/' or ends in .ttf/.otf/.ttc) is read from the file, anything
    /// else is a family name that must be installed (fontconfig does not silently substitute another family here).
    /// </summary>
    public SKTypeface Resolve(string font, int weight = 400)
    {
        if (string.IsNullOrWhiteSpace(font)) throw new CutturaException("font name is empty");
        return LooksLikePath(font) ? FromFile(font) : Family(font, weight);
    }

    public static bool LooksLikePath(string font) =>
        font.Contains('/') || font.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || font.EndsWith(".otf", StringComparison.OrdinalIgnoreCase)
        || font.EndsWith(".ttc", StringComparison.OrdinalIgnoreCase);

    /// <summary>An installed family at a weight (the nearest weight the family has).</summary>
    public SKTypeface Family(string family, int weight = 400)
    {
        if (string.IsNullOrWhiteSpace(family) || family.Length > 200) throw new CutturaException($"font family '{family}' is not a family name");
        if (weight is < 1 or > 1000) throw new CutturaException($"font weight {weight} is outside 1..1000");
        var key = $"family:{family}:{weight}";
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var known)) return known;
            var tf = SKFontManager.Default.MatchFamily(family, new SKFontStyle(weight, (int)SKFontStyleWidth.Normal, SKFontStyleSlant.Upright));
            if (tf is null || !string.Equals(tf.FamilyName, family, StringComparison.OrdinalIgnoreCase))
            {
                tf?.Dispose();
                throw new CutturaException($"font family '{family}' is not installed (fontconfig has no such family; `fc-list : family` lists them; Debian packages: {FontPackages})");
            }
            _byKey[key] = tf;
            return tf;
        }
    }

    /// <summary>A font file (TrueType, OpenType, a collection's first face); a missing or corrupt file is a clear error.</summary>
    public SKTypeface FromFile(string path)
    {
        if (path.Contains('\0')) throw new CutturaException("font path contains a NUL character");
        var full = Path.GetFullPath(path);
        var key = $"file:{full}";
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var known)) return known;
            if (!File.Exists(full)) throw new CutturaException($"font file '{path}' not found");
            var tf = SKTypeface.FromFile(full);
            if (tf is null || tf.GlyphCount == 0)
            {
                tf?.Dispose();
                throw new CutturaException($"font file '{path}' is not a font Skia can read (expected TrueType, OpenType or a collection)");
            }
            _byKey[key] = tf;
            return tf;
        }
    }

    /// <summary>Families tried, in order, for a script when the style's own font lacks a character.</summary>
    public static IReadOnlyList<string> FallbackFamilies(Script script, string? language)
    {
        if (script == Script.Arabic) return ["Noto Sans Arabic", "Noto Naskh Arabic", "DejaVu Sans"];
        if (script == Script.Hebrew) return ["Noto Sans Hebrew", "DejaVu Sans"];
        if (script == Script.Hangul) return ["Noto Sans CJK KR", "Noto Sans CJK JP"];
        if (script == Script.Hiragana || script == Script.Katakana) return ["Noto Sans CJK JP"];
        if (script == Script.Han || script == Script.Bopomofo)
        {
            string lang = (language ?? "ja").ToLowerInvariant();
            return lang.StartsWith("zh", StringComparison.Ordinal) ? ["Noto Sans CJK SC", "Noto Sans CJK JP"]
                : lang.StartsWith("ko", StringComparison.Ordinal) ? ["Noto Sans CJK KR", "Noto Sans CJK JP"]
                : ["Noto Sans CJK JP", "Noto Sans CJK SC"];
        }
        return ["DejaVu Sans", "Noto Sans"];
    }

    /// <summary>
    /// The typeface that draws <paramref name="codepoint"/> of <paramref name="script"/>: the style's own font when it has
    /// the glyph, else the script's fallback families, else whatever fontconfig matches for the character; null when no
    /// installed font has it (the caller draws the primary's .notdef).
    /// </summary>
    public SKTypeface? ForCharacter(int codepoint, Script script, SKTypeface? primary, int weight, string? language)
    {
        if (primary is not null && Has(primary, codepoint)) return primary;
        foreach (var family in FallbackFamilies(script, language))
        {
            SKTypeface tf;
            try { tf = Family(family, weight); }
            catch (CutturaException) { continue; }
            if (Has(tf, codepoint)) return tf;
        }
        var key = $"char:{codepoint}:{weight}";
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var known)) return known;
            var tf = SKFontManager.Default.MatchCharacter(null, new SKFontStyle(weight, (int)SKFontStyleWidth.Normal, SKFontStyleSlant.Upright),
                language is null ? [] : [language], codepoint);
            if (tf is null || !Has(tf, codepoint)) return null;
            _byKey[key] = tf;
            return tf;
        }
    }

    /// <summary>Whether <paramref name="typeface"/> has a glyph for <paramref name="codepoint"/>.</summary>
    public static bool Has(SKTypeface typeface, int codepoint)
    {
        using var font = new SKFont(typeface);
        return font.GetGlyph(codepoint) != 0;
    }

    /// <summary>The HarfBuzz face of a typeface (made once; the typeface's file is read through Skia).</summary>
    internal HbFace Shaper(SKTypeface typeface)
    {
        lock (_gate)
        {
            if (_faces.TryGetValue(typeface.Handle, out var known)) return known;
            using var stream = typeface.OpenStream(out int index)
                ?? throw new CutturaException($"font '{typeface.FamilyName}' has no readable data for shaping");
            var blob = stream.ToHarfBuzzBlob();
            var face = new Face(blob, index);
            var font = new HarfBuzzSharp.Font(face);
            font.SetFunctionsOpenType();
            font.SetScale(typeface.UnitsPerEm, typeface.UnitsPerEm);
            var hb = new HbFace(font, typeface.UnitsPerEm);
            _faces[typeface.Handle] = hb;
            return hb;
        }
    }
}
