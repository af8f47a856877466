using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>
/// CHROMA: flat colour fill of one character's line drawing.
/// <list type="bullet">
/// <item>Non-ink pixels (coverage &lt; 0.5) are split into 4-connected regions. A region reached by a seed is painted
/// <c>palette[seed.Region]</c> (a missing entry paints <see cref="MissingPaint"/>); the first seed in a region wins.</item>
/// <item>The outside (the region touching the frame border), unseeded regions, and regions whose outline has a gap
/// (they leak into the outside) stay transparent.</item>
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
        Rgb ink, out LabelImage labels)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(palette);
        int w = lines.Width, h = lines.Height;
        var output = new RgbaImage(w, h);
        labels = new LabelImage(w, h);
        if (!InkBounds(lines, out int x0, out int y0, out int x1, out int y1)) return output;

        RegionLabeller.Label(lines, x0, y0, x1, y1, labels);
        var paints = RegionPaints(labels, seeds, palette);
        Paint(lines, labels, paints, ink, x0, y0, x1, y1, output);
        return output;
    }

    /// <summary>Bounding box of every pixel with any ink, grown by one pixel and clipped to the image.</summary>
    static bool InkBounds(GrayImage lines, out int x0, out int y0, out int x1, out int y1)
    {
        int w = lines.Width, h = lines.Height;
        var d = lines.Data;
        x0 = w; y0 = h; x1 = -1; y1 = -1;
        for (int y = 0; y < h; y++)
        {
            int row = y * w;
            int first = -1, last = -1;
            for (int x = 0; x < w; x++)
                if (d[row + x] > 0f) { first = x; break; }
            if (first < 0) continue;
            for (int x = w - 1; x >= first; x--)
                if (d[row + x] > 0f) { last = x; break; }
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

    /// <summary>Paint per label (index 0 unused); <c>null</c> = stays transparent.</summary>
    static Rgb?[] RegionPaints(LabelImage labels, IReadOnlyList<RegionSeed> seeds, IReadOnlyDictionary<string, Rgb> palette)
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
