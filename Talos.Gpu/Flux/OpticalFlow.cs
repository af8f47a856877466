namespace Talos.Gpu.Flux;

/// <summary>Settings of <see cref="OpticalFlow"/>.</summary>
public sealed record FlowOptions
{
    /// <summary>The coarsest pyramid level is no smaller than this on its short side.</summary>
    public int MinLevelSize { get; init; } = 12;
    /// <summary>Warps (re-linearisations) per level.</summary>
    public int Warps { get; init; } = 4;
    /// <summary>Red–black SOR sweeps per warp.</summary>
    public int Iterations { get; init; } = 24;
    /// <summary>Smoothness weight relative to the level's mean data-term strength.</summary>
    public float Smoothness { get; init; } = 0.6f;
    /// <summary>Pyramid levels skipped at the fine end (0 = solve at full resolution; 1 = half resolution, upsampled), for speed on large frames.</summary>
    public int SkipFinest { get; init; } = 0;

    public static FlowOptions Default { get; } = new();

    /// <summary>Options that keep large frames fast: solve at no more than ~640 pixels wide.</summary>
    public static FlowOptions For(int width, int height) =>
        Default with { SkipFinest = Math.Max(0, (int)Math.Ceiling(Math.Log2(Math.Max(width, 1) / 640.0))) };
}

/// <summary>
/// Dense optical flow, coarse to fine: a feature pyramid, and at each level a few warps of a linearised variational
/// problem (robust Charbonnier data term on every feature plane, quadratic smoothness) solved by red–black SOR.
/// Every sweep reads only the other colour's pixels, rows run in parallel, and all sums run in a fixed order, so the
/// result is bit-identical from run to run and across thread counts.
/// </summary>
public static class OpticalFlow
{
    public static FlowField Compute(FlowFeatures a, FlowFeatures b, FlowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height || a.Planes.Length != b.Planes.Length)
            throw new ArgumentException($"images differ in size: {a.Width}x{a.Height} vs {b.Width}x{b.Height}");
        var o = options ?? FlowOptions.Default;

        var pa = new List<Level> { new(a.Width, a.Height, a.Planes) };
        var pb = new List<Level> { new(b.Width, b.Height, b.Planes) };
        while (Math.Min(pa[^1].W, pa[^1].H) / 2 >= o.MinLevelSize)
        {
            pa.Add(pa[^1].Down());
            pb.Add(pb[^1].Down());
        }
        int finest = Math.Min(o.SkipFinest, pa.Count - 1);
        float[] u = new float[pa[^1].W * pa[^1].H], v = new float[u.Length];
        for (int l = pa.Count - 1; l >= finest; l--)
        {
            if (l < pa.Count - 1) (u, v) = (Upsample(u, pa[l + 1], pa[l]), Upsample(v, pa[l + 1], pa[l]));
            Refine(pa[l], pb[l], u, v, o);
        }
        for (int l = finest - 1; l >= 0; l--) (u, v) = (Upsample(u, pa[l + 1], pa[l]), Upsample(v, pa[l + 1], pa[l]));
        return new FlowField(a.Width, a.Height, u, v);
    }

    sealed class Level(int w, int h, float[][] planes)
    {
        public readonly int W = w, H = h;
        public readonly float[][] P = planes;

        public Level Down()
        {
            int w2 = (W + 1) / 2, h2 = (H + 1) / 2;
            var planes = new float[P.Length][];
            for (int c = 0; c < P.Length; c++)
            {
                var src = P[c];
                var dst = planes[c] = new float[w2 * h2];
                Parallel.For(0, h2, y =>
                {
                    int y0 = 2 * y * W, y1 = Math.Min(H - 1, 2 * y + 1) * W;
                    for (int x = 0; x < w2; x++)
                    {
                        int x0 = 2 * x, x1 = Math.Min(W - 1, 2 * x + 1);
                        dst[y * w2 + x] = 0.25f * (src[y0 + x0] + src[y0 + x1] + src[y1 + x0] + src[y1 + x1]);
                    }
                });
            }
            return new Level(w2, h2, planes);
        }
    }

    /// <summary>Coarse flow to the finer level: bilinear at matching pixel centres, doubled.</summary>
    static float[] Upsample(float[] f, Level coarse, Level fine)
    {
        var dst = new float[fine.W * fine.H];
        Parallel.For(0, fine.H, y =>
        {
            float cy = (y + 0.5f) / 2f - 0.5f;
            for (int x = 0; x < fine.W; x++)
                dst[y * fine.W + x] = 2f * Bilinear(f, coarse.W, coarse.H, (x + 0.5f) / 2f - 0.5f, cy);
        });
        return dst;
    }

    /// <summary>Bilinear sample with clamped borders.</summary>
    internal static float Bilinear(float[] img, int w, int h, float x, float y)
    {
        x = Math.Clamp(x, 0f, w - 1); y = Math.Clamp(y, 0f, h - 1);
        int x0 = Math.Min((int)x, w - 2 < 0 ? 0 : w - 2), y0 = Math.Min((int)y, h - 2 < 0 ? 0 : h - 2);
        int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        float fx = x - x0, fy = y - y0;
        float top = img[y0 * w + x0] + (img[y0 * w + x1] - img[y0 * w + x0]) * fx;
        float bot = img[y1 * w + x0] + (img[y1 * w + x1] - img[y1 * w + x0]) * fx;
        return top + (bot - top) * fy;
    }

    static (float[] Gx, float[] Gy) Gradient(float[] p, int w, int h)
    {
        var gx = new float[p.Length];
        var gy = new float[p.Length];
        Parallel.For(0, h, y =>
        {
            int row = y * w, up = Math.Max(0, y - 1) * w, dn = Math.Min(h - 1, y + 1) * w;
            for (int x = 0; x < w; x++)
            {
                gx[row + x] = 0.5f * (p[row + Math.Min(w - 1, x + 1)] - p[row + Math.Max(0, x - 1)]);
                gy[row + x] = 0.5f * (p[dn + x] - p[up + x]);
            }
        });
        return (gx, gy);
    }

    const float Epsilon = 0.02f;

    static void Refine(Level a, Level b, float[] u, float[] v, FlowOptions o)
    {
        int w = a.W, h = a.H, n = w * h, channels = a.P.Length;
        var ga = new (float[] Gx, float[] Gy)[channels];
        var gb = new (float[] Gx, float[] Gy)[channels];
        for (int c = 0; c < channels; c++) { ga[c] = Gradient(a.P[c], w, h); gb[c] = Gradient(b.P[c], w, h); }
        float[] j11 = new float[n], j12 = new float[n], j22 = new float[n], b1 = new float[n], b2 = new float[n];
        var rowTrace = new double[h];

        for (int warp = 0; warp < o.Warps; warp++)
        {
            Parallel.For(0, h, y =>
            {
                double trace = 0;
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    float px = x + u[i], py = y + v[i];
                    float s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
                    if (px >= 0 && py >= 0 && px <= w - 1 && py <= h - 1)
                    {
                        for (int c = 0; c < channels; c++)
                        {
                            float bw = Bilinear(b.P[c], w, h, px, py);
                            float gx = 0.5f * (ga[c].Gx[i] + Bilinear(gb[c].Gx, w, h, px, py));
                            float gy = 0.5f * (ga[c].Gy[i] + Bilinear(gb[c].Gy, w, h, px, py));
                            float it = bw - a.P[c][i];
                            float wt = 1f / MathF.Sqrt(it * it + Epsilon * Epsilon);
                            float r0 = it - gx * u[i] - gy * v[i];
                            s11 += wt * gx * gx; s12 += wt * gx * gy; s22 += wt * gy * gy;
                            r1 += wt * gx * r0; r2 += wt * gy * r0;
                        }
                    }
                    j11[i] = s11; j12[i] = s12; j22[i] = s22; b1[i] = r1; b2[i] = r2;
                    trace += s11 + s22;
                }
                rowTrace[y] = trace;
            });
            double total = 0;
            for (int y = 0; y < h; y++) total += rowTrace[y];
            float alpha2 = (float)(o.Smoothness * total / n) + 1e-6f;

            for (int it = 0; it < o.Iterations; it++)
                for (int colour = 0; colour < 2; colour++)
                {
                    int col = colour;
                    Parallel.For(0, h, y =>
                    {
                        for (int x = (y + col) & 1; x < w; x += 2)
                        {
                            int i = y * w + x;
                            float su = 0, sv = 0; int nb = 0;
                            if (x > 0) { su += u[i - 1]; sv += v[i - 1]; nb++; }
                            if (x < w - 1) { su += u[i + 1]; sv += v[i + 1]; nb++; }
                            if (y > 0) { su += u[i - w]; sv += v[i - w]; nb++; }
                            if (y < h - 1) { su += u[i + w]; sv += v[i + w]; nb++; }
                            float a11 = j11[i] + alpha2 * nb, a22 = j22[i] + alpha2 * nb, a12 = j12[i];
                            float q1 = alpha2 * su - b1[i], q2 = alpha2 * sv - b2[i];
                            float det = a11 * a22 - a12 * a12;
                            float nu = (a22 * q1 - a12 * q2) / det, nv = (a11 * q2 - a12 * q1) / det;
                            u[i] += 1.8f * (nu - u[i]);
                            v[i] += 1.8f * (nv - v[i]);
                        }
                    });
                }
        }
    }
}
