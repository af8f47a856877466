using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>A coloured frame as regions: the region-index image and, per region, its palette-table entry (−1 = transparent).</summary>
public sealed record RegionColours(LabelImage Labels, int[] EntryOfRegion)
{
    /// <summary>Paints per label for <see cref="ChromaFill.Paint(GrayImage, LabelImage, Rgb?[], Rgb)"/>.</summary>
    public Rgb?[] Paints(IReadOnlyList<PaletteEntry> table)
    {
        var p = new Rgb?[EntryOfRegion.Length];
        for (int l = 1; l < p.Length; l++)
            if (EntryOfRegion[l] >= 0) p[l] = table[EntryOfRegion[l]].Colour;
        return p;
    }

    /// <summary>
    /// Per pixel: the entry painted there; −1 transparent paper; <see cref="LabelPropagation.InkMark"/> on ink. With
    /// <paramref name="onlyLeaky"/>, regions that plain connected components find enclosed count as transparent.
    /// </summary>
    public int[] EntryMap(GrayImage lines, bool onlyLeaky = false)
    {
        var lab = Labels.Data;
        var map = new int[lab.Length];
        var enclosed = onlyLeaky ? LabelPropagation.Enclosed(lines, Labels) : null;
        for (int i = 0; i < map.Length; i++)
            map[i] = lines.Data[i] >= RegionLabeller.InkThreshold ? LabelPropagation.InkMark
                : lab[i] == 0 || (enclosed is not null && enclosed[lab[i]]) ? -1 : EntryOfRegion[lab[i]];
        return map;
    }
}

/// <summary>What happened to the regions of one propagated frame.</summary>
public sealed record PropagationStats(int Regions, int Matched, int Scribbled, int Unvoted);

/// <summary>
/// "Colour one frame, colour the shot": a coloured frame's regions carry their paints to the next drawing along FLUX's
/// optical flow. Each region of the new drawing (trapped-ball regions, <see cref="RegionLabeller"/>) looks back along
/// the flow (new → previous) from every one of its pixels and takes the paint most of them land on, when that paint
/// holds a clear majority (<see cref="MatchShare"/>). A region whose votes are split — two differently painted areas
/// merged because a line vanished, or a region the flow cannot follow — falls back to a scribble fill: the votes are
/// the scribbles, and each pixel takes the scribble it reaches at least cost, a step into a pixel costing more the
/// more ink it holds (the LazyBrush idea, Sýkora et al. 2009, that a paint boundary should run along the lines; solved
/// here as a shortest-path partition, not a graph cut). A region no vote reaches keeps the paint of the region it
/// touches most across the line, so no region is left unpainted that the previous frame painted.
/// </summary>
public static class LabelPropagation
{
    public const int InkMark = -2;
    /// <summary>Share of a region's votes its paint needs to be taken as a match.</summary>
    public const float MatchShare = 0.6f;
    /// <summary>Extra cost of stepping into a fully inked pixel in the scribble fill (a plain step costs 1).</summary>
    public const float InkCost = 40f;

    /// <summary>The regions of a frame painted from seeds/hints naming palette entries (unknown names are ignored).</summary>
    public static RegionColours FromSeeds(GrayImage lines, IReadOnlyList<RegionSeed> seeds, IReadOnlyList<PaletteEntry> table, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        var plain = ChromaFill.Regions(lines, 0);
        bool closed = gapRadius > 0 && ChromaFill.Leaks(plain, seeds);
        var labels = closed ? ChromaFill.Regions(lines, gapRadius) : plain;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < table.Count; k++) index.TryAdd(table[k].Name, k);
        var entry = new int[labels.RegionCount + 1];
        Array.Fill(entry, -1);
        foreach (var s in seeds)
        {
            if (s is null || !float.IsFinite(s.X) || !float.IsFinite(s.Y)) continue;
            int x = (int)MathF.Floor(s.X), y = (int)MathF.Floor(s.Y);
            if (x < 0 || y < 0 || x >= labels.Width || y >= labels.Height) continue;
            int l = labels.Data[y * labels.Width + x];
            if (l == 0 || entry[l] >= 0 || s.Region is null || !index.TryGetValue(s.Region, out int e)) continue;
            entry[l] = e;
        }
        if (closed) InheritAcrossGaps(lines, plain, labels, entry);
        return new RegionColours(labels, entry);
    }

    /// <summary>
    /// The regions of an artist's coloured key: each region takes the colour most of its opaque key pixels show
    /// (8-bit sRGB), as the palette entry nearest to it; a colour no entry is near (more than 24/255 away on some
    /// channel) is added to the table as <c>key-#rrggbb</c>. Regions the key leaves transparent stay transparent.
    /// </summary>
    public static RegionColours FromKey(GrayImage lines, RgbaImage key, List<PaletteEntry> table, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        if (key.Width != lines.Width || key.Height != lines.Height)
            throw new InvalidDataException($"the coloured key is {key.Width}x{key.Height}, the drawing is {lines.Width}x{lines.Height}");
        var labels = ChromaFill.Regions(lines, gapRadius);
        var votes = new Dictionary<int, int>[labels.RegionCount + 1];
        var lab = labels.Data;
        for (int i = 0; i < lab.Length; i++)
        {
            int l = lab[i];
            if (l == 0 || lines.Data[i] > 0.05f) continue; // clean paper only: no anti-aliased ink in the vote
            int code = key.A[i] < 0.5f ? -1 : Srgb8(key, i);
            (votes[l] ??= new())[code] = votes[l].GetValueOrDefault(code) + 1;
        }
        var entry = new int[labels.RegionCount + 1];
        Array.Fill(entry, -1);
        for (int l = 1; l <= labels.RegionCount; l++)
        {
            if (votes[l] is null) continue;
            var (code, _) = votes[l].OrderByDescending(p => p.Value).ThenBy(p => p.Key).First();
            if (code < 0) continue;
            entry[l] = Nearest(table, code);
        }
        return new RegionColours(labels, entry);
    }

    static int Srgb8(RgbaImage img, int i)
    {
        float inv = 1f / img.A[i];
        int B(float v) => (int)MathF.Round(255f * ColorMath.LinearToSrgb(Math.Clamp(v * inv, 0f, 1f)));
        return (B(img.R[i]) << 16) | (B(img.G[i]) << 8) | B(img.B[i]);
    }

    static int Nearest(List<PaletteEntry> table, int code)
    {
        int r = code >> 16, g = (code >> 8) & 255, b = code & 255;
        int best = -1, bestD = int.MaxValue;
        for (int k = 0; k < table.Count; k++)
        {
            var c = table[k].Colour;
            int B(float v) => (int)MathF.Round(255f * ColorMath.LinearToSrgb(Math.Clamp(v, 0f, 1f)));
            int d = Math.Max(Math.Abs(B(c.R) - r), Math.Max(Math.Abs(B(c.G) - g), Math.Abs(B(c.B) - b)));
            if (d < bestD) { bestD = d; best = k; }
        }
        if (best >= 0 && bestD <= 24) return best;
        table.Add(new PaletteEntry($"key-#{code:x6}", new Rgb(ColorMath.SrgbToLinear(r / 255f), ColorMath.SrgbToLinear(g / 255f), ColorMath.SrgbToLinear(b / 255f))));
        return table.Count - 1;
    }

    /// <summary>Carries <paramref name="previous"/>'s paints onto <paramref name="nextLines"/>.</summary>
    public static RegionColours Propagate(GrayImage previousLines, RegionColours previous, GrayImage nextLines, out PropagationStats stats,
        int gapRadius = RegionLabeller.DefaultGapRadius, FlowOptions? flowOptions = null)
    {
        int w = nextLines.Width, h = nextLines.Height;
        if (previousLines.Width != w || previousLines.Height != h)
            throw new InvalidDataException($"drawings differ in size: {previousLines.Width}x{previousLines.Height} vs {w}x{h}");
        var flow = OpticalFlow.Compute(FlowFeatures.FromInk(nextLines), FlowFeatures.FromInk(previousLines), flowOptions ?? FlowOptions.For(w, h));
        return Propagate(previous.EntryMap(previousLines, onlyLeaky: false), previous.EntryMap(previousLines, onlyLeaky: true), nextLines, flow, out stats, gapRadius);
    }

    /// <summary>
    /// Propagation with a given backward flow (new frame → previous frame) and the previous frame's per-pixel entries:
    /// all of them, and those of its leaky regions only (regions a gap-closing ball closed; transparent elsewhere).
    /// </summary>
    public static RegionColours Propagate(int[] previousEntries, int[] previousLeakyEntries, GrayImage nextLines, FlowField backward, out PropagationStats stats, int gapRadius = RegionLabeller.DefaultGapRadius)
    {
        int w = nextLines.Width, h = nextLines.Height, n = w * h;
        var labels = ChromaFill.Regions(nextLines, gapRadius);
        int regions = labels.RegionCount;
        var lab = labels.Data;
        int entries = 1;
        foreach (int e in previousEntries) if (e + 1 >= entries) entries = e + 2;

        // Leaky regions (closed only by the ball: a shape with a gap, or a pocket of the outside) take paint only from
        // leaky regions of the previous frame: paint flows through a closed gap only where it came from behind one.
        var enclosed = Enclosed(nextLines, labels);
        var leaky = new bool[regions + 1];
        for (int l = 1; l <= regions; l++) leaky[l] = !enclosed[l];

        // Votes: each pixel of a region looks back along the flow; ink under it → the nearest paper within 2 px.
        var vote = new int[n];
        var hist = new int[(regions + 1) * entries]; // column 0 = transparent
        Array.Fill(vote, InkMark);
        for (int i = 0; i < n; i++)
        {
            int l = lab[i];
            if (l == 0) continue;
            float u = backward.U[i], v = backward.V[i];
            if (!float.IsFinite(u) || !float.IsFinite(v) || MathF.Abs(u) > w || MathF.Abs(v) > h) continue;
            int sx = (int)MathF.Floor(i % w + 0.5f + u), sy = (int)MathF.Floor(i / w + 0.5f + v);
            int e = Sample(leaky[l] ? previousLeakyEntries : previousEntries, w, h, sx, sy);
            vote[i] = e;
            if (e != InkMark) hist[l * entries + e + 1]++;
        }

        // A region plain connected components find enclosed (no gap closing needed) lies inside a drawing: a vote for
        // transparent there is the flow missing a thin part, so it only counts when no vote is for a paint.
        for (int l = 1; l <= regions; l++)
        {
            if (!enclosed[l]) continue;
            int painted = 0;
            for (int k = 1; k < entries; k++) painted += hist[l * entries + k];
            if (painted > 0) hist[l * entries] = 0;
        }

        var entryOf = new int[regions + 1];
        Array.Fill(entryOf, -1);
        var split = new List<int>();
        var unvoted = new bool[regions + 1];
        int matched = 0;
        for (int l = 1; l <= regions; l++)
        {
            int total = 0, best = 0, bestCount = -1;
            for (int k = 0; k < entries; k++)
            {
                int c = hist[l * entries + k];
                total += c;
                if (c > bestCount) { bestCount = c; best = k; }
            }
            if (total == 0) { unvoted[l] = true; continue; }
            if (bestCount >= MatchShare * total) { entryOf[l] = best - 1; matched++; }
            else split.Add(l);
        }

        int scribbled = 0;
        if (split.Count > 0)
        {
            var entryOfList = entryOf.ToList();
            ScribbleFill(nextLines, labels, vote, split, entryOfList, enclosed);
            entryOf = entryOfList.ToArray();
            scribbled = split.Count;
        }
        int unvotedCount = unvoted.Count(b => b);
        if (unvotedCount > 0) InheritAcrossLines(nextLines, labels, entryOf, unvoted);
        stats = new PropagationStats(regions, matched, scribbled, unvotedCount);
        return new RegionColours(labels, entryOf);
    }

    /// <summary>Per region: do plain connected components (no gap closing) also find it enclosed?</summary>
    public static bool[] Enclosed(GrayImage lines, LabelImage labels) => ChromaFill.Enclosed(ChromaFill.Regions(lines, 0), labels);

    static int Sample(int[] map, int w, int h, int x, int y)
    {
        for (int r = 0; r <= 2; r++)
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                {
                    if (Math.Max(Math.Abs(dx), Math.Abs(dy)) != r) continue;
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) { if (r == 0) return -1; continue; }
                    int e = map[yy * w + xx];
                    if (e != InkMark) return e;
                }
        return InkMark;
    }

    /// <summary>
    /// Splits each region of <paramref name="split"/> by its votes: every pixel takes the voted paint it reaches at the
    /// least ink-weighted path cost inside the region (Dijkstra from all voters at once; ties to the smaller pixel index).
    /// Each paint of a split region becomes a region of its own, appended to the labels.
    /// </summary>
    static void ScribbleFill(GrayImage lines, LabelImage labels, int[] vote, List<int> split, List<int> entryOf, bool[] enclosed)
    {
        int w = labels.Width, h = labels.Height;
        var lab = labels.Data;
        var cov = lines.Data;
        var isSplit = new bool[labels.RegionCount + 1];
        foreach (int l in split) isSplit[l] = true;
        var cost = new float[lab.Length];
        var paint = new int[lab.Length];
        Array.Fill(cost, float.PositiveInfinity);
        var queue = new PriorityQueue<int, (float, int)>();
        for (int i = 0; i < lab.Length; i++)
        {
            if (!isSplit[lab[i]] || vote[i] == InkMark || (vote[i] < 0 && enclosed[lab[i]])) continue;
            cost[i] = 0f; paint[i] = vote[i];
            queue.Enqueue(i, (0f, i));
        }
        while (queue.TryDequeue(out int i, out var pri))
        {
            if (pri.Item1 > cost[i]) continue;
            int x = i % w;
            if (x > 0) Relax(i, i - 1);
            if (x < w - 1) Relax(i, i + 1);
            if (i >= w) Relax(i, i - w);
            if (i + w < lab.Length) Relax(i, i + w);
        }
        // New regions: one per (split region, paint), numbered in scan order after the existing ones.
        var fresh = new Dictionary<(int, int), int>();
        for (int i = 0; i < lab.Length; i++)
        {
            int l = lab[i];
            if (!isSplit[l] || float.IsPositiveInfinity(cost[i])) continue;
            if (!fresh.TryGetValue((l, paint[i]), out int nl))
            {
                nl = ++labels.RegionCount;
                fresh[(l, paint[i])] = nl;
                entryOf.Add(paint[i]);
            }
            lab[i] = nl;
        }

        void Relax(int from, int to)
        {
            if (lab[to] != lab[from]) return;
            float c = cost[from] + 1f + InkCost * Math.Clamp(cov[to], 0f, 1f);
            if (c < cost[to] || (c == cost[to] && paint[from] < paint[to]))
            {
                cost[to] = c; paint[to] = paint[from];
                queue.Enqueue(to, (c, to));
            }
        }
    }

    /// <summary>Regions with no vote at all take the paint of the painted region they touch most within 3 px across a line.</summary>
    static void InheritAcrossLines(GrayImage lines, LabelImage labels, int[] entryOf, bool[] unvoted)
    {
        int w = labels.Width, h = labels.Height;
        var lab = labels.Data;
        var counts = new Dictionary<(int, int), int>();
        for (int i = 0; i < lab.Length; i++)
        {
            int l = lab[i];
            if (l == 0 || l >= unvoted.Length || !unvoted[l]) continue;
            int x = i % w, y = i / w;
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++)
                {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                    int o = lab[yy * w + xx];
                    if (o == 0 || o == l || (o < unvoted.Length && unvoted[o]) || entryOf[o] < 0) continue;
                    counts[(l, entryOf[o])] = counts.GetValueOrDefault((l, entryOf[o])) + 1;
                }
        }
        foreach (var g in counts.GroupBy(p => p.Key.Item1))
            entryOf[g.Key] = g.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item2).First().Key.Item2;
    }

    /// <summary>A region the ball split from a painted one across paper (a neck) takes that paint (see <see cref="ChromaFill.InheritAcrossGaps"/>).</summary>
    static void InheritAcrossGaps(GrayImage lines, LabelImage plain, LabelImage labels, int[] entry)
    {
        var paints = new Rgb?[entry.Length];
        // Encode the entry index in the colour's red channel to reuse ChromaFill's rule.
        for (int l = 1; l < entry.Length; l++) if (entry[l] >= 0) paints[l] = new Rgb(entry[l], 0f, 0f);
        ChromaFill.InheritAcrossGaps(lines, plain, labels, paints);
        for (int l = 1; l < entry.Length; l++) if (entry[l] < 0 && paints[l] is { } p) entry[l] = (int)p.R;
    }
}
