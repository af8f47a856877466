using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Talos.Gpu.Kernels;

/// <summary>
/// CPU-only row loops of the hottest <see cref="FluidCells"/> functions, eight elements a step (AVX2): each lane does the
/// scalar function's IEEE operations in the same order (no fused multiply-add, the same divisions), so every element
/// gets the same bits as the scalar function, which stays the one definition of the maths (the ILGPU kernels and the
/// tails of these rows call it). Tests compare each against the scalar function to the bit (<c>FluidRowsTests</c>).
/// Each returns how many elements it did; the caller does the rest with the scalar function.
/// </summary>
public static class FluidRows
{
    /// <summary>Whether the vector rows run here (x86 with AVX2); otherwise callers use the scalar functions alone.</summary>
    public static bool Enabled => Avx2.IsSupported;

    /// <summary>
    /// <see cref="FluidCells.Light{TF}(TF, int, int, float, float, int, float, int, int, int, int, int, int)"/> of cells
    /// i0, i0 + 1, … of row j into light, eight rays at a time; returns how many cells (a multiple of 8, up to count).
    /// The rays of one row share their y positions (the same start and additions), so a step's row test is made once;
    /// a lane whose ray left the grid stays out (x moves monotonically), as the scalar loop's break.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Light(float[] smoke, float[] light, int i0, int count, int j, float dx, float dy, int steps, float kappa,
        int nx, int ny, int bx0, int by0, int bx1, int by1)
    {
        if (!Avx2.IsSupported || count < 8) return 0;
        int s = nx + 2, done = 0;
        var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        var vdx = Vector256.Create(dx);
        var lo = Vector256.Create(0.5f); var hiX = Vector256.Create(nx + 0.5f);
        var one = Vector256.Create(1f);
        var bLo = Vector256.Create(bx0); var bHi = Vector256.Create(bx1);
        var iOne = Vector256.Create(1);
        fixed (float* f = smoke)
        {
            for (; done + 8 <= count; done += 8)
            {
                int i = i0 + done;
                // x = i per lane (exact), stepped by the same additions as the scalar ray
                var x = Vector256.Create((float)i) + lane;
                float y = j;
                var depth = Vector256<float>.Zero;
                var alive = Vector256<float>.AllBitsSet;
                for (int n = 0; n < steps; n++)
                {
                    x += vdx; y += dy;
                    if (y < 0.5f || y > ny + 0.5f) break;
                    alive = Vector256.AndNot(alive, Vector256.LessThan(x, lo) | Vector256.GreaterThan(x, hiX));
                    if (alive == Vector256<float>.Zero) break;
                    int cj = (int)y;
                    if (cj + 1 < by0 || cj > by1)
                    {
                        // y moves one way: a ray row past the box and moving away never samples again (the scalar loop's continues)
                        if ((cj + 1 < by0 && dy <= 0f) || (cj > by1 && dy >= 0f)) break;
                        continue;
                    }
                    var ci = Avx.ConvertToVector256Int32WithTruncation(x);
                    // lanes whose four cells lie in the box (and whose ray is still in the grid)
                    var inBox = Vector256.AndNot(alive.AsInt32(), Vector256.LessThan(ci + iOne, bLo) | Vector256.GreaterThan(ci, bHi));
                    if (inBox == Vector256<int>.Zero) continue;
                    float fy = y - cj, gy = 1f - fy;
                    var fx = x - Avx.ConvertToVector256Single(ci);
                    var gx = one - fx;
                    // a lane out of the grid reads a clamped, in-array element and its sample is not added
                    var a = Vector256.Min(Vector256.Max(ci, Vector256<int>.Zero), Vector256.Create(nx)) + Vector256.Create(s * cj);
                    var f00 = Avx2.GatherVector256(f, a, 4);
                    var f10 = Avx2.GatherVector256(f + 1, a, 4);
                    var f01 = Avx2.GatherVector256(f + s, a, 4);
                    var f11 = Avx2.GatherVector256(f + s + 1, a, 4);
                    var top = f00 * gx + f10 * fx;
                    var bottom = f01 * gx + f11 * fx;
                    var sample = top * Vector256.Create(gy) + bottom * Vector256.Create(fy);
                    depth = Vector256.ConditionalSelect(inBox.AsSingle(), depth + sample, depth);
                }
                for (int l = 0; l < 8; l++)
                {
                    float t = 1f + 0.25f * kappa * depth.GetElement(l), t2 = t * t;
                    light[i + l + s * j] = 1f / (t2 * t2);
                }
            }
        }
        return done;
    }

    /// <summary>
    /// One colour of <see cref="FluidCells.RelaxWeighted{TF}"/> on row j of an nx-wide level (the cells i = 1 + ((1 + j +
    /// colour) &amp; 1), i + 2, …, as the smoother's scalar loop), in place, eight cells a step: both colours are computed and
    /// only this colour's lanes are written (the other colour's neighbours are not changed by this colour's updates, so
    /// reading them first is what the scalar loop reads). Returns the first cell i not done (nx + 1 when all were).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int RelaxWeighted(float[] p, float[] b, float[] wx, float[] wy, int j, int nx, int colour)
    {
        if (!Avx2.IsSupported || nx < 8) return 1;
        int s = nx + 2, i = 1;
        // lane l of a block starting at i is cell i + l; this colour's cells have (i + l) ≡ start (mod 2)
        int start = 1 + ((1 + j + colour) & 1);
        var even = Vector256.Create(-1, 0, -1, 0, -1, 0, -1, 0).AsSingle(); // lanes 0, 2, 4, 6
        var odd = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
        var mine = ((start - 1) & 1) == 0 ? even : odd; // blocks start at odd i = 1, 9, …: lane 0 is cell i ≡ 1 (mod 2)
        ref float rp = ref MemoryMarshal.GetArrayDataReference(p);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref float rx = ref MemoryMarshal.GetArrayDataReference(wx);
        ref float ry = ref MemoryMarshal.GetArrayDataReference(wy);
        // the whole row is computed from p before any of it is written (a store read back by the next block's shifted
        // loads would stall store forwarding), then this colour's lanes are written
        int blocks = nx / 8;
        Span<float> row = blocks <= 128 ? stackalloc float[8 * blocks] : new float[8 * blocks];
        ref float rr = ref MemoryMarshal.GetReference(row);
        nuint k0 = (nuint)(1 + s * j), us = (nuint)s;
        for (nuint o = 0; o < (nuint)(8 * blocks); o += 8)
        {
            nuint k = k0 + o;
            var wl = Vector256.LoadUnsafe(ref rx, k - 1);
            var wr = Vector256.LoadUnsafe(ref rx, k);
            var wu = Vector256.LoadUnsafe(ref ry, k - us);
            var wd = Vector256.LoadUnsafe(ref ry, k);
            var d = (wl + wr) + (wu + wd);
            var sum = (wl * Vector256.LoadUnsafe(ref rp, k - 1) + wr * Vector256.LoadUnsafe(ref rp, k + 1))
                    + (wu * Vector256.LoadUnsafe(ref rp, k - us) + wd * Vector256.LoadUnsafe(ref rp, k + us));
            var v = (Vector256.LoadUnsafe(ref rb, k) + sum) / d;
            Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), Vector256<float>.Zero, v).StoreUnsafe(ref rr, o);
        }
        for (nuint o = 0; o < (nuint)(8 * blocks); o += 8)
            Vector256.ConditionalSelect(mine, Vector256.LoadUnsafe(ref rr, o), Vector256.LoadUnsafe(ref rp, k0 + o)).StoreUnsafe(ref rp, k0 + o);
        i = 1 + 8 * blocks;
        return i;
    }

    /// <summary>
    /// <see cref="FluidCells.LaplacianWeighted{TF}"/> of cells 1, 2, … of row j of an nx-wide level into dst[i − 1]; returns
    /// how many cells it did (a multiple of 8), the caller does the rest with the scalar function.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int LaplacianWeighted(float[] p, float[] wx, float[] wy, int j, int nx, Span<float> dst)
    {
        if (!Avx2.IsSupported || nx < 8) return 0;
        int s = nx + 2, blocks = nx / 8;
        ref float rp = ref MemoryMarshal.GetArrayDataReference(p);
        ref float rx = ref MemoryMarshal.GetArrayDataReference(wx);
        ref float ry = ref MemoryMarshal.GetArrayDataReference(wy);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        nuint k0 = (nuint)(1 + s * j), us = (nuint)s;
        for (nuint o = 0; o < (nuint)(8 * blocks); o += 8)
        {
            nuint k = k0 + o;
            var pk = Vector256.LoadUnsafe(ref rp, k);
            var lap = (Vector256.LoadUnsafe(ref rx, k - 1) * (pk - Vector256.LoadUnsafe(ref rp, k - 1)) + Vector256.LoadUnsafe(ref rx, k) * (pk - Vector256.LoadUnsafe(ref rp, k + 1)))
                    + (Vector256.LoadUnsafe(ref ry, k - us) * (pk - Vector256.LoadUnsafe(ref rp, k - us)) + Vector256.LoadUnsafe(ref ry, k) * (pk - Vector256.LoadUnsafe(ref rp, k + us)));
            lap.StoreUnsafe(ref rd, o);
        }
        return 8 * blocks;
    }

    /// <summary>
    /// <see cref="FluidCells.Advect{TF}"/> of cells i0, i0 + 1, … of row j (a field of the given kind) into dst, eight a
    /// step; returns how many cells it did (a multiple of 8, up to count). A block whose departure offsets are not
    /// finite or reach 2^31 cells (the scalar conversion saturates, the vector one does not) is left to the scalar function.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Advect(int kind, float[] dst, float[] q, float[] u, float[] v, int i0, int count, int j, float dt, int nx, int ny)
    {
        if (!Avx2.IsSupported || count < 8) return 0;
        int s = nx + 2, done = 0;
        fixed (float* f = q)
        {
            for (; done + 8 <= count; done += 8)
            {
                int i = i0 + done;
                if (!Departure(u, v, kind, i, j, dt, nx, ny, out var a, out var gx, out var fx, out var gy, out var fy))
                {
                    var hq = new HostField(q); var hu = new HostField(u); var hv = new HostField(v);
                    for (int l = 0; l < 8; l++) dst[i + l + s * j] = FluidCells.Advect(hq, hu, hv, kind, i + l, j, dt, nx, ny);
                    continue;
                }
                var top = Avx2.GatherVector256(f, a, 4) * gx + Avx2.GatherVector256(f + 1, a, 4) * fx;
                var bottom = Avx2.GatherVector256(f + s, a, 4) * gx + Avx2.GatherVector256(f + s + 1, a, 4) * fx;
                (top * gy + bottom * fy).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(dst), (nuint)(i + s * j));
            }
        }
        return done;
    }

    /// <summary><see cref="FluidCells.MacCormack{TF}"/> of cells i0, i0 + 1, … of row j into dst, as <see cref="Advect"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int MacCormack(int kind, float[] dst, float[] phi, float[] hat, float[] tilde, float[] u, float[] v,
        int i0, int count, int j, float dt, int nx, int ny)
    {
        if (!Avx2.IsSupported || count < 8) return 0;
        int s = nx + 2, done = 0;
        var half = Vector256.Create(0.5f);
        fixed (float* f = phi)
        {
            for (; done + 8 <= count; done += 8)
            {
                int i = i0 + done;
                if (!Departure(u, v, kind, i, j, dt, nx, ny, out var a, out _, out _, out _, out _))
                {
                    var hp = new HostField(phi); var hh = new HostField(hat); var ht = new HostField(tilde); var hu = new HostField(u); var hv = new HostField(v);
                    for (int l = 0; l < 8; l++) dst[i + l + s * j] = FluidCells.MacCormack(hp, hh, ht, hu, hv, kind, i + l, j, dt, nx, ny);
                    continue;
                }
                var p0 = Avx2.GatherVector256(f, a, 4); var p1 = Avx2.GatherVector256(f + 1, a, 4);
                var p2 = Avx2.GatherVector256(f + s, a, 4); var p3 = Avx2.GatherVector256(f + s + 1, a, 4);
                var lo = Vector256.Min(Vector256.Min(p0, p1), Vector256.Min(p2, p3));
                var hi = Vector256.Max(Vector256.Max(p0, p1), Vector256.Max(p2, p3));
                nuint k = (nuint)(i + s * j);
                var x = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(hat), k)
                      + half * (Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(phi), k) - Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(tilde), k));
                // Clamp(x, lo, hi) = x < lo ? lo : (x > hi ? hi : x)
                Vector256.ConditionalSelect(Vector256.LessThan(x, lo), lo, Vector256.ConditionalSelect(Vector256.GreaterThan(x, hi), hi, x))
                    .StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(dst), k);
            }
        }
        return done;
    }

    /// <summary>
    /// <see cref="FluidCells.Departure{TF}"/> of cells i … i + 7 of row j; false when an offset is not finite or reaches
    /// 2^31 cells in some lane (then the caller uses the scalar function for the block).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Departure(float[] u, float[] v, int kind, int i, int j, float dt, int nx, int ny,
        out Vector256<int> a, out Vector256<float> gx, out Vector256<float> fx, out Vector256<float> gy, out Vector256<float> fy)
    {
        int s = nx + 2;
        nuint k = (nuint)(i + s * j), us = (nuint)s;
        ref float ru = ref MemoryMarshal.GetArrayDataReference(u);
        ref float rv = ref MemoryMarshal.GetArrayDataReference(v);
        Vector256<float> uu, vv;
        if (kind == FluidCells.U)
        {
            uu = Vector256.LoadUnsafe(ref ru, k);
            vv = Vector256.Create(0.25f) * ((Vector256.LoadUnsafe(ref rv, k) + Vector256.LoadUnsafe(ref rv, k + 1))
                                          + (Vector256.LoadUnsafe(ref rv, k - us) + Vector256.LoadUnsafe(ref rv, k + 1 - us)));
        }
        else if (kind == FluidCells.V)
        {
            vv = Vector256.LoadUnsafe(ref rv, k);
            uu = Vector256.Create(0.25f) * ((Vector256.LoadUnsafe(ref ru, k - 1) + Vector256.LoadUnsafe(ref ru, k))
                                          + (Vector256.LoadUnsafe(ref ru, k - 1 + us) + Vector256.LoadUnsafe(ref ru, k + us)));
        }
        else
        {
            uu = Vector256.Create(0.5f) * (Vector256.LoadUnsafe(ref ru, k - 1) + Vector256.LoadUnsafe(ref ru, k));
            vv = Vector256.Create(0.5f) * (Vector256.LoadUnsafe(ref rv, k - us) + Vector256.LoadUnsafe(ref rv, k));
        }
        var ndt = Vector256.Create(-dt);
        var dx = ndt * uu; var dy = ndt * vv;
        var limit = Vector256.Create(2147483648f);
        // |d| < 2^31 is false for NaN too
        if (!Vector256.LessThanAll(Vector256.Abs(dx), limit) || !Vector256.LessThanAll(Vector256.Abs(dy), limit))
        {
            a = default; gx = fx = gy = fy = default;
            return false;
        }
        var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Split(Vector256.Create(i) + lane, dx, nx, kind == FluidCells.U ? 0f : 0.5f, out var ai, out gx, out fx);
        Split(Vector256.Create(j), dy, ny, kind == FluidCells.V ? 0f : 0.5f, out var aj, out gy, out fy);
        a = ai + Vector256.Create(s) * aj;
        return true;
    }

    /// <summary>FluidCells.Split with lo = 0, loF = hiF = edge, lane by lane (the same operations and choices).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Split(Vector256<int> index, Vector256<float> d, int hi, float edge, out Vector256<int> at, out Vector256<float> w0, out Vector256<float> w1)
    {
        var zero = Vector256<float>.Zero;
        var one = Vector256.Create(1f);
        var ad = Vector256.ConditionalSelect(Vector256.LessThan(d, zero), -d, d);
        var fl = Avx.ConvertToVector256Int32WithTruncation(ad);
        var r = ad - Avx.ConvertToVector256Single(fl);
        var pos = Vector256.GreaterThanOrEqual(d, zero);
        var direct = pos | Vector256.Equals(r, zero);
        at = Vector256.ConditionalSelect(direct.AsInt32(), index + Vector256.ConditionalSelect(pos.AsInt32(), fl, -fl), index - fl - Vector256.Create(1));
        w0 = Vector256.ConditionalSelect(direct, one - r, r);
        w1 = Vector256.ConditionalSelect(direct, r, one - r);
        var e = Vector256.Create(edge);
        var low = Vector256.LessThan(at, Vector256<int>.Zero) | (Vector256.Equals(at, Vector256<int>.Zero) & Vector256.LessThan(w1, e).AsInt32());
        at = Vector256.ConditionalSelect(low, Vector256<int>.Zero, at);
        w0 = Vector256.ConditionalSelect(low.AsSingle(), Vector256.Create(1f - edge), w0);
        w1 = Vector256.ConditionalSelect(low.AsSingle(), e, w1);
        var h = Vector256.Create(hi);
        var high = Vector256.GreaterThan(at, h) | (Vector256.Equals(at, h) & Vector256.GreaterThan(w1, e).AsInt32());
        at = Vector256.ConditionalSelect(high, h, at);
        w0 = Vector256.ConditionalSelect(high.AsSingle(), Vector256.Create(1f - edge), w0);
        w1 = Vector256.ConditionalSelect(high.AsSingle(), e, w1);
    }
}
