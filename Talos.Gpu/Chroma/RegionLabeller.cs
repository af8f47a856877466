using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>
/// Connected components of the non-ink pixels of a line drawing (4-connectivity), found with horizontal runs
/// joined by union-find: no recursion, one pass over the pixels plus one over the runs.
/// Only the window <c>[x0,x1)×[y0,y1)</c> is labelled; a component touching the window border counts as the
/// outside (the caller makes the window one pixel larger than the ink, so that border is open space).
/// Labels: 0 = ink or outside, 1..N = enclosed regions, numbered in scan order (deterministic).
/// </summary>
static class RegionLabeller
{
    public const float InkThreshold = 0.5f;

    public static void Label(GrayImage lines, int x0, int y0, int x1, int y1, LabelImage labels)
    {
        int w = lines.Width;
        var cov = lines.Data;
        // Runs: start x, end x (exclusive), row; parent for union-find.
        var runX0 = new List<int>(); var runX1 = new List<int>(); var runY = new List<int>();
        var rowFirstRun = new int[y1 - y0 + 1];
        for (int y = y0; y < y1; y++)
        {
            rowFirstRun[y - y0] = runX0.Count;
            int row = y * w;
            int x = x0;
            while (x < x1)
            {
                while (x < x1 && cov[row + x] >= InkThreshold) x++;
                if (x >= x1) break;
                int s = x;
                while (x < x1 && cov[row + x] < InkThreshold) x++;
                runX0.Add(s); runX1.Add(x); runY.Add(y);
            }
        }
        rowFirstRun[y1 - y0] = runX0.Count;

        int n = runX0.Count;
        var parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;

        // Join each run with the runs of the previous row that share at least one column (4-connectivity).
        for (int y = y0 + 1; y < y1; y++)
        {
            int a = rowFirstRun[y - 1 - y0], aEnd = rowFirstRun[y - y0];
            int b = aEnd, bEnd = rowFirstRun[y + 1 - y0];
            while (a < aEnd && b < bEnd)
            {
                if (runX1[a] > runX0[b] && runX1[b] > runX0[a]) Union(parent, a, b);
                if (runX1[a] < runX1[b]) a++; else b++;
            }
        }

        // Roots touching the window border are the outside.
        var outside = new bool[n];
        for (int i = 0; i < n; i++)
            if (runY[i] == y0 || runY[i] == y1 - 1 || runX0[i] == x0 || runX1[i] == x1)
                outside[Find(parent, i)] = true;

        var compact = new int[n];
        int next = 0;
        for (int i = 0; i < n; i++)
        {
            int r = Find(parent, i);
            if (outside[r]) continue;
            if (compact[r] == 0) compact[r] = ++next;
            int label = compact[r];
            var data = labels.Data;
            int row = runY[i] * w;
            for (int x = runX0[i]; x < runX1[i]; x++) data[row + x] = label;
        }
        labels.RegionCount = next;
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
