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

    /// <summary>Distances (in pixels) to the nearest set pixel; <paramref name="cap"/> where there is none.</summary>
    public static float[] Compute(ReadOnlySpan<bool> mask, int width, int height, float cap)
    {
        var result = new float[width * height];
        Compute(mask, width, height, cap, result);
        return result;
    }

    /// <summary>
    /// <see cref="Compute(ReadOnlySpan{bool}, int, int, float)"/> into an array from <see cref="ArrayPool{T}.Shared"/>
    /// (at least width·height long; the caller may return it): the same numbers, without a new array per call.
    /// </summary>
    public static float[] ComputePooled(ReadOnlySpan<bool> mask, int width, int height, float cap)
    {
        var result = ArrayPool<float>.Shared.Rent(width * height);
        Compute(mask, width, height, cap, result);
        return result;
    }

    static void Compute(ReadOnlySpan<bool> mask, int width, int height, float cap, float[] result)
    {
        int n = width * height;
        if (mask.Length < n) throw new ArgumentException($"the mask holds {mask.Length} pixels, not {width}x{height}", nameof(mask));
        var sq = ArrayPool<float>.Shared.Rent(Math.Max(1, n));
        try
        {
            bool any = false;
            for (int i = 0; i < n; i++) { sq[i] = mask[i] ? 0f : Inf; any |= mask[i]; }
            if (!any) { Array.Fill(result, cap, 0, n); return; }

            Parallel.For(0, width, () => Scratch.For(Math.Max(width, height)), (x, _, s) =>
            {
                for (int y = 0; y < height; y++) s.F[y] = sq[y * width + x];
                Envelope(s, height);
                for (int y = 0; y < height; y++) sq[y * width + x] = s.D[y];
                return s;
            }, _ => { });
            Parallel.For(0, height, () => Scratch.For(Math.Max(width, height)), (y, _, s) =>
            {
                int row = y * width;
                for (int x = 0; x < width; x++) s.F[x] = sq[row + x];
                Envelope(s, width);
                for (int x = 0; x < width; x++) result[row + x] = MathF.Min(cap, MathF.Sqrt(s.D[x]));
                return s;
            }, _ => { });
        }
        finally { ArrayPool<float>.Shared.Return(sq); }
    }

    sealed class Scratch(int n)
    {
        [ThreadStatic] static Scratch? kept;

        /// <summary>This thread's scratch if it holds n lines' worth, else a new one kept for the next call (every element
        /// Envelope reads is written first in the same call).</summary>
        public static Scratch For(int n) => kept is { } s && s.F.Length >= n ? s : kept = new Scratch(n);

        public readonly float[] F = new float[n], D = new float[n], Z = new float[n + 1];
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
