using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Talos.Gpu.Flux;

/// <summary>
/// Exact Euclidean distance transform (separable lower-envelope-of-parabolas method): for every pixel, the distance
/// to the nearest pixel where the mask is set. The column pass of a mask is the squared distance to the column's
/// nearest set pixel (two sweeps over whole rows); the row pass is the lower envelope, rows in parallel. Every output
/// depends only on its own row or column, so the result is deterministic.
/// </summary>
public static class DistanceTransform
{
    const float Inf = 1e20f;

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

    /// <summary><see cref="Compute(ReadOnlySpan{bool}, int, int, float, float)"/> into the first width·height values of <paramref name="result"/>.</summary>
    public static void Compute(ReadOnlySpan<bool> mask, int width, int height, float cap, float divide, float[] result)
    {
        int n = width * height;
        if (mask.Length < n) throw new ArgumentException($"the mask holds {mask.Length} pixels, not {width}x{height}", nameof(mask));
        if (result.Length < n) throw new ArgumentException($"the result holds {result.Length} pixels, not {width}x{height}", nameof(result));
        if (mask[..n].IndexOf(true) < 0) { Array.Fill(result, cap / divide, 0, n); return; }
        var sq = ArrayPool<float>.Shared.Rent(Math.Max(1, n));
        var below = ArrayPool<float>.Shared.Rent(Math.Max(1, width));
        try
        {
            // Columns: for a mask the lower envelope of a column's parabolas (f = 0 at a set pixel, none elsewhere) is the
            // squared distance to the column's nearest set pixel, an integer below 2^24 and so exact in a float: found by
            // one sweep down and one up over whole rows, a vector of columns at a time (the same values the envelope gave).
            ColumnDistances(mask, width, height, sq, below);
            // A small cap: each pixel's nearest set pixel searched outwards along the row, no further than the cap (every
            // distance under the cap exact, every other at or above it: Finish's min with the cap gives the same numbers).
            int bound = Vector.IsHardwareAccelerated && cap >= 0f && cap <= BoundedCap ? (int)MathF.Ceiling(cap) : -1;
            Parallel.For(0, height, () => Scratch.For(width + 2 * Math.Max(bound, 0)), (y, _, s) =>
            {
                int row = y * width;
                if (bound >= 0) Bounded(sq.AsSpan(row, width), s, bound);
                else
                {
                    Array.Copy(sq, row, s.F, 0, width);
                    Envelope(s, width);
                }
                Finish(s.D.AsSpan(0, width), cap, divide, result.AsSpan(row, width));
                return s;
            }, _ => { });
        }
        finally { ArrayPool<float>.Shared.Return(sq); ArrayPool<float>.Shared.Return(below); }
    }

    /// <summary>
    /// <c>sq[y·width + x]</c> = the squared distance from (x, y) to the nearest set pixel of column x, Inf when the column
    /// has none: a sweep down leaves in <paramref name="sq"/> each column's distance to the last set pixel at or above
    /// (Inf + 1 is Inf: none yet), a sweep up keeps in <paramref name="below"/> the distance to the next one at or below
    /// and writes the smaller of the two, squared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ColumnDistances(ReadOnlySpan<bool> mask, int width, int height, float[] sq, float[] below)
    {
        var bytes = MemoryMarshal.AsBytes(mask);
        int lanes = Vector<float>.Count, chunk = Vector<byte>.Count; // a vector of mask bytes is four vectors of floats
        bool vectors = Vector.IsHardwareAccelerated;
        var inf = new Vector<float>(Inf);
        for (int y = 0, row = 0; y < height; y++, row += width)
        {
            int x = 0;
            if (vectors)
                for (; x + chunk <= width; x += chunk)
                {
                    Vector.Widen(new Vector<byte>(bytes.Slice(row + x)), out var s0, out var s1);
                    Vector.Widen(s0, out var i0, out var i1);
                    Vector.Widen(s1, out var i2, out var i3);
                    Down(sq, row, width, y > 0, x, i0, inf);
                    Down(sq, row, width, y > 0, x + lanes, i1, inf);
                    Down(sq, row, width, y > 0, x + 2 * lanes, i2, inf);
                    Down(sq, row, width, y > 0, x + 3 * lanes, i3, inf);
                }
            for (; x < width; x++) sq[row + x] = bytes[row + x] != 0 ? 0f : (y > 0 ? sq[row - width + x] : Inf) + 1f;
        }
        for (int y = height - 1, row = y * width; y >= 0; y--, row -= width)
        {
            int x = 0;
            if (vectors)
                for (; x + lanes <= width; x += lanes)
                {
                    var up = new Vector<float>(sq, row + x);
                    var down = y < height - 1 ? new Vector<float>(below, x) : inf;
                    // a set pixel is where the sweep down left 0
                    down = Vector.ConditionalSelect(Vector.Equals(up, Vector<float>.Zero), Vector<float>.Zero, down + Vector<float>.One);
                    down.CopyTo(below, x);
                    var d = Vector.Min(up, down);
                    Vector.ConditionalSelect(Vector.GreaterThanOrEqual(d, inf), inf, d * d).CopyTo(sq, row + x);
                }
            for (; x < width; x++)
            {
                float up = sq[row + x], down = up == 0f ? 0f : (y < height - 1 ? below[x] : Inf) + 1f;
                below[x] = down;
                float d = MathF.Min(up, down);
                sq[row + x] = d >= Inf ? Inf : d * d;
            }
        }
    }

    /// <summary>One vector of the sweep down: 0 where the mask is set (<paramref name="set"/> not 0), else the row above's plus 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Down(float[] sq, int row, int width, bool hasAbove, int x, Vector<uint> set, Vector<float> inf)
    {
        var above = hasAbove ? new Vector<float>(sq, row - width + x) : inf;
        Vector.ConditionalSelect(Vector.AsVectorSingle(Vector.Equals(set, Vector<uint>.Zero)), above + Vector<float>.One, Vector<float>.Zero).CopyTo(sq, row + x);
    }

    /// <summary>A row of the result: <c>min(cap, √D) / divide</c> per pixel, a vector at a time (the same IEEE operations per lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Finish(ReadOnlySpan<float> d, float cap, float divide, Span<float> result)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vcap = new Vector<float>(cap);
            var vdiv = new Vector<float>(divide);
            for (; x + Vector<float>.Count <= d.Length; x += Vector<float>.Count)
                (Vector.Min(vcap, Vector.SquareRoot(new Vector<float>(d[x..]))) / vdiv).CopyTo(result[x..]);
        }
        for (; x < d.Length; x++) result[x] = MathF.Min(cap, MathF.Sqrt(d[x])) / divide;
    }

    sealed class Scratch(int n)
    {
        [ThreadStatic] static Scratch? kept;

        /// <summary>This thread's scratch if it holds a line of n, else a new one kept for the next call (every element
        /// Envelope reads is written first in the same call).</summary>
        public static Scratch For(int n) => kept is { } s && s.F.Length >= n ? s : kept = new Scratch(n);

        public readonly float[] F = new float[n], D = new float[n], Z = new float[n + 1];
        public readonly int[] V = new int[n];
    }

    /// <summary>The largest cap under which the rows are searched outwards (<see cref="Bounded"/>) instead of by the envelope.</summary>
    internal const float BoundedCap = 48f;

    /// <summary>
    /// The row pass for a cap of at most <paramref name="bound"/>: D[q] = min over |q − p| &lt; bound of (q − p)² + f[p], a
    /// vector of q at a time, searched outwards from q until no lane can get smaller. Every D below bound² is the exact
    /// minimum over the whole row (its nearest set pixel lies within the search, and the sums are integers below 2^24,
    /// exact in a float, as the envelope's are); every other is at or above bound² (a minimum over fewer candidates, and
    /// the rounding of a sum at or above bound² stays there), so min(cap, √D) is the envelope's for any cap ≤ bound.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Bounded(ReadOnlySpan<float> row, Scratch s, int bound)
    {
        int n = row.Length, lanes = Vector<float>.Count;
        float[] f = s.F, d = s.D;
        // f holds the row between bound samples of Inf on either side: every read below is in the array
        f.AsSpan(0, bound).Fill(Inf);
        row.CopyTo(f.AsSpan(bound, n));
        f.AsSpan(bound + n, bound).Fill(Inf);
        int q = 0;
        for (; q + lanes <= n; q += lanes)
        {
            int c = bound + q;
            var best = new Vector<float>(f, c);
            for (int k = 1; k < bound; k++)
            {
                var kk = new Vector<float>((float)(k * k));
                if (Vector.LessThanOrEqualAll(best, kk)) break; // a pixel k or more away adds at least k²
                best = Vector.Min(best, Vector.Min(new Vector<float>(f, c - k), new Vector<float>(f, c + k)) + kk);
            }
            best.CopyTo(d, q);
        }
        for (; q < n; q++)
        {
            int c = bound + q;
            float best = f[c];
            for (int k = 1; k < bound; k++)
            {
                float kk = k * k;
                if (best <= kk) break;
                best = MathF.Min(best, MathF.Min(f[c - k], f[c + k]) + kk);
            }
            d[q] = best;
        }
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
