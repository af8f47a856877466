using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>
/// Regions of a line drawing: connected components of its non-ink pixels (4-connectivity), with small gaps in leaky
/// outlines closed the trapped-ball way (Zhang et al. 2009, "Trapped-ball segmentation"):
/// <list type="number">
/// <item>the paper is eroded by a ball of radius <c>gapRadius</c> (pixels farther than that from ink, by an exact
/// distance transform), so a gap narrower than the ball no longer joins two areas;</item>
/// <item>the eroded areas are labelled (horizontal runs joined by union-find) and grown back over the paper one
/// pixel ring at a time (a breadth-first flood from every eroded area at once, in scan order), so each area gets
/// back the pixels it lost and a gap is split between the two sides;</item>
/// <item>paper no ball reached (slivers thinner than the ball with ink all round) becomes regions of its own.</item>
/// </list>
/// Only the window <c>[x0,x1)×[y0,y1)</c> is labelled; a region touching the window border counts as the outside
/// (the caller makes the window one pixel larger than the ink, so that border is open space).
/// Labels: 0 = ink or outside, 1..N = enclosed regions, numbered in scan order of their first pixel (deterministic).
/// <c>gapRadius</c> 0 gives plain connected components. Why CPU only: docs/KERNELS.md (CHROMA).
/// </summary>
public static class RegionLabeller
{
    public const float InkThreshold = 0.5f;

    /// <summary>Default ball radius: closes gaps up to about 2·radius pixels wide.</summary>
    public const int DefaultGapRadius = 2;

    public static void Label(GrayImage lines, int x0, int y0, int x1, int y1, LabelImage labels, int gapRadius = DefaultGapRadius)
    {
        int w = lines.Width, ww = x1 - x0, wh = y1 - y0;
        if (ww <= 0 || wh <= 0) { labels.RegionCount = 0; return; }
        var cov = lines.Data;
        var paper = new bool[ww * wh];
        for (int y = 0; y < wh; y++)
            for (int x = 0; x < ww; x++)
                paper[y * ww + x] = !(cov[(y + y0) * w + x + x0] >= InkThreshold); // NaN counts as paper

        int[] local;
        if (gapRadius <= 0) local = Components(paper, ww, wh, out _);
        else local = Trapped(paper, ww, wh, gapRadius);

        // Outside: every label with a pixel on the window border. Then compact in scan order.
        int max = 0;
        foreach (int l in local) if (l > max) max = l;
        var outside = new bool[max + 1];
        for (int x = 0; x < ww; x++) { outside[local[x]] = true; outside[local[(wh - 1) * ww + x]] = true; }
        for (int y = 0; y < wh; y++) { outside[local[y * ww]] = true; outside[local[y * ww + ww - 1]] = true; }
        var compact = new int[max + 1];
        int next = 0;
        var data = labels.Data;
        for (int y = 0; y < wh; y++)
            for (int x = 0; x < ww; x++)
            {
                int l = local[y * ww + x];
                if (l == 0 || outside[l]) continue;
                if (compact[l] == 0) compact[l] = ++next;
                data[(y + y0) * w + x + x0] = compact[l];
            }
        labels.RegionCount = next;
    }

    /// <summary>Trapped-ball labels of the paper (0 on ink), not yet split into inside and outside.</summary>
    static int[] Trapped(bool[] paper, int w, int h, int radius)
    {
        int n = w * h;
        var ink = new bool[n];
        for (int i = 0; i < n; i++) ink[i] = !paper[i];
        var dist = DistanceTransform.Compute(ink, w, h, radius + 2f);
        var core = new bool[n];
        for (int i = 0; i < n; i++) core[i] = paper[i] && dist[i] > radius;
        var labels = Components(core, w, h, out int cores);

        // Grow the cores back over the paper, ring by ring (breadth-first, seeded in scan order).
        var queue = new int[n];
        int head = 0, tail = 0;
        for (int i = 0; i < n; i++) if (labels[i] != 0) queue[tail++] = i;
        while (head < tail)
        {
            int i = queue[head++], x = i % w, l = labels[i];
            if (x > 0 && paper[i - 1] && labels[i - 1] == 0) { labels[i - 1] = l; queue[tail++] = i - 1; }
            if (x < w - 1 && paper[i + 1] && labels[i + 1] == 0) { labels[i + 1] = l; queue[tail++] = i + 1; }
            if (i >= w && paper[i - w] && labels[i - w] == 0) { labels[i - w] = l; queue[tail++] = i - w; }
            if (i + w < n && paper[i + w] && labels[i + w] == 0) { labels[i + w] = l; queue[tail++] = i + w; }
        }

        // Paper no ball reached: its own components, numbered after the cores.
        var rest = new bool[n];
        bool any = false;
        for (int i = 0; i < n; i++) { rest[i] = paper[i] && labels[i] == 0; any |= rest[i]; }
        if (any)
        {
            var extra = Components(rest, w, h, out _);
            for (int i = 0; i < n; i++) if (extra[i] != 0) labels[i] = cores + extra[i];
        }
        return labels;
    }

    /// <summary>4-connected components of a mask: horizontal runs joined by union-find; labels 1..count in scan order, 0 off the mask.</summary>
    public static int[] Components(bool[] mask, int w, int h, out int count)
    {
        var runX0 = new List<int>(); var runX1 = new List<int>(); var runY = new List<int>();
        var rowFirstRun = new int[h + 1];
        for (int y = 0; y < h; y++)
        {
            rowFirstRun[y] = runX0.Count;
            int row = y * w, x = 0;
            while (x < w)
            {
                while (x < w && !mask[row + x]) x++;
                if (x >= w) break;
                int s = x;
                while (x < w && mask[row + x]) x++;
                runX0.Add(s); runX1.Add(x); runY.Add(y);
            }
        }
        rowFirstRun[h] = runX0.Count;

        int n = runX0.Count;
        var parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        // Join each run with the runs of the previous row that share at least one column (4-connectivity).
        for (int y = 1; y < h; y++)
        {
            int a = rowFirstRun[y - 1], aEnd = rowFirstRun[y];
            int b = aEnd, bEnd = rowFirstRun[y + 1];
            while (a < aEnd && b < bEnd)
            {
                if (runX1[a] > runX0[b] && runX1[b] > runX0[a]) Union(parent, a, b);
                if (runX1[a] < runX1[b]) a++; else b++;
            }
        }
        var result = new int[w * h];
        var compact = new int[n];
        count = 0;
        for (int i = 0; i < n; i++)
        {
            int r = Find(parent, i);
            if (compact[r] == 0) compact[r] = ++count;
            int row = runY[i] * w;
            for (int x = runX0[i]; x < runX1[i]; x++) result[row + x] = compact[r];
        }
        return result;
    }

    static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    static void Union(int[] parent, int a, int b)
    {
        int ra = Find(parent, a), rb = Find(parent, b);
        if (ra == rb) return;
        // The smaller index becomes the root, so labels do not depend on union order.
        if (ra < rb) parent[rb] = ra; else parent[ra] = rb;
    }
}
