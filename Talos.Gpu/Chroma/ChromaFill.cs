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
        Rgb ink, out LabelImage labels, int gapRadius = RegionLabeller.DefaultGapRadius) =>
        Fill(lines, seeds, palette, ink, null, out labels, out _, gapRadius);

    /// <summary>
    /// <see cref="Fill(GrayImage, IReadOnlyList{RegionSeed}, IReadOnlyDictionary{string, Rgb}, Rgb, out LabelImage, int)"/>
    /// into <paramref name="buffers"/> when given (the layer and the labels are then the buffers' own, good until their
    /// next use; see <see cref="FillBuffers"/>); <paramref name="painted"/> is <see cref="LayerBounds"/> of the lines.
    /// </summary>
    public static RgbaImage Fill(GrayImage lines, IReadOnlyList<RegionSeed> seeds, IReadOnlyDictionary<string, Rgb> palette,
        Rgb ink, FillBuffers? buffers, out LabelImage labels, out FrameCodec.Box painted, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return Fill(lines, Whole(lines), seeds, palette, ink, buffers, out labels, out painted, gapRadius);
    }

    /// <summary>
    /// <see cref="Fill(GrayImage, IReadOnlyList{RegionSeed}, IReadOnlyDictionary{string, Rgb}, Rgb, FillBuffers?, out LabelImage, out FrameCodec.Box, int)"/>
    /// of lines whose every pixel outside <paramref name="linesWithin"/> is zero (a decoded blob's stored box,
    /// <see cref="FrameCodec.DecodeGray(byte[], GrayImage, FrameCodec.Box)"/>): the ink is searched only there — the same
    /// result as searching the whole frame, without reading it.
    /// </summary>
    public static RgbaImage Fill(GrayImage lines, FrameCodec.Box linesWithin, IReadOnlyList<RegionSeed> seeds, IReadOnlyDictionary<string, Rgb> palette,
        Rgb ink, FillBuffers? buffers, out LabelImage labels, out FrameCodec.Box painted, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(palette);
        painted = LayerBounds(lines, linesWithin); // the ink's box, found once for the labelling and the paint
        // Plain connected components first; the trapped-ball closing (≈ 4× the cost) only when a gap shows: a seed whose
        // region leaks into the outside, or two seeds asking for different paints in one region.
        var plain = Regions(lines, 0, painted, buffers?.Plain);
        bool closed = gapRadius > 0 && Leaks(plain, seeds);
        labels = closed ? Regions(lines, gapRadius, painted, buffers?.Closed) : plain;
        var paints = RegionPaints(labels, seeds, palette);
        if (closed) InheritAcrossGaps(lines, plain, labels, paints, Window(lines, gapRadius, painted)); // only the ball splits regions apart
        return Paint(lines, labels, paints, ink, painted, buffers);
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
        return Regions(lines, gapRadius, LayerBounds(lines), null);
    }

    /// <summary>The window <see cref="Regions(GrayImage, int)"/> labels: the ink's box grown by the ball's radius plus one more pixel.</summary>
    static FrameCodec.Box Window(GrayImage lines, int gapRadius, FrameCodec.Box ink)
    {
        if (ink.Count == 0) return default;
        // Room around the ink for the ball to sit in the outside, so the outside has a core of its own to grow back.
        int m = Math.Max(0, gapRadius + 1);
        int x0 = Math.Max(0, ink.X - m), y0 = Math.Max(0, ink.Y - m);
        int x1 = Math.Min(lines.Width, ink.X + ink.W + m), y1 = Math.Min(lines.Height, ink.Y + ink.H + m);
        return new FrameCodec.Box(x0, y0, x1 - x0, y1 - y0);
    }

    static LabelImage Regions(GrayImage lines, int gapRadius, FrameCodec.Box ink, FillBuffers.LabelPlane? into)
    {
        var window = Window(lines, gapRadius, ink);
        var labels = into is null ? new LabelImage(lines.Width, lines.Height) : into.Take(lines.Width, lines.Height, window);
        if (window.Count > 0) RegionLabeller.Label(lines, window.X, window.Y, window.X + window.W, window.Y + window.H, labels, gapRadius);
        else labels.RegionCount = 0;
        return labels;
    }

    /// <summary>Paints regions (<c>paints[label]</c>, index 0 and <c>null</c> = transparent) and composites the ink over them.</summary>
    public static RgbaImage Paint(GrayImage lines, LabelImage labels, Rgb?[] paints, Rgb ink) =>
        Paint(lines, labels, paints, ink, null, out _);

    /// <summary>
    /// <see cref="Paint(GrayImage, LabelImage, Rgb?[], Rgb)"/> into <paramref name="buffers"/>' layer when given (good
    /// until their next use); <paramref name="painted"/> is <see cref="LayerBounds"/> of the lines.
    /// </summary>
    public static RgbaImage Paint(GrayImage lines, LabelImage labels, Rgb?[] paints, Rgb ink, FillBuffers? buffers, out FrameCodec.Box painted)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return Paint(lines, Whole(lines), labels, paints, ink, buffers, out painted);
    }

    /// <summary><see cref="Paint(GrayImage, LabelImage, Rgb?[], Rgb, FillBuffers?, out FrameCodec.Box)"/> of lines that are zero outside <paramref name="linesWithin"/>.</summary>
    public static RgbaImage Paint(GrayImage lines, FrameCodec.Box linesWithin, LabelImage labels, Rgb?[] paints, Rgb ink, FillBuffers? buffers, out FrameCodec.Box painted)
    {
        ArgumentNullException.ThrowIfNull(lines);
        painted = LayerBounds(lines, linesWithin);
        return Paint(lines, labels, paints, ink, painted, buffers);
    }

    static FrameCodec.Box Whole(GrayImage lines) => new(0, 0, lines.Width, lines.Height);

    static RgbaImage Paint(GrayImage lines, LabelImage labels, Rgb?[] paints, Rgb ink, FrameCodec.Box box, FillBuffers? buffers)
    {
        if (buffers is null)
        {
            var fresh = new RgbaImage(lines.Width, lines.Height);
            if (box.Count > 0) Paint(lines, labels, paints, ink, box, fresh);
            return fresh;
        }
        var output = buffers.TakeLayer(lines.Width, lines.Height, box);
        if (box.Count > 0) Paint(lines, labels, paints, ink, box, output);
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
    public static bool[] Enclosed(LabelImage plain, LabelImage labels) =>
        Enclosed(plain, labels, new FrameCodec.Box(0, 0, labels.Width, labels.Height));

    /// <summary><see cref="Enclosed(LabelImage, LabelImage)"/> when every label outside <paramref name="window"/> is 0.</summary>
    static bool[] Enclosed(LabelImage plain, LabelImage labels, FrameCodec.Box window)
    {
        var enclosed = new bool[labels.RegionCount + 1];
        for (int y = window.Y; y < window.Y + window.H; y++)
            for (int i = y * labels.Width + window.X, end = i + window.W; i < end; i++)
                if (labels.Data[i] != 0 && plain.Data[i] != 0) enclosed[labels.Data[i]] = true;
        return enclosed;
    }

    public static void InheritAcrossGaps(GrayImage lines, LabelImage plain, LabelImage labels, Rgb?[] paints) =>
        InheritAcrossGaps(lines, plain, labels, paints, new FrameCodec.Box(0, 0, labels.Width, labels.Height));

    /// <summary>
    /// <see cref="InheritAcrossGaps(GrayImage, LabelImage, LabelImage, Rgb?[])"/> when every label of
    /// <paramref name="labels"/> outside <paramref name="window"/> is 0 (only labelled pixels count contacts).
    /// </summary>
    static void InheritAcrossGaps(GrayImage lines, LabelImage plain, LabelImage labels, Rgb?[] paints, FrameCodec.Box window)
    {
        int w = labels.Width, h = labels.Height, n = labels.RegionCount;
        if (n == 0) return;
        var cov = lines.Data;
        var lab = labels.Data;
        bool anyUnpainted = false;
        for (int a = 1; a <= n; a++) anyUnpainted |= paints[a] is null;
        if (!anyUnpainted) return;
        var enclosed = Enclosed(plain, labels, window);
        var contacts = new Dictionary<long, int>();
        for (int y = window.Y; y < window.Y + window.H; y++)
            for (int x = window.X; x < window.X + window.W; x++)
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
    public static FrameCodec.Box LayerBounds(GrayImage lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return LayerBounds(lines, Whole(lines));
    }

    /// <summary>
    /// <see cref="LayerBounds(GrayImage)"/> of lines whose every pixel outside <paramref name="within"/> is zero (a decoded
    /// blob's stored box): only <paramref name="within"/> is searched, the rest of the frame is not read.
    /// </summary>
    public static FrameCodec.Box LayerBounds(GrayImage lines, FrameCodec.Box within)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (within.X < 0 || within.Y < 0 || within.W < 0 || within.H < 0 || within.X > lines.Width - within.W || within.Y > lines.Height - within.H)
            throw new ArgumentOutOfRangeException(nameof(within), $"box {within} is not inside the {lines.Width}x{lines.Height} image");
        return InkBounds(lines, within, out int x0, out int y0, out int x1, out int y1) ? new FrameCodec.Box(x0, y0, x1 - x0, y1 - y0) : default;
    }

    /// <summary>Bounding box of every pixel of <paramref name="within"/> with any ink, grown by one pixel and clipped to the image.</summary>
    static bool InkBounds(GrayImage lines, FrameCodec.Box within, out int x0, out int y0, out int x1, out int y1)
    {
        int w = lines.Width, h = lines.Height;
        var d = lines.Data;
        x0 = w; y0 = h; x1 = -1; y1 = -1;
        for (int y = within.Y; y < within.Y + within.H; y++)
        {
            var rowSpan = d.AsSpan(y * w + within.X, within.W);
            int first = FirstInk(rowSpan);
            if (first < 0) continue;
            int last = LastInk(rowSpan);
            if (y < y0) y0 = y;
            y1 = y;
            if (within.X + first < x0) x0 = within.X + first;
            if (within.X + last > x1) x1 = within.X + last;
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

    /// <summary>
    /// Writes every pixel of <paramref name="box"/>: a filled region's paint with the ink over it (opaque), bare ink at
    /// alpha = coverage, zero elsewhere. Whole vectors run when their pixels share one label and need no
    /// <see cref="NearbyFill"/>; the same operations in the same order as the per-pixel path, so the same bits.
    /// </summary>
    static void Paint(GrayImage lines, LabelImage labels, Rgb?[] paints, Rgb ink, FrameCodec.Box box, RgbaImage o)
    {
        int w = lines.Width, h = lines.Height;
        int x0 = box.X, x1 = box.X + box.W;
        var cov = lines.Data;
        var lab = labels.Data;
        // per label: painted or not, and its paint as three floats (no Nullable<Rgb> per pixel)
        var has = new bool[paints.Length];
        var fr = new float[paints.Length]; var fg = new float[paints.Length]; var fb = new float[paints.Length];
        for (int l = 0; l < paints.Length; l++)
            if (paints[l] is Rgb p) { has[l] = true; fr[l] = p.R; fg[l] = p.G; fb[l] = p.B; }
        Parallel.For(box.Y, box.Y + box.H, y =>
        {
            int row = y * w, x = x0, n = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated)
            {
                var inkR = new Vector<float>(ink.R); var inkG = new Vector<float>(ink.G); var inkB = new Vector<float>(ink.B);
                var half = new Vector<float>(RegionLabeller.InkThreshold);
                for (; x + n <= x1; x += n)
                {
                    int i = row + x, l = lab[i];
                    if (!Vector.EqualsAll(new Vector<int>(lab.AsSpan(i, n)), new Vector<int>(l))) { Pixels(x, x + n); continue; }
                    var v = new Vector<float>(cov.AsSpan(i, n));
                    var c = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), Vector.Min(v, Vector<float>.One), Vector<float>.Zero); // NaN → 0
                    if (has[l])
                    {
                        var k = Vector<float>.One - c;
                        (inkR * c + new Vector<float>(fr[l]) * k).CopyTo(o.R.AsSpan(i, n));
                        (inkG * c + new Vector<float>(fg[l]) * k).CopyTo(o.G.AsSpan(i, n));
                        (inkB * c + new Vector<float>(fb[l]) * k).CopyTo(o.B.AsSpan(i, n));
                        Vector<float>.One.CopyTo(o.A.AsSpan(i, n));
                    }
                    else if (Vector.GreaterThanOrEqualAny(c, half)) Pixels(x, x + n); // a line pixel may sit on a nearby fill
                    else
                    {
                        var inked = Vector.GreaterThan(c, Vector<float>.Zero);
                        Vector.ConditionalSelect(inked, inkR * c, Vector<float>.Zero).CopyTo(o.R.AsSpan(i, n));
                        Vector.ConditionalSelect(inked, inkG * c, Vector<float>.Zero).CopyTo(o.G.AsSpan(i, n));
                        Vector.ConditionalSelect(inked, inkB * c, Vector<float>.Zero).CopyTo(o.B.AsSpan(i, n));
                        c.CopyTo(o.A.AsSpan(i, n));
                    }
                }
            }
            Pixels(x, x1);

            void Pixels(int from, int to)
            {
                for (int xx = from; xx < to; xx++)
                {
                    int i = row + xx;
                    float c = cov[i] > 0f ? MathF.Min(cov[i], 1f) : 0f; // NaN → 0
                    int l = lab[i];
                    if (has[l])
                    {
                        // Line composited over its fill: opaque.
                        float k = 1f - c;
                        o.R[i] = ink.R * c + fr[l] * k;
                        o.G[i] = ink.G * c + fg[l] * k;
                        o.B[i] = ink.B * c + fb[l] * k;
                        o.A[i] = 1f;
                    }
                    else if (c >= RegionLabeller.InkThreshold && NearbyFill(cov, lab, has, w, h, xx, y) is var f and >= 0)
                    {
                        float k = 1f - c;
                        o.R[i] = ink.R * c + fr[f] * k;
                        o.G[i] = ink.G * c + fg[f] * k;
                        o.B[i] = ink.B * c + fb[f] * k;
                        o.A[i] = 1f;
                    }
                    else if (c > 0f)
                    {
                        o.R[i] = ink.R * c; o.G[i] = ink.G * c; o.B[i] = ink.B * c; o.A[i] = c;
                    }
                    else
                    {
                        o.R[i] = 0f; o.G[i] = 0f; o.B[i] = 0f; o.A[i] = 0f;
                    }
                }
            }
        });
    }

    /// <summary>
    /// The fill a line pixel sits on: the nearest painted region within <see cref="LineReach"/> pixels (ring by ring,
    /// fixed scan order). Beyond the first ring only for pixels inside the line (no transparent 4-neighbour), so the
    /// outer edge of an outline keeps its anti-aliased alpha instead of growing the fill outward.
    /// </summary>
    /// <returns>The label of that region (its paint is the label's), or −1 when there is none.</returns>
    static int NearbyFill(float[] cov, int[] lab, bool[] has, int w, int h, int x, int y)
    {
        if (x >= LineReach && y >= LineReach && x < w - LineReach && y < h - LineReach) return NearbyFillInside(cov, lab, has, w, y * w + x);
        for (int r = 1; r <= LineReach; r++)
        {
            if (r > 1 && TouchesTransparent(cov, lab, has, w, h, x, y)) return -1;
            for (int dy = -r; dy <= r; dy++)
            {
                int yy = y + dy;
                if (yy < 0 || yy >= h) continue;
                int step = Math.Abs(dy) == r ? 1 : 2 * r;
                for (int dx = -r; dx <= r; dx += step)
                {
                    int xx = x + dx;
                    if (xx < 0 || xx >= w) continue;
                    int l = lab[yy * w + xx];
                    if (has[l]) return l;
                }
            }
        }
        return -1;
    }

    /// <summary>
    /// <see cref="NearbyFill"/> of pixel <paramref name="i"/> at least <see cref="LineReach"/> pixels from every edge:
    /// the same rings in the same order, without the edge tests.
    /// </summary>
    static int NearbyFillInside(float[] cov, int[] lab, bool[] has, int w, int i)
    {
        int l;
        // ring 1: the row above (dx −1, 0, 1), the pixel's row (−1, 1), the row below (−1, 0, 1)
        if (has[l = lab[i - w - 1]] || has[l = lab[i - w]] || has[l = lab[i - w + 1]] || has[l = lab[i - 1]] || has[l = lab[i + 1]]
            || has[l = lab[i + w - 1]] || has[l = lab[i + w]] || has[l = lab[i + w + 1]]) return l;
        // beyond the first ring only inside the line: no transparent 4-neighbour
        if (Open(cov, lab, has, i - 1) || Open(cov, lab, has, i + 1) || Open(cov, lab, has, i - w) || Open(cov, lab, has, i + w)) return -1;
        // ring 2: two rows above (dx −2 … 2), the three rows between (−2, 2), two rows below (−2 … 2)
        int a = i - 2 * w, b = i + 2 * w;
        if (has[l = lab[a - 2]] || has[l = lab[a - 1]] || has[l = lab[a]] || has[l = lab[a + 1]] || has[l = lab[a + 2]]
            || has[l = lab[i - w - 2]] || has[l = lab[i - w + 2]] || has[l = lab[i - 2]] || has[l = lab[i + 2]]
            || has[l = lab[i + w - 2]] || has[l = lab[i + w + 2]]
            || has[l = lab[b - 2]] || has[l = lab[b - 1]] || has[l = lab[b]] || has[l = lab[b + 1]] || has[l = lab[b + 2]]) return l;
        return -1;
    }

    /// <summary>A pixel inside the frame that is transparent: paper (below the ink threshold) without paint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Open(float[] cov, int[] lab, bool[] has, int j) => cov[j] < RegionLabeller.InkThreshold && !has[lab[j]];

    static bool TouchesTransparent(float[] cov, int[] lab, bool[] has, int w, int h, int x, int y)
    {
        return Open(x - 1, y) || Open(x + 1, y) || Open(x, y - 1) || Open(x, y + 1);

        bool Open(int xx, int yy)
        {
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) return true;
            int i = yy * w + xx;
            return cov[i] < RegionLabeller.InkThreshold && !has[lab[i]];
        }
    }
}
