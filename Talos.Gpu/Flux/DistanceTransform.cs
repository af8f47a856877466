using System.Buffers;

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
        var result = new float[width * height];
        Compute(mask, width, height, cap, divide, result);
        return result;
    }

    /// <summary>
    /// <see cref="Compute(ReadOnlySpan{bool}, int, int, float, float)"/> into an array from <see cref="ArrayPool{T}.Shared"/>
    /// (at least width·height long; the caller may return it): the same numbers, without a new array per call.
    /// </summary>
    public static float[] ComputePooled(ReadOnlySpan<bool> mask, int width, int height, float cap)
    {
        var result = ArrayPool<float>.Shared.Rent(width * height);
        Compute(mask, width, height, cap, 1f, result);
        return result;
    }

    static void Compute(ReadOnlySpan<bool> mask, int width, int height, float cap, float divide, float[] result)
    {
        int n = width * height;
        if (mask.Length < n) throw new ArgumentException($"the mask holds {mask.Length} pixels, not {width}x{height}", nameof(mask));
        if (mask[..n].IndexOf(true) < 0) { Array.Fill(result, cap / divide, 0, n); return; }
        var sq = ArrayPool<float>.Shared.Rent(Math.Max(1, n));
        try
        {
            for (int i = 0; i < n; i++) sq[i] = mask[i] ? 0f : Inf;
            int blocks = (width + ColumnBlock - 1) / ColumnBlock;
            // columns in blocks: a block's rows are read and written a cache line at a time instead of one float per line
            Parallel.For(0, blocks, () => Scratch.For(Math.Max(width, height), height * ColumnBlock), (blk, _, s) =>
            {
                int x0 = blk * ColumnBlock, cols = Math.Min(ColumnBlock, width - x0);
                float[] col = s.Block;
                for (int y = 0; y < height; y++)
                    for (int c = 0; c < cols; c++) col[c * height + y] = sq[y * width + x0 + c];
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
            Parallel.For(0, height, () => Scratch.For(Math.Max(width, height), 0), (y, _, s) =>
            {
                int row = y * width;
                Array.Copy(sq, row, s.F, 0, width);
                Envelope(s, width);
                for (int x = 0; x < width; x++) result[row + x] = MathF.Min(cap, MathF.Sqrt(s.D[x])) / divide;
                return s;
            }, _ => { });
        }
        finally { ArrayPool<float>.Shared.Return(sq); }
    }

    sealed class Scratch(int n, int block)
    {
        [ThreadStatic] static Scratch? kept;

        /// <summary>This thread's scratch if it holds n lines' and a block's worth, else a new one kept for the next call
        /// (every element Envelope and the column pass read is written first in the same call).</summary>
        public static Scratch For(int n, int block) =>
            kept is { } s && s.F.Length >= n && s.Block.Length >= block ? s : kept = new Scratch(n, block);

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
