namespace Talos.Gpu.Flux;

/// <summary>
/// Exact Euclidean distance transform (separable lower-envelope-of-parabolas method): for every pixel, the distance
/// to the nearest pixel where the mask is set. Rows run in parallel; every output depends only on its own row or
/// column, so the result is deterministic.
/// </summary>
public static class DistanceTransform
{
    const float Inf = 1e20f;

    /// <summary>Columns per block of the column pass: each row's slice of a block is one or two cache lines.</summary>
    const int ColumnBlock = 16;

    /// <summary>Distances (in pixels) to the nearest set pixel; <paramref name="cap"/> where there is none; every distance is then divided by <paramref name="divide"/>.</summary>
    public static float[] Compute(ReadOnlySpan<bool> mask, int width, int height, float cap, float divide = 1f)
    {
        int n = width * height;
        var sq = new float[n];
        var result = new float[n];
        bool any = mask.IndexOf(true) >= 0;
        if (!any) { Array.Fill(result, cap / divide); return result; }
        var m = mask.ToArray();
        int blocks = (width + ColumnBlock - 1) / ColumnBlock;
        // columns in blocks: a block's rows are read and written a cache line at a time instead of one float per line
        Parallel.For(0, blocks, () => new Scratch(Math.Max(width, height), height * ColumnBlock), (blk, _, s) =>
        {
            int x0 = blk * ColumnBlock, cols = Math.Min(ColumnBlock, width - x0);
            float[] col = s.Block;
            for (int y = 0; y < height; y++)
                for (int c = 0; c < cols; c++) col[c * height + y] = m[y * width + x0 + c] ? 0f : Inf;
            for (int c = 0; c < cols; c++)
            {
                Array.Copy(col, c * height, s.F, 0, height);
                Envelope(s, height);
                Array.Copy(s.D, 0, col, c * height, height);
            }
            for (int y = 0; y < height; y++)
                for (int c = 0; c < cols; c++) sq[y * width + x0 + c] = col[c * height + y];
            return s;
        }, _ => { });
        Parallel.For(0, height, () => new Scratch(Math.Max(width, height)), (y, _, s) =>
        {
            int row = y * width;
            Array.Copy(sq, row, s.F, 0, width);
            Envelope(s, width);
            for (int x = 0; x < width; x++) result[row + x] = MathF.Min(cap, MathF.Sqrt(s.D[x])) / divide;
            return s;
        }, _ => { });
        return result;
    }

    sealed class Scratch(int n, int block = 0)
    {
        public readonly float[] F = new float[n], D = new float[n], Z = new float[n + 1], Block = new float[block];
        public readonly int[] V = new int[n];
    }

    /// <summary>1-D squared distance: D[q] = min_p (q − p)² + F[p].</summary>
    static void Envelope(Scratch s, int n)
    {
        float[] f = s.F, d = s.D, z = s.Z;
        int[] v = s.V;
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (f[q] >= Inf) continue;
            if (k < 0) { k = 0; v[0] = q; z[0] = -Inf; z[1] = Inf; continue; }
            float sp;
            while (true)
            {
                int p = v[k];
                sp = ((f[q] + (float)q * q) - (f[p] + (float)p * p)) / (2f * (q - p));
                if (sp <= z[k] && k > 0) k--; else break;
            }
            if (sp <= z[k]) { v[k] = q; z[k + 1] = Inf; continue; } // k == 0 and the new parabola wins everywhere
            k++; v[k] = q; z[k] = sp; z[k + 1] = Inf;
        }
        if (k < 0) { Array.Fill(d, Inf, 0, n); return; }
        int j = 0;
        for (int q = 0; q < n; q++)
        {
            while (z[j + 1] < q) j++;
            float dq = q - v[j];
            d[q] = dq * dq + f[v[j]];
        }
    }
}
