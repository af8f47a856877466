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
