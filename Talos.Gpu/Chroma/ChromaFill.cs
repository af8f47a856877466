using System.Numerics;
using System.Runtime.CompilerServices;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>
/// CHROMA: flat colour fill of one character's line drawing.
/// <list type="bullet">
/// <item>Non-ink pixels (coverage &lt; 0.5) are split into 4-connected regions. A region reached by a seed is painted
/// <c>palette[seed.Region]</c> (a missing entry paints <see cref="MissingPaint"/>); the first seed in a region wins.</item>
/// <item>The outside (the region touching the frame border), unseeded regions, and regions whose outline has a gap
/// wider than the gap-closing ball (they leak into the outside) stay transparent; narrower gaps are closed
/// (<see cref="RegionLabeller"/>, trapped-ball).</item>
/// <item>Ink is painted with the ink colour at alpha = coverage; where a line touches a filled region the line is
/// composited over that fill (colour = ink·cov + fill·(1−cov), alpha 1), so there is no halo between line and fill.</item>
/// </list>
/// Seeds outside the image or on ink are ignored. Output is premultiplied linear light.
/// Only the bounding box of the ink (plus one pixel) is processed.
/// </summary>
public static class ChromaFill
{
    /// <summary>Paint of a region whose palette entry is missing: a neutral mid grey.</summary>
    public static readonly Rgb MissingPaint = new(0.5f, 0.5f, 0.5f);

    /// <summary>How far (in pixels) a line pixel looks for an adjacent fill to sit on.</summary>
    const int LineReach = 2;

    public static RgbaImage Fill(GrayImage lines, IReadOnlyList<RegionSeed> seeds, IReadOnlyDictionary<string, Rgb> palette,
        Rgb ink, out LabelImage labels, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(palette);
        // Plain connected components first; the trapped-ball closing (≈ 4× the cost) only when a gap shows: a seed whose
        // region leaks into the outside, or two seeds asking for different paints in one region.
        var plain = Regions(lines, 0);
        bool closed = gapRadius > 0 && Leaks(plain, seeds);
        labels = closed ? Regions(lines, gapRadius) : plain;
        var paints = RegionPaints(labels, seeds, palette);
        if (closed) InheritAcrossGaps(lines, plain, labels, paints); // only the ball splits regions apart
        return Paint(lines, labels, paints, ink);
    }

    /// <summary>Does a seed sit in the outside, or do two seeds of different names share a region?</summary>
    public static bool Leaks(LabelImage labels, IReadOnlyList<RegionSeed> seeds)
    {
        var named = new Dictionary<int, string?>();
        foreach (var seed in seeds)
        {
            if (seed is null || !float.IsFinite(seed.X) || !float.IsFinite(seed.Y)) continue;
            int sx = (int)MathF.Floor(seed.X), sy = (int)MathF.Floor(seed.Y);
            if (sx < 0 || sy < 0 || sx >= labels.Width || sy >= labels.Height) continue;
            int label = labels.Data[sy * labels.Width + sx];
            if (label == 0) return true; // on ink (ignored either way) or in the outside: check with the ball
            if (named.TryGetValue(label, out var other) && other != seed.Region) return true;
            named[label] = seed.Region;
        }
        return false;
    }

    /// <summary>The regions of a drawing (<see cref="RegionLabeller"/>) over the ink's bounding box grown by the ball's radius plus two pixels.</summary>
    public static LabelImage Regions(GrayImage lines, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var labels = new LabelImage(lines.Width, lines.Height);
        if (InkBounds(lines, out int x0, out int y0, out int x1, out int y1))
        {
            // Room around the ink for the ball to sit in the outside, so the outside has a core of its own to grow back.
            int m = Math.Max(0, gapRadius + 1);
            RegionLabeller.Label(lines, Math.Max(0, x0 - m), Math.Max(0, y0 - m), Math.Min(lines.Width, x1 + m), Math.Min(lines.Height, y1 + m), labels, gapRadius);
        }
        return labels;
    }

    /// <summary>Paints regions (<c>paints[label]</c>, index 0 and <c>null</c> = transparent) and composites the ink over them.</summary>
    public static RgbaImage Paint(GrayImage lines, LabelImage labels, Rgb?[] paints, Rgb ink)
    {
        var output = new RgbaImage(lines.Width, lines.Height);
        if (!InkBounds(lines, out int x0, out int y0, out int x1, out int y1)) return output;
        Paint(lines, labels, paints, ink, x0, y0, x1, y1, output);
        return output;
    }

    /// <summary>
    /// A region left without paint that the ball split off from a painted one (a neck, or the far side of a short
    /// open stroke — not a gap to the outside) takes the paint of the painted region it touches most across paper.
    /// A region that plain connected components (no gap closing) put in the outside inherits only when it touches
    /// painted regions more than the outside: a pocket of the outside, or an unseeded shape whose outline leaks, stays
    /// transparent.
    /// </summary>
    /// <summary>Regions of <paramref name="labels"/> that overlap an enclosed region of the plain labelling (no gap closing).</summary>
    public static bool[] Enclosed(LabelImage plain, LabelImage labels)
    {
        var enclosed = new bool[labels.RegionCount + 1];
        for (int i = 0; i < labels.Data.Length; i++) if (labels.Data[i] != 0 && plain.Data[i] != 0) enclosed[labels.Data[i]] = true;
        return enclosed;
    }

    public static void InheritAcrossGaps(GrayImage lines, LabelImage plain, LabelImage labels, Rgb?[] paints)
    {
        int w = labels.Width, h = labels.Height, n = labels.RegionCount;
        if (n == 0) return;
        var cov = lines.Data;
        var lab = labels.Data;
        bool anyUnpainted = false;
        for (int a = 1; a <= n; a++) anyUnpainted |= paints[a] is null;
        if (!anyUnpainted) return;
        var enclosed = Enclosed(plain, labels);
        var contacts = new Dictionary<long, int>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, a = lab[i];
                if (a == 0) continue;
                if (x > 0) Count(a, i - 1);
                if (x < w - 1) Count(a, i + 1);
                if (y > 0) Count(a, i - w);
                if (y < h - 1) Count(a, i + w);
            }
        // Pass after pass (a chain of split pieces fills from its painted end), until nothing changes.
        for (bool changed = true; changed;)
        {
            changed = false;
            var before = (Rgb?[])paints.Clone();
            for (int a = 1; a <= n; a++)
            {
                if (before[a] is not null) continue;
                // A piece of the plain outside must touch paint more than it touches the outside.
                int best = -1, bestCount = enclosed[a] ? 0 : contacts.GetValueOrDefault((long)a * (n + 1));
                for (int b = 1; b <= n; b++)
                    if (before[b] is not null && contacts.TryGetValue((long)a * (n + 1) + b, out int c) && c > bestCount)
                    { best = b; bestCount = c; }
                if (best > 0) { paints[a] = before[best]; changed = true; }
            }
        }

        void Count(int a, int j)
        {
            if (!(cov[j] < RegionLabeller.InkThreshold)) return; // across a line: no contact
            int b = lab[j];
            if (b == a) return;
            long key = (long)a * (n + 1) + b;
            contacts[key] = contacts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>
    /// The rectangle of the frame that <see cref="Paint(GrayImage, LabelImage, Rgb?[], Rgb)"/> (so <see cref="Fill"/> and
    /// <see cref="Colorizer.Render"/>) paints for <paramref name="lines"/>: every pixel of its layer outside it is zero
    /// (an empty box for a drawing without ink). <see cref="FrameCodec.EncodeRgba(RgbaImage, FrameCodec.Box)"/> reads only this.
    /// </summary>
    public static FrameCodec.Box LayerBounds(GrayImage lines) =>
        InkBounds(lines, out int x0, out int y0, out int x1, out int y1) ? new FrameCodec.Box(x0, y0, x1 - x0, y1 - y0) : default;

    /// <summary>Bounding box of every pixel with any ink, grown by one pixel and clipped to the image.</summary>
    static bool InkBounds(GrayImage lines, out int x0, out int y0, out int x1, out int y1)
    {
        int w = lines.Width, h = lines.Height;
        var d = lines.Data;
        x0 = w; y0 = h; x1 = -1; y1 = -1;
        for (int y = 0; y < h; y++)
        {
            var rowSpan = d.AsSpan(y * w, w);
            int first = FirstInk(rowSpan);
            if (first < 0) continue;
            int last = LastInk(rowSpan);
            if (y < y0) y0 = y;
            y1 = y;
            if (first < x0) x0 = first;
            if (last > x1) x1 = last;
        }
        if (y1 < 0) return false;
        x0 = Math.Max(0, x0 - 1); y0 = Math.Max(0, y0 - 1);
        x1 = Math.Min(w, x1 + 2); y1 = Math.Min(h, y1 + 2);
        return true;
    }

    // ink is coverage > 0 (NaN is not); a vector of coverage at a time, then the scalar test for the rest
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int FirstInk(ReadOnlySpan<float> row)
    {
        int x = 0, n = Vector<float>.Count;
        for (; x + n <= row.Length; x += n)
            if (Vector.GreaterThanAny(new Vector<float>(row.Slice(x, n)), Vector<float>.Zero)) break;
        for (; x < row.Length; x++) if (row[x] > 0f) return x;
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int LastInk(ReadOnlySpan<float> row)
    {
        int x = row.Length, n = Vector<float>.Count;
        for (; x - n >= 0; x -= n)
            if (Vector.GreaterThanAny(new Vector<float>(row.Slice(x - n, n)), Vector<float>.Zero)) break;
        for (x--; x >= 0; x--) if (row[x] > 0f) return x;
        return -1;
    }

    /// <summary>Paint per label (index 0 unused); <c>null</c> = stays transparent.</summary>
    public static Rgb?[] RegionPaints(LabelImage labels, IReadOnlyList<RegionSeed> seeds, IReadOnlyDictionary<string, Rgb> palette)
    {
        var paints = new Rgb?[labels.RegionCount + 1];
        foreach (var seed in seeds)
        {
            if (seed is null || !float.IsFinite(seed.X) || !float.IsFinite(seed.Y)) continue;
            int sx = (int)MathF.Floor(seed.X), sy = (int)MathF.Floor(seed.Y);
            if (sx < 0 || sy < 0 || sx >= labels.Width || sy >= labels.Height) continue;
            int label = labels.Data[sy * labels.Width + sx];
            if (label == 0 || paints[label] is not null) continue;
            paints[label] = seed.Region is not null && palette.TryGetValue(seed.Region, out var c) ? c : MissingPaint;
        }
        return paints;
    }

    static void Paint(GrayImage lines, LabelImage labels, Rgb?[] paints, Rgb ink, int x0, int y0, int x1, int y1, RgbaImage o)
    {
        int w = lines.Width, h = lines.Height;
        var cov = lines.Data;
        var lab = labels.Data;
        Parallel.For(y0, y1, y =>
        {
            int row = y * w;
            for (int x = x0; x < x1; x++)
            {
                int i = row + x;
                float c = cov[i] > 0f ? MathF.Min(cov[i], 1f) : 0f; // NaN → 0
                Rgb? fill = paints[lab[i]];
                if (fill is null && c >= RegionLabeller.InkThreshold) fill = NearbyFill(cov, lab, paints, w, h, x, y);
                if (fill is Rgb f)
                {
                    // Line composited over its fill: opaque.
                    float k = 1f - c;
                    o.R[i] = ink.R * c + f.R * k;
                    o.G[i] = ink.G * c + f.G * k;
                    o.B[i] = ink.B * c + f.B * k;
                    o.A[i] = 1f;
                }
                else if (c > 0f)
                {
                    o.R[i] = ink.R * c; o.G[i] = ink.G * c; o.B[i] = ink.B * c; o.A[i] = c;
                }
            }
        });
    }

    /// <summary>
    /// The fill a line pixel sits on: the nearest painted region within <see cref="LineReach"/> pixels (ring by ring,
    /// fixed scan order). Beyond the first ring only for pixels inside the line (no transparent 4-neighbour), so the
    /// outer edge of an outline keeps its anti-aliased alpha instead of growing the fill outward.
    /// </summary>
    static Rgb? NearbyFill(float[] cov, int[] lab, Rgb?[] paints, int w, int h, int x, int y)
    {
        for (int r = 1; r <= LineReach; r++)
        {
            if (r > 1 && TouchesTransparent(cov, lab, paints, w, h, x, y)) return null;
            for (int dy = -r; dy <= r; dy++)
            {
                int yy = y + dy;
                if (yy < 0 || yy >= h) continue;
                int step = Math.Abs(dy) == r ? 1 : 2 * r;
                for (int dx = -r; dx <= r; dx += step)
                {
                    int xx = x + dx;
                    if (xx < 0 || xx >= w) continue;
                    var p = paints[lab[yy * w + xx]];
                    if (p is not null) return p;
                }
            }
        }
        return null;
    }

    static bool TouchesTransparent(float[] cov, int[] lab, Rgb?[] paints, int w, int h, int x, int y)
    {
        return Open(x - 1, y) || Open(x + 1, y) || Open(x, y - 1) || Open(x, y + 1);

        bool Open(int xx, int yy)
        {
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) return true;
            int i = yy * w + xx;
            return cov[i] < RegionLabeller.InkThreshold && paints[lab[i]] is null;
        }
    }
}
