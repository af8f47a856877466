using Talos.Gpu.Imaging;

namespace Talos.Gpu.Flux;

/// <summary>
/// Image-space inbetweens of two drawn keys. Flow is computed both ways; a pixel whose forward and backward flows
/// do not cancel is occluded (it has no partner in the other key). For time t, both flows are splatted to t — each
/// source pixel carries its motion to where it will be, weighted by its consistency and, on line art, by its ink so
/// the lines win at motion boundaries — holes are filled push–pull, and each output pixel then samples key A back
/// along the motion and key B forward. The two samples are blended by time and visibility; where they still
/// disagree (a line present in one warp and not the other), the more trusted warp alone is taken instead of the
/// average, so a line is never drawn twice at half strength.
/// </summary>
public sealed class ImageInbetweener
{
    readonly int w, h;
    readonly float[][] a, b;
    readonly bool ink;
    readonly float[] occA, occB;

    public FlowField Forward { get; }
    public FlowField Backward { get; }

    ImageInbetweener(int width, int height, float[][] planesA, float[][] planesB, bool inkMode, FlowField forward, FlowField backward)
    {
        w = width; h = height; a = planesA; b = planesB; ink = inkMode;
        Forward = forward; Backward = backward;
        occA = Occlusion(forward, backward);
        occB = Occlusion(backward, forward);
    }

    public static ImageInbetweener FromInk(GrayImage keyA, GrayImage keyB, FlowOptions? options = null)
    {
        CheckSizes(keyA.Width, keyA.Height, keyB.Width, keyB.Height);
        var (fa, fb) = (FlowFeatures.FromInk(keyA), FlowFeatures.FromInk(keyB));
        var o = options ?? FlowOptions.For(keyA.Width, keyA.Height);
        var (forward, backward) = OpticalFlow.ComputePair(fa, fb, o);
        return new(keyA.Width, keyA.Height, [keyA.Data], [keyB.Data], true, forward, backward);
    }

    public static ImageInbetweener FromRgba(RgbaImage keyA, RgbaImage keyB, FlowOptions? options = null)
    {
        CheckSizes(keyA.Width, keyA.Height, keyB.Width, keyB.Height);
        var (fa, fb) = (FlowFeatures.FromRgba(keyA), FlowFeatures.FromRgba(keyB));
        var o = options ?? FlowOptions.For(keyA.Width, keyA.Height);
        var (forward, backward) = OpticalFlow.ComputePair(fa, fb, o);
        return new(keyA.Width, keyA.Height, [keyA.R, keyA.G, keyA.B, keyA.A], [keyB.R, keyB.G, keyB.B, keyB.A], false, forward, backward);
    }

    static void CheckSizes(int wa, int ha, int wb, int hb)
    {
        if (wa != wb || ha != hb) throw new ArgumentException($"keys differ in size: {wa}x{ha} vs {wb}x{hb}");
    }

    /// <summary>The soft occlusion mask of the first image: 0 where the flows agree, 1 where the round trip misses.</summary>
    public IReadOnlyList<float> OcclusionA => occA;

    static float[] Occlusion(FlowField f, FlowField g)
    {
        int w = f.Width, h = f.Height;
        var occ = new float[w * h];
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float px = x + f.U[i], py = y + f.V[i];
                if (px < 0 || py < 0 || px > w - 1 || py > h - 1) { occ[i] = 1; continue; }
                float gu = OpticalFlow.Bilinear(g.U, w, h, px, py), gv = OpticalFlow.Bilinear(g.V, w, h, px, py);
                float du = f.U[i] + gu, dv = f.V[i] + gv;
                float err = du * du + dv * dv;
                float thr = 0.01f * (f.U[i] * f.U[i] + f.V[i] * f.V[i] + gu * gu + gv * gv) + 0.75f;
                occ[i] = Math.Clamp((err - thr) / (2 * thr), 0f, 1f);
            }
        });
        return occ;
    }

    public GrayImage InkAt(double t)
    {
        if (!ink) throw new InvalidOperationException("this inbetweener was made from colour frames");
        var planes = At(t);
        var img = new GrayImage(w, h);
        planes[0].CopyTo(img.Data, 0);
        return img;
    }

    public RgbaImage RgbaAt(double t)
    {
        if (ink) throw new InvalidOperationException("this inbetweener was made from ink drawings");
        var planes = At(t);
        var img = new RgbaImage(w, h);
        planes[0].CopyTo(img.R, 0); planes[1].CopyTo(img.G, 0); planes[2].CopyTo(img.B, 0); planes[3].CopyTo(img.A, 0);
        return img;
    }

    float[][] At(double time)
    {
        float t = (float)Math.Clamp(time, 0, 1);
        int n = w * h;
        if (t == 0) return a.Select(p => (float[])p.Clone()).ToArray();
        if (t == 1) return b.Select(p => (float[])p.Clone()).ToArray();

        // 1. Splat the motion (as flow A→B) to time t, sequentially so the sums are deterministic.
        //    Pixels the flow holds still (exactly zero: paper that OpticalFlow's patch test found static) are splatted
        //    apart from the rest: what moves passes in front of the paper, so where moving pixels land their motion is
        //    taken alone, not averaged with the zero of the paper beneath; still paper counts where moving pixels barely land.
        //    Flows with no held-still pixels (line art on blank paper) splat exactly as one layer.
        var su = new float[n]; var sv = new float[n]; var sw = new float[n];
        var zw = new float[n];
        Splat(Forward, occA, a[0], t, 1f, su, sv, sw, zw);
        Splat(Backward, occB, b[0], 1 - t, -1f, su, sv, sw, zw);
        // Where moving pixels land with weight (Covered or more) their motion is taken alone; where they barely land
        // (or not at all) and held-still paper does, the pixel holds still if the paper's weight, fading in as theirs
        // falls, is the greater. The motion is the moving layer's (holes filled push–pull from moving pixels only) or
        // exactly zero, never a blend: a fraction of the figure's motion moves paper part way and samples the figure's
        // ink in both keys. Where neither layer lands the moving fill is taken: zero motion there would sample both
        // keys at a place their figures cover (paper hidden in A and in B, between the two outlines).
        const float Covered = 0.05f;
        var (fu, fv) = PushPull(su, sv, sw, w, h);
        for (int i = 0; i < n; i++)
            if (zw[i] * (1f - Math.Min(1f, sw[i] / Covered)) > sw[i]) { fu[i] = 0; fv[i] = 0; }

        // 2. Sample both keys along the motion, blend by time and visibility; where they disagree take the trusted one.
        var outPlanes = new float[a.Length][];
        for (int c = 0; c < a.Length; c++) outPlanes[c] = new float[n];
        Parallel.For(0, h, y =>
        {
            Span<float> s0 = stackalloc float[a.Length], s1 = stackalloc float[a.Length];
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float x0 = x - t * fu[i], y0 = y - t * fv[i], x1 = x + (1 - t) * fu[i], y1 = y + (1 - t) * fv[i];
                for (int c = 0; c < a.Length; c++)
                {
                    s0[c] = OpticalFlow.Bilinear(a[c], w, h, x0, y0);
                    s1[c] = OpticalFlow.Bilinear(b[c], w, h, x1, y1);
                }
                float oa = OpticalFlow.Bilinear(occA, w, h, x0, y0), ob = OpticalFlow.Bilinear(occB, w, h, x1, y1);
                float w0 = (1 - t) * (1 - ob) + 1e-4f, w1 = t * (1 - oa) + 1e-4f;
                if (x0 < 0 || y0 < 0 || x0 > w - 1 || y0 > h - 1) w0 *= 1e-3f;
                if (x1 < 0 || y1 < 0 || x1 > w - 1 || y1 > h - 1) w1 *= 1e-3f;
                float k = w1 / (w0 + w1);
                float disagree = 0;
                for (int c = 0; c < a.Length; c++) disagree = MathF.Max(disagree, MathF.Abs(s0[c] - s1[c]));
                // 0 below 0.15 of difference, 1 above 0.45: there the nearer-trusted key is taken alone.
                float m = Math.Clamp((disagree - 0.15f) / 0.3f, 0f, 1f);
                float pick = w1 > w0 * (t <= 0.5f ? 1.0001f : 0.9999f) ? 1f : 0f;
                float mix = k + m * (pick - k);
                for (int c = 0; c < a.Length; c++) outPlanes[c][i] = s0[c] + mix * (s1[c] - s0[c]);
            }
        });
        return outPlanes;
    }

    /// <summary>Splats a flow's motion to time s: moving pixels into (su, sv, sw), the weight of held-still ones (motion exactly zero) into zw.</summary>
    void Splat(FlowField f, float[] occ, float[] inkPlane, float s, float sign, float[] su, float[] sv, float[] sw, float[] zw)
    {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float tx = x + s * f.U[i], ty = y + s * f.V[i];
                if (tx < 0 || ty < 0 || tx > w - 1 || ty > h - 1) continue;
                float conf = (1f - 0.98f * occ[i]) * (ink ? 0.1f + Math.Clamp(inkPlane[i], 0f, 1f) : 1f);
                bool still = f.U[i] == 0 && f.V[i] == 0;
                int ix = Math.Min((int)tx, w - 2 < 0 ? 0 : w - 2), iy = Math.Min((int)ty, h - 2 < 0 ? 0 : h - 2);
                float fx = tx - ix, fy = ty - iy;
                float mu = sign * f.U[i], mv = sign * f.V[i];
                Add(iy * w + ix, (1 - fx) * (1 - fy) * conf);
                if (ix + 1 < w) Add(iy * w + ix + 1, fx * (1 - fy) * conf);
                if (iy + 1 < h) Add((iy + 1) * w + ix, (1 - fx) * fy * conf);
                if (ix + 1 < w && iy + 1 < h) Add((iy + 1) * w + ix + 1, fx * fy * conf);

                void Add(int j, float wt)
                {
                    if (still) { zw[j] += wt; return; }
                    su[j] += wt * mu; sv[j] += wt * mv; sw[j] += wt;
                }
            }
    }

    /// <summary>Weighted sums to values, holes (no weight) filled from ever coarser averages.</summary>
    static (float[] U, float[] V) PushPull(float[] su, float[] sv, float[] sw, int w, int h)
    {
        const float Full = 0.05f;
        int n = w * h;
        var u = new float[n]; var v = new float[n];
        if (w <= 1 || h <= 1)
        {
            for (int i = 0; i < n; i++) if (sw[i] > 0) { u[i] = su[i] / sw[i]; v[i] = sv[i] / sw[i]; }
            return (u, v);
        }
        int w2 = (w + 1) / 2, h2 = (h + 1) / 2;
        float[] cu = new float[w2 * h2], cv = new float[w2 * h2], cw = new float[w2 * h2];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, j = (y / 2) * w2 + x / 2;
                cu[j] += su[i]; cv[j] += sv[i]; cw[j] += sw[i];
            }
        bool anyHole = false;
        for (int i = 0; i < n && !anyHole; i++) anyHole = sw[i] < Full;
        float[]? pu = null, pv = null;
        if (anyHole) (pu, pv) = PushPull(cu, cv, cw, w2, h2);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float own = sw[i] > 0 ? 1 : 0;
                float mu = own > 0 ? su[i] / sw[i] : 0, mv = own > 0 ? sv[i] / sw[i] : 0;
                if (sw[i] >= Full || pu is null) { u[i] = mu; v[i] = mv; continue; }
                float k = sw[i] / Full;
                int j = (y / 2) * w2 + x / 2;
                u[i] = k * mu + (1 - k) * pu[j]; v[i] = k * mv + (1 - k) * pv![j];
            }
        return (u, v);
    }
}
