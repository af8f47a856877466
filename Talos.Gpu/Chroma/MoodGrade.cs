using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>
/// CHROMA's mood grade: colour statistics transfer in lαβ (Reinhard, Ashikhmin, Gooch, Shirley 2001, "Color Transfer
/// between Images") from the palette toward a mood's reference swatch, blended in by a strength.
/// <para>The statistics are those of the palette table (its entries weighted equally), not of a frame, so the grade is
/// one fixed map per shot: every frame gets the same colours for the same regions (no flicker), and the map is applied
/// to the paints before they are laid down — a grade over the fills, never a replacement of them: a region keeps its
/// own colour, moved toward the mood by <see cref="Strength"/>.</para>
/// "calm" and no mood leave the palette as it is.
/// </summary>
public static class MoodGrade
{
    /// <summary>How far the transferred colour is blended in (0 = none, 1 = full transfer).</summary>
    public const float Strength = 0.35f;

    /// <summary>Reference swatches (sRGB) whose lαβ statistics each mood pulls toward.</summary>
    static readonly Dictionary<string, string[]> Swatches = new(StringComparer.Ordinal)
    {
        ["joy"] = ["#ffd25a", "#ff9f43", "#ffe7a8", "#7ed957", "#5fc9f8", "#ff7a7a"],
        ["anger"] = ["#8b1e1e", "#d1352b", "#3a0d0d", "#ff6a3d", "#6e2a1a", "#c0392b"],
        ["fear"] = ["#1f3b3a", "#2e4a5a", "#4d6b5a", "#0f1c24", "#6f8a7a", "#38505e"],
        ["sadness"] = ["#3d5a80", "#5b7290", "#98a6b8", "#2b3a55", "#7d8ca3", "#4a5a70"],
        ["surprise"] = ["#ff5edb", "#5ef0ff", "#fff35e", "#a45eff", "#ffffff", "#5eff9c"],
    };

    public static IReadOnlyCollection<string> Moods { get; } = ["calm", .. Swatches.Keys];

    /// <summary>Is this a mood the grade knows (null, "calm" and the swatch names; case-insensitive)?</summary>
    public static bool Knows(string? mood) => mood is null || Moods.Contains(mood.Trim().ToLowerInvariant());

    /// <summary>The graded table: same names, colours moved toward the mood. Unknown moods are an error.</summary>
    public static IReadOnlyList<PaletteEntry> Grade(IReadOnlyList<PaletteEntry> table, string? mood, float strength = Strength)
    {
        var key = mood?.Trim().ToLowerInvariant();
        if (key is null or "calm" || table.Count == 0 || strength <= 0f) return table;
        if (!Swatches.TryGetValue(key, out var swatch)) throw new InvalidDataException($"unknown mood '{mood}' (known: {string.Join(", ", Moods)})");
        var source = Stats(table.Select(e => ToLab(e.Colour)).ToList());
        var target = Stats(swatch.Select(h => ToLab(Rgb.FromHex(h))).ToList());
        return table.Select(e => e with { Colour = Transfer(e.Colour, source, target, Math.Clamp(strength, 0f, 1f)) }).ToList();
    }

    /// <summary>The graded colours of a region → colour map.</summary>
    public static IReadOnlyDictionary<string, Rgb> Grade(IReadOnlyDictionary<string, Rgb> palette, string? mood, float strength = Strength) =>
        ColourModel.ToDictionary(Grade(palette.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PaletteEntry(p.Key, p.Value)).ToList(), mood, strength));

    static Rgb Transfer(Rgb c, (Lab Mean, Lab Sd) s, (Lab Mean, Lab Sd) t, float k)
    {
        var p = ToLab(c);
        // Reinhard's per-axis statistics match; the scale is bounded so a palette of near-identical colours is not blown apart.
        static float Axis(float v, float ms, float ss, float mt, float st) => (v - ms) * Math.Clamp(st / MathF.Max(ss, 1e-4f), 0.5f, 2f) + mt;
        var q = new Lab(Axis(p.L, s.Mean.L, s.Sd.L, t.Mean.L, t.Sd.L), Axis(p.A, s.Mean.A, s.Sd.A, t.Mean.A, t.Sd.A), Axis(p.B, s.Mean.B, s.Sd.B, t.Mean.B, t.Sd.B));
        var g = FromLab(new Lab(p.L + (q.L - p.L) * k, p.A + (q.A - p.A) * k, p.B + (q.B - p.B) * k));
        return new Rgb(Math.Clamp(g.R, 0f, 1f), Math.Clamp(g.G, 0f, 1f), Math.Clamp(g.B, 0f, 1f));
    }

    readonly record struct Lab(float L, float A, float B);

    static (Lab Mean, Lab Sd) Stats(List<Lab> xs)
    {
        double ml = 0, ma = 0, mb = 0;
        foreach (var x in xs) { ml += x.L; ma += x.A; mb += x.B; }
        ml /= xs.Count; ma /= xs.Count; mb /= xs.Count;
        double vl = 0, va = 0, vb = 0;
        foreach (var x in xs) { vl += (x.L - ml) * (x.L - ml); va += (x.A - ma) * (x.A - ma); vb += (x.B - mb) * (x.B - mb); }
        return (new Lab((float)ml, (float)ma, (float)mb),
            new Lab((float)Math.Sqrt(vl / xs.Count), (float)Math.Sqrt(va / xs.Count), (float)Math.Sqrt(vb / xs.Count)));
    }

    const float Floor = 1e-4f;
    static readonly float S3 = MathF.Sqrt(3f), S6 = MathF.Sqrt(6f), S2 = MathF.Sqrt(2f);

    /// <summary>Linear RGB → LMS (Reinhard et al.'s matrix) → log10 → lαβ.</summary>
    static Lab ToLab(Rgb c)
    {
        float l = MathF.Log10(MathF.Max(Floor, 0.3811f * c.R + 0.5783f * c.G + 0.0402f * c.B));
        float m = MathF.Log10(MathF.Max(Floor, 0.1967f * c.R + 0.7244f * c.G + 0.0782f * c.B));
        float s = MathF.Log10(MathF.Max(Floor, 0.0241f * c.R + 0.1288f * c.G + 0.8444f * c.B));
        return new Lab((l + m + s) / S3, (l + m - 2f * s) / S6, (l - m) / S2);
    }

    static Rgb FromLab(Lab p)
    {
        float l = MathF.Pow(10f, p.L / S3 + p.A / S6 + p.B / S2);
        float m = MathF.Pow(10f, p.L / S3 + p.A / S6 - p.B / S2);
        float s = MathF.Pow(10f, p.L / S3 - 2f * p.A / S6);
        return new Rgb(4.4679f * l - 3.5873f * m + 0.1193f * s, -1.2186f * l + 2.3809f * m - 0.1624f * s, 0.0497f * l - 0.2439f * m + 1.2045f * s);
    }
}
