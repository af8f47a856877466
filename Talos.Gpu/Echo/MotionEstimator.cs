using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Talos.Gpu.Echo;

/// <summary>Per-block motion between two luma planes and what motion does not explain (each block's brightness residual).</summary>
public sealed record MotionField(int BlocksX, int BlocksY, int[] Dx, int[] Dy, float[] Residual);

/// <summary>
/// Coarse motion by block matching: for each 8×8 block of the current plane, the offset within ±4 samples whose
/// block in the previous plane matches best by zero-mean SAD (so a global brightness change does not disturb the
/// match), with a slight preference for small motion in flat areas. The residual of a block is its mean minus the
/// mean of its matched previous block: the brightness change left after warping the previous frame by the motion.
/// </summary>
public static class MotionEstimator
{
    public const int Block = 8, Search = 4;
    /// <summary>Offsets of a row whose SADs one 256-bit vector holds.</summary>
    const int Lanes = 8;

    public static MotionField Estimate(LumaPlane previous, LumaPlane current)
    {
        if (previous.Width != current.Width || previous.Height != current.Height)
            throw new ArgumentException($"planes differ in size ({previous.Width}x{previous.Height} vs {current.Width}x{current.Height})");
        int w = current.Width, h = current.Height;
        int bs = Math.Min(Block, Math.Min(w, h));
        int bx = Math.Max(1, w / bs), by = Math.Max(1, h / bs);
        // the summed-area table (460 KB at a 320×180 plane) is rented for the call: a fresh large-object array per frame cost page faults
        var integral = Integral(previous);
        try { return Match(previous, current, integral, bs, bx, by); }
        finally { System.Buffers.ArrayPool<double>.Shared.Return(integral); }
    }

    static MotionField Match(LumaPlane previous, LumaPlane current, double[] integral, int bs, int bx, int by)
    {
        int w = current.Width, h = current.Height;
        var dxs = new int[bx * by];
        var dys = new int[bx * by];
        var residual = new float[bx * by];
        var prev = previous.Data;
        var cur = current.Data;
        float inv = 1f / (bs * bs);

        Parallel.For(0, by, j =>
        {
            Span<float> block = stackalloc float[bs * bs];
            Span<float> pms = stackalloc float[Lanes + 1];
            Span<float> all = stackalloc float[Offsets * Offsets];
            Span<float> allMeans = stackalloc float[Offsets * Offsets];
            Span<float> column = stackalloc float[Block * 2 * Block];
            for (int i = 0; i < bx; i++)
            {
                int x0 = i * bs, y0 = j * bs;
                float sum = 0;
                for (int y = 0; y < bs; y++)
                    for (int x = 0; x < bs; x++) sum += block[y * bs + x] = cur[(y0 + y) * w + x0 + x];
                float mean = sum * inv;
                for (int k = 0; k < block.Length; k++) block[k] -= mean;

                float bestCost = float.MaxValue, bestMean = mean;
                int bestDx = 0, bestDy = 0;
                // a block whose whole search window lies inside the plane: all 81 SADs in one pass (Interior), then the
                // same choice in the same order as below
                if (bs == Block && Vector256.IsHardwareAccelerated && x0 - Search >= 0 && x0 + Search + bs <= w && y0 - Search >= 0 && y0 + Search + bs <= h)
                {
                    Interior(prev, w, integral, x0, y0, inv, block, all, allMeans, column);
                    // the costs (each SAD times its offset's factor plus its offset's term: the same two operations as
                    // below) eight at a time, then the first cheapest in the same order (dy, then dx)
                    int v = 0;
                    for (; v + Lanes <= all.Length; v += Lanes)
                        (Vector256.Create<float>(all.Slice(v, Lanes)) * Vector256.Create<float>(CostFactor.AsSpan(v, Lanes))
                            + Vector256.Create<float>(CostTerm.AsSpan(v, Lanes))).CopyTo(all.Slice(v, Lanes));
                    for (; v < all.Length; v++) all[v] = all[v] * CostFactor[v] + CostTerm[v];
                    int best = -1;
                    for (int k = 0; k < all.Length; k++)
                        if (all[k] < bestCost) { bestCost = all[k]; best = k; }
                    if (best >= 0) (bestDy, bestDx, bestMean) = (best / Offsets - Search, best % Offsets - Search, allMeans[best]);
                    int m = j * bx + i;
                    dxs[m] = bestDx; dys[m] = bestDy;
                    residual[m] = mean - bestMean;
                    continue;
                }
                // a block whose whole row of offsets lies inside the plane: the SADs of the first eight offsets of a row
                // at once, one per vector lane (each lane adds its 64 terms in the same order as the scalar loop, so
                // the sums are the same floats), the ninth alongside
                bool lanes = bs == Block && Vector256.IsHardwareAccelerated && x0 - Search >= 0 && x0 + Search + bs <= w;
                for (int dy = -Search; dy <= Search; dy++)
                {
                    int py = y0 + dy;
                    if (py < 0 || py + bs > h) continue;
                    if (lanes)
                    {
                        for (int k = 0; k <= Lanes; k++) pms[k] = BlockSum(integral, w, x0 - Search + k, py, bs) * inv;
                        var pmv = Vector256.Create<float>(pms[..Lanes]);
                        float pmLast = pms[Lanes];
                        var sadv = Vector256<float>.Zero;
                        float sadLast = 0;
                        ref float p0 = ref MemoryMarshal.GetArrayDataReference(prev);
                        for (int y = 0; y < bs; y++)
                        {
                            int row = (py + y) * w + x0 - Search, b = y * bs;
                            for (int x = 0; x < bs; x++)
                            {
                                float c = block[b + x];
                                sadv += Vector256.Abs(Vector256.Create(c) - (Vector256.LoadUnsafe(ref p0, (nuint)(row + x)) - pmv));
                                sadLast += MathF.Abs(c - (prev[row + x + Lanes] - pmLast));
                            }
                        }
                        for (int dx = -Search; dx <= Search; dx++)
                        {
                            int k = dx + Search;
                            float sad = k < Lanes ? sadv.GetElement(k) : sadLast;
                            float cost = sad * (1f + 0.02f * (Math.Abs(dx) + Math.Abs(dy))) + 1e-6f * (Math.Abs(dx) + Math.Abs(dy));
                            if (cost < bestCost) { bestCost = cost; bestDx = dx; bestDy = dy; bestMean = pms[k]; }
                        }
                        continue;
                    }
                    for (int dx = -Search; dx <= Search; dx++)
                    {
                        int px = x0 + dx;
                        if (px < 0 || px + bs > w) continue;
                        float pm = BlockSum(integral, w, px, py, bs) * inv;
                        float sad = 0;
                        for (int y = 0; y < bs; y++)
                        {
                            int row = (py + y) * w + px, b = y * bs;
                            for (int x = 0; x < bs; x++) sad += MathF.Abs(block[b + x] - (prev[row + x] - pm));
                        }
                        float cost = sad * (1f + 0.02f * (Math.Abs(dx) + Math.Abs(dy))) + 1e-6f * (Math.Abs(dx) + Math.Abs(dy));
                        if (cost < bestCost) { bestCost = cost; bestDx = dx; bestDy = dy; bestMean = pm; }
                    }
                }
                int n = j * bx + i;
                dxs[n] = bestDx; dys[n] = bestDy;
                residual[n] = mean - bestMean;
            }
        });
        return new MotionField(bx, by, dxs, dys, residual);
    }

    /// <summary>Offsets per axis of the search window (−<see cref="Search"/> … +<see cref="Search"/>).</summary>
    const int Offsets = 2 * Search + 1;

    /// <summary>Per offset (by dy, then dx): the factor its SAD is weighed by and the term added, as the matching loop computes them.</summary>
    static readonly float[] CostFactor = CostTable((dx, dy) => 1f + 0.02f * (Math.Abs(dx) + Math.Abs(dy))),
        CostTerm = CostTable((dx, dy) => 1e-6f * (Math.Abs(dx) + Math.Abs(dy)));

    static float[] CostTable(Func<int, int, float> f)
    {
        var table = new float[Offsets * Offsets];
        for (int dy = -Search; dy <= Search; dy++)
            for (int dx = -Search; dx <= Search; dx++) table[(dy + Search) * Offsets + dx + Search] = f(dx, dy);
        return table;
    }

    /// <summary>
    /// The zero-mean SADs of every offset of an 8×8 block whose search window lies inside the plane, into
    /// <paramref name="sads"/> (row-major by dy, then dx; 81 entries) with each offset's previous-block mean in
    /// <paramref name="means"/>. The same floats as the one-row-at-a-time loop: each offset's 64 terms are
    /// |c − (p − mean)| added in the same order (rows, then columns, from 0), only more of them are in flight at once:
    /// nine vectors hold offsets dx −4…3 of each dy, and one vector the dx +4 offsets of dy −4…3, read from the
    /// window's transposed right-hand strip (<paramref name="column"/>: column x holds rows y0 − 4 … y0 + 11), the
    /// last offset (+4, +4) alone.
    /// </summary>
    static void Interior(float[] prev, int w, double[] integral, int x0, int y0, float inv, ReadOnlySpan<float> block, Span<float> sads,
        Span<float> means, Span<float> column)
    {
        const int Rows = 2 * Block; // rows y0 − 4 … y0 + 11 of the strip
        for (int dy = 0; dy < Offsets; dy++)
            for (int k = 0; k < Offsets; k++) means[dy * Offsets + k] = BlockSum(integral, w, x0 - Search + k, y0 - Search + dy, Block) * inv;
        for (int x = 0; x < Block; x++)
            for (int r = 0; r < Rows; r++) column[x * Rows + r] = prev[(y0 - Search + r) * w + x0 + Search + x];
        var m0 = Vector256.Create<float>(means[..Lanes]);
        var m1 = Vector256.Create<float>(means.Slice(Offsets, Lanes));
        var m2 = Vector256.Create<float>(means.Slice(2 * Offsets, Lanes));
        var m3 = Vector256.Create<float>(means.Slice(3 * Offsets, Lanes));
        var m4 = Vector256.Create<float>(means.Slice(4 * Offsets, Lanes));
        var m5 = Vector256.Create<float>(means.Slice(5 * Offsets, Lanes));
        var m6 = Vector256.Create<float>(means.Slice(6 * Offsets, Lanes));
        var m7 = Vector256.Create<float>(means.Slice(7 * Offsets, Lanes));
        var m8 = Vector256.Create<float>(means.Slice(8 * Offsets, Lanes));
        // the dx = +4 means of dy −4…3 as one vector, and the last offset's alone
        var mc = Vector256.Create(means[Lanes], means[Offsets + Lanes], means[2 * Offsets + Lanes], means[3 * Offsets + Lanes],
            means[4 * Offsets + Lanes], means[5 * Offsets + Lanes], means[6 * Offsets + Lanes], means[7 * Offsets + Lanes]);
        float mLast = means[8 * Offsets + Lanes];
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default, s8 = default,
            sc = default;
        float sLast = 0;
        ref float p0 = ref MemoryMarshal.GetArrayDataReference(prev);
        ref float col = ref MemoryMarshal.GetReference(column);
        for (int y = 0; y < Block; y++)
        {
            // row y of the block against row y of each dy's candidate: plane rows y0 − 4 + dy + y, from column x0 − 4
            nuint r0 = (nuint)((y0 - Search + y) * w + x0 - Search), step = (nuint)w;
            for (int x = 0; x < Block; x++)
            {
                float cs = block[y * Block + x];
                var c = Vector256.Create(cs);
                nuint at = r0 + (nuint)x;
                s0 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at) - m0));
                s1 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + step) - m1));
                s2 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 2 * step) - m2));
                s3 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 3 * step) - m3));
                s4 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 4 * step) - m4));
                s5 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 5 * step) - m5));
                s6 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 6 * step) - m6));
                s7 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 7 * step) - m7));
                s8 += Vector256.Abs(c - (Vector256.LoadUnsafe(ref p0, at + 8 * step) - m8));
                // dx = +4: lane d is plane row y0 − 4 + d + y, column x0 + 4 + x = the strip's column x, rows y … y + 7
                sc += Vector256.Abs(c - (Vector256.LoadUnsafe(ref col, (nuint)(x * Rows + y)) - mc));
                sLast += MathF.Abs(cs - (Unsafe.Add(ref col, x * Rows + y + Lanes) - mLast));
            }
        }
        s0.CopyTo(sads);
        s1.CopyTo(sads[Offsets..]);
        s2.CopyTo(sads[(2 * Offsets)..]);
        s3.CopyTo(sads[(3 * Offsets)..]);
        s4.CopyTo(sads[(4 * Offsets)..]);
        s5.CopyTo(sads[(5 * Offsets)..]);
        s6.CopyTo(sads[(6 * Offsets)..]);
        s7.CopyTo(sads[(7 * Offsets)..]);
        // s8 fills dy = +4's dx −4…3; its dx = +4 entry (the last) is written after
        s8.CopyTo(sads[(8 * Offsets)..]);
        for (int d = 0; d < Lanes; d++) sads[d * Offsets + Lanes] = sc.GetElement(d);
        sads[8 * Offsets + Lanes] = sLast;
    }

    /// <summary>Summed-area table with a zero first row and column, (w+1)×(h+1); rows are prefix sums, so it is built serially.
    /// In an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> (the caller returns it): every entry of the table is written.</summary>
    static double[] Integral(LumaPlane p)
    {
        int w = p.Width, h = p.Height, s = w + 1;
        var t = System.Buffers.ArrayPool<double>.Shared.Rent(s * (h + 1));
        Array.Clear(t, 0, s);
        for (int y = 0; y < h; y++)
        {
            t[(y + 1) * s] = 0;
            double row = 0;
            for (int x = 0; x < w; x++)
            {
                row += p.Data[y * w + x];
                t[(y + 1) * s + x + 1] = t[y * s + x + 1] + row;
            }
        }
        return t;
    }

    static float BlockSum(double[] t, int w, int x, int y, int size)
    {
        int s = w + 1;
        return (float)(t[(y + size) * s + x + size] - t[y * s + x + size] - t[(y + size) * s + x] + t[y * s + x]);
    }
}
