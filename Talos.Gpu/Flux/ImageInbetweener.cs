using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Flux;

/// <summary>
/// Image-space inbetweens of two drawn keys. Flow is computed both ways; a pixel whose forward and backward flows
/// do not cancel is occluded (it has no partner in the other key). For time t, both flows are splatted to t — each
/// source pixel carries its motion to where it will be, weighted by its consistency and, on line art, by its ink so
/// the lines win at motion boundaries — holes are filled push–pull, and each output pixel then samples key A back
/// along the motion and key B forward. The two samples are blended by time and visibility; where they still
/// disagree (a line present in one warp and not the other), the more trusted warp alone is taken instead of the
/// average, so a line is never drawn twice at half strength.
/// Its flows, occlusion masks and the frames it returns are planes from <see cref="FramePool"/>: <see cref="Dispose"/>
/// gives the flows and masks back (an inbetweener never disposed is simply collected), and a caller done with a
/// returned frame may give it back too.
/// </summary>
public sealed class ImageInbetweener : IDisposable
{
    readonly int w, h;
    readonly float[][] a, b;
    readonly bool ink;
    readonly float[] occA, occB;
    bool disposed;

    public FlowField Forward { get; }
    public FlowField Backward { get; }

    ImageInbetweener(int width, int height, float[][] planesA, float[][] planesB, bool inkMode, FlowField forward, FlowField backward)
    {
        w = width; h = height; a = planesA; b = planesB; ink = inkMode;
        Forward = forward; Backward = backward;
        (occA, occB) = Occlusions(forward, backward);
    }

    public static ImageInbetweener FromInk(GrayImage keyA, GrayImage keyB, FlowOptions? options = null)
    {
        CheckSizes(keyA.Width, keyA.Height, keyB.Width, keyB.Height);
        var (fa, fb) = (FlowFeatures.FromInk(keyA), FlowFeatures.FromInk(keyB));
        var o = options ?? FlowOptions.For(keyA.Width, keyA.Height);
        var (forward, backward) = Flows(fa, fb, o);
        return new(keyA.Width, keyA.Height, [keyA.Data], [keyB.Data], true, forward, backward);
    }

    public static ImageInbetweener FromRgba(RgbaImage keyA, RgbaImage keyB, FlowOptions? options = null)
    {
        CheckSizes(keyA.Width, keyA.Height, keyB.Width, keyB.Height);
        var (fa, fb) = (FlowFeatures.FromRgba(keyA), FlowFeatures.FromRgba(keyB));
        var o = options ?? FlowOptions.For(keyA.Width, keyA.Height);
        var (forward, backward) = Flows(fa, fb, o);
        return new(keyA.Width, keyA.Height, [keyA.R, keyA.G, keyA.B, keyA.A], [keyB.R, keyB.G, keyB.B, keyB.A], false, forward, backward);
    }

    /// <summary>Both flows; the features, read by nothing after, go back to <see cref="FramePool"/> for the next pair's.</summary>
    static (FlowField Forward, FlowField Backward) Flows(FlowFeatures fa, FlowFeatures fb, FlowOptions o)
    {
        try { return OpticalFlow.ComputePair(fa, fb, o); }
        finally { fa.Release(); fb.Release(); }
    }

    /// <summary>
    /// Gives the flows' and occlusion masks' planes back to <see cref="FramePool"/>: <see cref="Forward"/>,
    /// <see cref="Backward"/> and <see cref="OcclusionA"/> must not be read afterwards, nor further inbetweens asked for.
    /// Frames already returned by <see cref="InkAt"/>/<see cref="RgbaAt"/> are the caller's and stay valid.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        FramePool.Return(occA); FramePool.Return(occB);
        FramePool.Return(Forward.U); FramePool.Return(Forward.V);
        FramePool.Return(Backward.U); FramePool.Return(Backward.V);
    }

    static void CheckSizes(int wa, int ha, int wb, int hb)
    {
        if (wa != wb || ha != hb) throw new ArgumentException($"keys differ in size: {wa}x{ha} vs {wb}x{hb}");
    }

    /// <summary>The soft occlusion mask of the first image: 0 where the flows agree, 1 where the round trip misses.</summary>
    public IReadOnlyList<float> OcclusionA => occA;

    /// <summary>
    /// The occlusion masks of both images at once (each pixel's round trip f then g, and g then f): 0 where the flows
    /// agree, 1 where the round trip misses.
    /// </summary>
    static (float[] A, float[] B) Occlusions(FlowField f, FlowField g)
    {
        int w = f.Width, h = f.Height;
        var occA = FramePool.RentPlane(w * h); // every value written below
        var occB = FramePool.RentPlane(w * h);
        Parallel.For(0, h, y =>
        {
            Row(f, g, occA, y);
            Row(g, f, occB, y);
        });
        return (occA, occB);

        void Row(FlowField f, FlowField g, float[] occ, int y)
        {
            HostField gU = new(g.U), gV = new(g.V);
            int x = 0;
            if (Avx2.IsSupported) x = OcclusionRuns(f, g, occ, y);
            for (; x < w; x++)
            {
                int i = y * w + x;
                float px = x + f.U[i], py = y + f.V[i];
                if (px < 0 || py < 0 || px > w - 1 || py > h - 1) { occ[i] = 1; continue; }
                var at = FlowCells.Tap(w, h, px, py);
                float gu = FlowCells.Sample(gU, 0, at), gv = FlowCells.Sample(gV, 0, at);
                float du = f.U[i] + gu, dv = f.V[i] + gv;
                float err = du * du + dv * dv;
                float thr = 0.01f * (f.U[i] * f.U[i] + f.V[i] * f.V[i] + gu * gu + gv * gv) + 0.75f;
                occ[i] = Math.Clamp((err - thr) / (2 * thr), 0f, 1f);
            }
        }
    }

    /// <summary>
    /// <see cref="Occlusions"/>' row y in runs of 8 pixels with AVX2 gathers (<see cref="FlowGather"/>: per lane the scalar
    /// loop's operations in the same order, so the same bits); returns the first x left to the scalar loop.
    /// </summary>
    static unsafe int OcclusionRuns(FlowField f, FlowField g, float[] occ, int y)
    {
        int w = f.Width, h = f.Height, x = 0;
        var zero = Vector256<float>.Zero;
        var one = Vector256.Create(1f);
        var yy = Vector256.Create((float)y);
        fixed (float* fu = f.U, fv = f.V, gu = g.U, gv = g.V, o = occ)
            for (; x + 8 <= w; x += 8)
            {
                int i = y * w + x;
                var uu = Avx.LoadVector256(fu + i);
                var vv = Avx.LoadVector256(fv + i);
                var px = FlowGather.Xs(x) + uu;
                var py = yy + vv;
                var at = FlowGather.Tap(w, h, px, py);
                var su = FlowGather.Sample(gu, at);
                var sv = FlowGather.Sample(gv, at);
                var du = uu + su;
                var dv = vv + sv;
                var err = du * du + dv * dv;
                var thr = Vector256.Create(0.01f) * (uu * uu + vv * vv + su * su + sv * sv) + Vector256.Create(0.75f);
                var m = Vector256.Min(Vector256.Max((err - thr) / (Vector256.Create(2f) * thr), zero), one);
                Avx.Store(o + i, Vector256.ConditionalSelect(FlowGather.Inside(px, py, w, h), m, one));
            }
        return x;
    }

    public GrayImage InkAt(double t)
    {
        if (!ink) throw new InvalidOperationException("this inbetweener was made from colour frames");
        ObjectDisposedException.ThrowIf(disposed, this);
        var img = FramePool.RentGray(w, h); // every value written by At
        At(t, [img.Data]);
        return img;
    }

    public RgbaImage RgbaAt(double t)
    {
        if (ink) throw new InvalidOperationException("this inbetweener was made from ink drawings");
        ObjectDisposedException.ThrowIf(disposed, this);
        var img = FramePool.Rent(w, h); // every value written by At
        At(t, [img.R, img.G, img.B, img.A]);
        return img;
    }

    /// <summary>The inbetween at <paramref name="time"/> into <paramref name="outPlanes"/> (one per key plane, each w·h).</summary>
    void At(double time, float[][] outPlanes)
    {
        float t = (float)Math.Clamp(time, 0, 1);
        int n = w * h;
        if (t == 0 || t == 1)
        {
            for (int c = 0; c < a.Length; c++) Array.Copy(t == 0 ? a[c] : b[c], outPlanes[c], n);
            return;
        }
        var pool = ArrayPool<float>.Shared;
        float[] su = pool.Rent(n), sv = pool.Rent(n), sw = pool.Rent(n), zw = pool.Rent(n), fu = pool.Rent(n), fv = pool.Rent(n);
        try
        {
            Parallel.For(0, 4, k => Array.Clear(k switch { 0 => su, 1 => sv, 2 => sw, _ => zw }, 0, n));
            // 1. Splat the motion (as flow A→B) to time t, each target pixel's terms in a fixed order (deterministic).
            //    Pixels the flow holds still (exactly zero: paper that OpticalFlow's patch test found static) are splatted
            //    apart from the rest: what moves passes in front of the paper, so where moving pixels land their motion is
            //    taken alone, not averaged with the zero of the paper beneath; still paper counts where moving pixels barely land.
            //    Flows with no held-still pixels (line art on blank paper) splat exactly as one layer.
            Splat(t, su, sv, sw, zw);
            PushPull(su, sv, sw, w, h, fu, fv);
            Warp(t, sw, zw, fu, fv, outPlanes);
        }
        finally
        {
            pool.Return(su); pool.Return(sv); pool.Return(sw); pool.Return(zw); pool.Return(fu); pool.Return(fv);
        }
    }

    /// <summary>
    /// 2. Sample both keys along the motion (fu, fv), blend by time and visibility; where they disagree take the trusted one.
    /// Where moving pixels land with weight (Covered or more) their motion is taken alone; where they barely land
    /// (or not at all) and held-still paper does, the pixel holds still if the paper's weight, fading in as theirs
    /// falls, is the greater. The motion is the moving layer's (holes filled push–pull from moving pixels only) or
    /// exactly zero, never a blend: a fraction of the figure's motion moves paper part way and samples the figure's
    /// ink in both keys. Where neither layer lands the moving fill is taken: zero motion there would sample both
    /// keys at a place their figures cover (paper hidden in A and in B, between the two outlines).
    /// </summary>
    void Warp(float t, float[] sw, float[] zw, float[] fu, float[] fv, float[][] outPlanes)
    {
        int planes = a.Length;
        Parallel.For(0, h, y =>
        {
            Span<float> s0 = stackalloc float[planes], s1 = stackalloc float[planes];
            HostField oA = new(occA), oB = new(occB);
            int x = 0;
            if (Avx2.IsSupported) x = WarpRuns(t, y, sw, zw, fu, fv, outPlanes);
            for (; x < w; x++)
            {
                int i = y * w + x;
                float mu = fu[i], mv = fv[i];
                if (zw[i] * (1f - Math.Min(1f, sw[i] / Covered)) > sw[i]) { mu = 0; mv = 0; }
                float x0 = x - t * mu, y0 = y - t * mv, x1 = x + (1 - t) * mu, y1 = y + (1 - t) * mv;
                var at0 = FlowCells.Tap(w, h, x0, y0);
                var at1 = FlowCells.Tap(w, h, x1, y1);
                for (int c = 0; c < planes; c++)
                {
                    s0[c] = FlowCells.Sample(new HostField(a[c]), 0, at0);
                    s1[c] = FlowCells.Sample(new HostField(b[c]), 0, at1);
                }
                float oa = FlowCells.Sample(oA, 0, at0), ob = FlowCells.Sample(oB, 0, at1);
                float w0 = (1 - t) * (1 - ob) + 1e-4f, w1 = t * (1 - oa) + 1e-4f;
                if (x0 < 0 || y0 < 0 || x0 > w - 1 || y0 > h - 1) w0 *= 1e-3f;
                if (x1 < 0 || y1 < 0 || x1 > w - 1 || y1 > h - 1) w1 *= 1e-3f;
                float k = w1 / (w0 + w1);
                float disagree = 0;
                for (int c = 0; c < planes; c++) disagree = MathF.Max(disagree, MathF.Abs(s0[c] - s1[c]));
                // 0 below 0.15 of difference, 1 above 0.45: there the nearer-trusted key is taken alone.
                float m = Math.Clamp((disagree - 0.15f) / 0.3f, 0f, 1f);
                float pick = w1 > w0 * (t <= 0.5f ? 1.0001f : 0.9999f) ? 1f : 0f;
                float mix = k + m * (pick - k);
                for (int c = 0; c < planes; c++) outPlanes[c][i] = s0[c] + mix * (s1[c] - s0[c]);
            }
        });
    }

    /// <summary>Moving pixels' splat weight (<see cref="Warp"/>) from which their motion is taken alone.</summary>
    const float Covered = 0.05f;

    /// <summary>
    /// <see cref="Warp"/>'s row y in runs of 8 pixels with AVX2 gathers (<see cref="FlowGather"/>: per lane the scalar
    /// loop's operations in the same order, so the same bits); returns the first x left to the scalar loop.
    /// </summary>
    unsafe int WarpRuns(float t, int y, float[] sw, float[] zw, float[] fu, float[] fv, float[][] outPlanes)
    {
        int planes = a.Length, x = 0;
        Span<Vector256<float>> s0 = stackalloc Vector256<float>[planes], s1 = stackalloc Vector256<float>[planes];
        var zero = Vector256<float>.Zero;
        var one = Vector256.Create(1f);
        var tv = Vector256.Create(t);
        var rest = Vector256.Create(1 - t);
        var yy = Vector256.Create((float)y);
        var eps = Vector256.Create(1e-4f);
        var far = Vector256.Create(1e-3f);
        var bias = Vector256.Create(t <= 0.5f ? 1.0001f : 0.9999f);
        fixed (float* pu = fu, pv = fv, psw = sw, pzw = zw, oa = occA, ob = occB)
            for (; x + 8 <= w; x += 8)
            {
                int i = y * w + x;
                var mu = Avx.LoadVector256(pu + i);
                var mv = Avx.LoadVector256(pv + i);
                var sWt = Avx.LoadVector256(psw + i);
                var still = Vector256.GreaterThan(Avx.LoadVector256(pzw + i) * (one - Vector256.Min(one, sWt / Vector256.Create(Covered))), sWt);
                mu = Vector256.ConditionalSelect(still, zero, mu);
                mv = Vector256.ConditionalSelect(still, zero, mv);
                var xs = FlowGather.Xs(x);
                Vector256<float> x0 = xs - tv * mu, y0 = yy - tv * mv, x1 = xs + rest * mu, y1 = yy + rest * mv;
                var at0 = FlowGather.Tap(w, h, x0, y0);
                var at1 = FlowGather.Tap(w, h, x1, y1);
                for (int c = 0; c < planes; c++)
                    fixed (float* pa = a[c], pb = b[c])
                    {
                        s0[c] = FlowGather.Sample(pa, at0);
                        s1[c] = FlowGather.Sample(pb, at1);
                    }
                Vector256<float> sa = FlowGather.Sample(oa, at0), sb = FlowGather.Sample(ob, at1);
                Vector256<float> w0 = rest * (one - sb) + eps, w1 = tv * (one - sa) + eps;
                w0 = Vector256.ConditionalSelect(FlowGather.Inside(x0, y0, w, h), w0, w0 * far);
                w1 = Vector256.ConditionalSelect(FlowGather.Inside(x1, y1, w, h), w1, w1 * far);
                var k = w1 / (w0 + w1);
                var disagree = zero;
                for (int c = 0; c < planes; c++) disagree = Vector256.Max(disagree, Vector256.Abs(s0[c] - s1[c]));
                var m = Vector256.Min(Vector256.Max((disagree - Vector256.Create(0.15f)) / Vector256.Create(0.3f), zero), one);
                var pick = Vector256.ConditionalSelect(Vector256.GreaterThan(w1, w0 * bias), one, zero);
                var mix = k + m * (pick - k);
                for (int c = 0; c < planes; c++)
                    fixed (float* po = outPlanes[c]) Avx.Store(po + i, s0[c] + mix * (s1[c] - s0[c]));
            }
        return x;
    }

    /// <summary>
    /// Splats both flows' motion to time t (A→B's to t, B→A's, negated, to 1 − t): moving pixels into (su, sv, sw), the
    /// weight of held-still ones (motion exactly zero) into zw. In parallel bands of target rows: each band visits, in
    /// index order, the source rows whose motion can reach it (all of A→B's, then all of B→A's) and adds only what lands
    /// in its rows, so every target pixel sums its terms in the order of one sequential pass over both flows.
    /// </summary>
    void Splat(float t, float[] su, float[] sv, float[] sw, float[] zw)
    {
        // per source row, the least and greatest vertical motion of each flow (which target rows the row can reach)
        var lo = new float[2 * h];
        var hi = new float[2 * h];
        Parallel.For(0, 2 * h, k =>
        {
            var f = k < h ? Forward.V : Backward.V;
            float mn = float.MaxValue, mx = float.MinValue;
            for (int i = (k % h) * w, end = i + w; i < end; i++) { mn = MathF.Min(mn, f[i]); mx = MathF.Max(mx, f[i]); }
            lo[k] = mn; hi[k] = mx;
        });
        int bands = Math.Max(1, Math.Min(h, Environment.ProcessorCount));
        Parallel.For(0, bands, band =>
        {
            int r0 = (int)((long)h * band / bands), r1 = (int)((long)h * (band + 1) / bands);
            Band(Forward, occA, a[0], t, 1f, 0, r0, r1);
            Band(Backward, occB, b[0], 1 - t, -1f, h, r0, r1);
        });

        void Band(FlowField f, float[] occ, float[] inkPlane, float s, float sign, int rows, int r0, int r1)
        {
            for (int y = 0; y < h; y++)
            {
                // a pixel of this row lands on rows floor(ty) and floor(ty) + 1, with ty between these (2 rows of margin)
                if (y + s * hi[rows + y] < r0 - 2 || y + s * lo[rows + y] > r1 + 2) continue;
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    float tx = x + s * f.U[i], ty = y + s * f.V[i];
                    if (tx < 0 || ty < 0 || tx > w - 1 || ty > h - 1) continue;
                    int ix = Math.Min((int)tx, w - 2 < 0 ? 0 : w - 2), iy = Math.Min((int)ty, h - 2 < 0 ? 0 : h - 2);
                    bool top = iy >= r0 && iy < r1, bottom = iy + 1 < h && iy + 1 >= r0 && iy + 1 < r1;
                    if (!top && !bottom) continue;
                    float conf = (1f - 0.98f * occ[i]) * (ink ? 0.1f + Math.Clamp(inkPlane[i], 0f, 1f) : 1f);
                    bool still = f.U[i] == 0 && f.V[i] == 0;
                    float fx = tx - ix, fy = ty - iy;
                    float mu = sign * f.U[i], mv = sign * f.V[i];
                    if (top)
                    {
                        Add(iy * w + ix, (1 - fx) * (1 - fy) * conf);
                        if (ix + 1 < w) Add(iy * w + ix + 1, fx * (1 - fy) * conf);
                    }
                    if (bottom)
                    {
                        Add((iy + 1) * w + ix, (1 - fx) * fy * conf);
                        if (ix + 1 < w) Add((iy + 1) * w + ix + 1, fx * fy * conf);
                    }

                    void Add(int j, float wt)
                    {
                        if (still) { zw[j] += wt; return; }
                        su[j] += wt * mu; sv[j] += wt * mv; sw[j] += wt;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Weighted sums to values (into u, v: at least w·h each), holes (no weight) filled from ever coarser averages.
    /// Coarse rows are summed in parallel, each coarse pixel's four terms in the same order as a row-major scan.
    /// </summary>
    static void PushPull(float[] su, float[] sv, float[] sw, int w, int h, float[] u, float[] v)
    {
        const float Full = 0.05f;
        int n = w * h;
        if (w <= 1 || h <= 1)
        {
            for (int i = 0; i < n; i++)
                if (sw[i] > 0) { u[i] = su[i] / sw[i]; v[i] = sv[i] / sw[i]; }
                else { u[i] = 0; v[i] = 0; }
            return;
        }
        int w2 = (w + 1) / 2, h2 = (h + 1) / 2, n2 = w2 * h2;
        var pool = ArrayPool<float>.Shared;
        float[] cu = pool.Rent(n2), cv = pool.Rent(n2), cw = pool.Rent(n2), pu = pool.Rent(n2), pv = pool.Rent(n2);
        try
        {
            int holes = 0;
            Parallel.For(0, h2, yc =>
            {
                int c0 = yc * w2;
                Array.Clear(cu, c0, w2); Array.Clear(cv, c0, w2); Array.Clear(cw, c0, w2);
                bool hole = false;
                for (int y = 2 * yc; y < Math.Min(h, 2 * yc + 2); y++)
                    for (int x = 0, i = y * w; x < w; x++, i++)
                    {
                        int j = c0 + x / 2;
                        cu[j] += su[i]; cv[j] += sv[i]; cw[j] += sw[i];
                        hole |= sw[i] < Full;
                    }
                if (hole) Volatile.Write(ref holes, 1);
            });
            bool anyHole = holes != 0;
            if (anyHole) PushPull(cu, cv, cw, w2, h2, pu, pv);
            Parallel.For(0, h, y =>
            {
                for (int x = 0, i = y * w; x < w; x++, i++)
                {
                    float own = sw[i] > 0 ? 1 : 0;
                    float mu = own > 0 ? su[i] / sw[i] : 0, mv = own > 0 ? sv[i] / sw[i] : 0;
                    if (sw[i] >= Full || !anyHole) { u[i] = mu; v[i] = mv; continue; }
                    float k = sw[i] / Full;
                    int j = (y / 2) * w2 + x / 2;
                    u[i] = k * mu + (1 - k) * pu[j]; v[i] = k * mv + (1 - k) * pv[j];
                }
            });
        }
        finally
        {
            pool.Return(cu); pool.Return(cv); pool.Return(cw); pool.Return(pu); pool.Return(pv);
        }
    }
}
