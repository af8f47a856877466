using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        int n = ww * wh;
        var cov = lines.Data;
        // Scratch from the shared pool (a frame's window is labelled once per character per frame): every array is
        // written over its first n entries before it is read, so what a rented array held before does not matter.
        var paper = ArrayPool<bool>.Shared.Rent(n);
        int[]? local = null, outside = null, compact = null;
        try
        {
            for (int y = 0; y < wh; y++) Paper(cov.AsSpan((y + y0) * w + x0, ww), paper.AsSpan(y * ww, ww));

            local = ArrayPool<int>.Shared.Rent(n);
            int max; // the largest label
            if (gapRadius <= 0) Components(paper.AsSpan(0, n), ww, wh, local.AsSpan(0, n), out max);
            else max = Trapped(paper, ww, wh, gapRadius, local);

            // Outside: every label with a pixel on the window border. Then compact in scan order.
            var loc = local.AsSpan(0, n);
            outside = ArrayPool<int>.Shared.Rent(max + 1);
            compact = ArrayPool<int>.Shared.Rent(max + 1);
            var isOutside = outside.AsSpan(0, max + 1);
            var compactOf = compact.AsSpan(0, max + 1);
            isOutside.Clear(); compactOf.Clear();
            for (int x = 0; x < ww; x++) { isOutside[loc[x]] = 1; isOutside[loc[(wh - 1) * ww + x]] = 1; }
            for (int y = 0; y < wh; y++) { isOutside[loc[y * ww]] = 1; isOutside[loc[y * ww + ww - 1]] = 1; }
            int next = 0;
            var data = labels.Data;
            // every pixel of the window is written (0 on ink and outside): the plane need not be cleared inside it
            if (gapRadius <= 0)
            {
                // plain components are numbered in scan order of their first pixel, so numbering the enclosed ones by
                // first appearance is numbering them in label order: a table, then one lookup per pixel
                compactOf[0] = 0;
                for (int l = 1; l <= max; l++) compactOf[l] = isOutside[l] != 0 ? 0 : ++next;
                for (int y = 0; y < wh; y++)
                {
                    var src = loc.Slice(y * ww, ww);
                    var dst = data.AsSpan((y + y0) * w + x0, ww);
                    for (int x = 0; x < src.Length; x++) dst[x] = compactOf[src[x]];
                }
            }
            else
                for (int y = 0; y < wh; y++)
                {
                    var src = loc.Slice(y * ww, ww);
                    var dst = data.AsSpan((y + y0) * w + x0, ww);
                    for (int x = 0; x < src.Length; x++)
                    {
                        int l = src[x];
                        if (l == 0 || isOutside[l] != 0) { dst[x] = 0; continue; }
                        if (compactOf[l] == 0) compactOf[l] = ++next;
                        dst[x] = compactOf[l];
                    }
                }
            labels.RegionCount = next;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(paper);
            if (local is not null) ArrayPool<int>.Shared.Return(local);
            if (outside is not null) ArrayPool<int>.Shared.Return(outside);
            if (compact is not null) ArrayPool<int>.Shared.Return(compact);
        }
    }

    /// <summary>
    /// Paper (not ink: coverage below <see cref="InkThreshold"/>, NaN included) per pixel of a row; eight at a time in
    /// vectors (the same comparison), the bytes of eight flags written at once.
    /// </summary>
    static void Paper(ReadOnlySpan<float> src, Span<bool> dst)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var half = Vector256.Create(InkThreshold);
            ref byte d = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(dst));
            for (; x + 8 <= src.Length; x += 8)
            {
                // ink where coverage >= the threshold (false for NaN): one bit per pixel, spread to one byte each
                uint ink = Vector256.GreaterThanOrEqual(Vector256.Create(src.Slice(x, 8)), half).ExtractMostSignificantBits();
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, x), PaperBytes[ink]);
            }
        }
        for (; x < src.Length; x++) dst[x] = !(src[x] >= InkThreshold);
    }

    /// <summary>For each 8-bit ink mask, eight bytes: 1 (paper) where the bit is clear, 0 where it is set.</summary>
    static readonly ulong[] PaperBytes = BuildPaperBytes();

    static ulong[] BuildPaperBytes()
    {
        var table = new ulong[256];
        for (int m = 0; m < 256; m++)
            for (int b = 0; b < 8; b++)
                if ((m & (1 << b)) == 0) table[m] |= 1UL << (8 * b);
        return table;
    }

    /// <summary>
    /// Trapped-ball labels of the paper (0 on ink) into <paramref name="labels"/>' first w·h entries, not yet split into
    /// inside and outside; returns the largest label.
    /// </summary>
    static int Trapped(bool[] paperArray, int w, int h, int radius, int[] labelsArray)
    {
        int n = w * h;
        var paper = paperArray.AsSpan(0, n);
        var labels = labelsArray.AsSpan(0, n);
        var pool = ArrayPool<bool>.Shared;
        bool[] inkArray = pool.Rent(n), coreArray = pool.Rent(n);
        int[] queue = ArrayPool<int>.Shared.Rent(n);
        float[]? distArray = null;
        try
        {
            var ink = inkArray.AsSpan(0, n);
            for (int i = 0; i < n; i++) ink[i] = !paper[i];
            distArray = DistanceTransform.ComputePooled(ink, w, h, radius + 2f);
            var dist = distArray.AsSpan(0, n);
            var core = coreArray.AsSpan(0, n);
            for (int i = 0; i < n; i++) core[i] = paper[i] && dist[i] > radius;
            Components(core, w, h, labels, out int cores);

            // Grow the cores back over the paper, ring by ring (breadth-first, seeded in scan order).
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

            // Paper no ball reached: its own components, numbered after the cores (the ink mask's array is free again).
            var rest = ink;
            bool any = false;
            for (int i = 0; i < n; i++) { rest[i] = paper[i] && labels[i] == 0; any |= rest[i]; }
            int extras = 0;
            if (any)
            {
                var extra = queue.AsSpan(0, n); // the queue is done with
                Components(rest, w, h, extra, out extras);
                for (int i = 0; i < n; i++) if (extra[i] != 0) labels[i] = cores + extra[i];
            }
            return cores + extras;
        }
        finally
        {
            pool.Return(inkArray); pool.Return(coreArray);
            ArrayPool<int>.Shared.Return(queue);
            if (distArray is not null) ArrayPool<float>.Shared.Return(distArray);
        }
    }

    /// <summary>4-connected components of a mask: horizontal runs joined by union-find; labels 1..count in scan order, 0 off the mask.</summary>
    public static int[] Components(bool[] mask, int w, int h, out int count)
    {
        var result = new int[w * h];
        Components(mask.AsSpan(0, w * h), w, h, result, out count);
        return result;
    }

    /// <summary>
    /// <see cref="Components(bool[], int, int, out int)"/> into <paramref name="result"/> (w·h labels, every one written),
    /// its run lists and union-find from the shared pool: no allocation per call.
    /// </summary>
    public static void Components(ReadOnlySpan<bool> mask, int w, int h, Span<int> result, out int count)
    {
        int size = w * h;
        if (mask.Length < size || result.Length < size) throw new ArgumentException($"mask and result must hold {w}x{h} pixels");
        result = result[..size];
        result.Clear();
        // at most one run per two columns (plus one) in a row
        int most = Math.Max(1, h * ((w + 1) / 2));
        var ints = ArrayPool<int>.Shared;
        int[] runX0 = ints.Rent(most), runX1 = ints.Rent(most), runY = ints.Rent(most), parent = ints.Rent(most), rowFirstRun = ints.Rent(h + 1);
        try
        {
            int n = 0;
            for (int y = 0; y < h; y++)
            {
                rowFirstRun[y] = n;
                var row = mask.Slice(y * w, w);
                int x = 0;
                while (x < w)
                {
                    int off = row[x..].IndexOf(true);
                    if (off < 0) break;
                    int s = x + off;
                    int len = row[s..].IndexOf(false);
                    x = len < 0 ? w : s + len;
                    runX0[n] = s; runX1[n] = x; runY[n] = y; n++;
                }
            }
            rowFirstRun[h] = n;

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
            // a set's root is its smallest run (Union), so the first run of a set met in scan order is its root
            count = 0;
            var labelOf = ints.Rent(Math.Max(1, n));
            try
            {
                for (int i = 0; i < n; i++)
                {
                    int r = Find(parent, i);
                    if (r == i) labelOf[i] = ++count;
                    result.Slice(runY[i] * w + runX0[i], runX1[i] - runX0[i]).Fill(labelOf[r]);
                }
            }
            finally { ints.Return(labelOf); }
        }
        finally
        {
            ints.Return(runX0); ints.Return(runX1); ints.Return(runY); ints.Return(parent); ints.Return(rowFirstRun);
        }
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
