using Talos.Gpu.Kernels;

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
    internal static float Bilinear(float[] img, int w, int h, float x, float y) => FlowCells.Bilinear(new HostField(img), 0, w, h, x, y);

    /// <summary>Central-difference gradients (clamped at the borders) of each plane.</summary>
    public static (float[][] Gx, float[][] Gy) Gradients(float[][] planes, int w, int h)
    {
        var gx = new float[planes.Length][];
        var gy = new float[planes.Length][];
        for (int c = 0; c < planes.Length; c++)
        {
            var p = new HostField(planes[c]);
            var dx = gx[c] = new float[w * h];
            var dy = gy[c] = new float[w * h];
            Parallel.For(0, h, y =>
            {
                for (int x = 0; x < w; x++)
                {
                    dx[y * w + x] = FlowCells.GradX(p, 0, w, x, y);
                    dy[y * w + x] = FlowCells.GradY(p, 0, w, h, x, y);
                }
            });
        }
        return (gx, gy);
    }

    static void Refine(Level a, Level b, float[] u, float[] v, FlowOptions o)
    {
        var la = FlowLevel.Of(a.W, a.H, a.P);
        var lb = FlowLevel.Of(b.W, b.H, b.P);
        if (ComputeDevice.Current.Accelerator is { } gpu) { IlgpuFlow.Refine(gpu, la, lb, u, v, o); return; }
        var sys = new FlowSystem(a.W, a.H);
        for (int warp = 0; warp < o.Warps; warp++)
        {
            float alpha2 = Alpha2(Linearise(la, lb, u, v, sys), sys.N, o);
            for (int it = 0; it < o.Iterations; it++) Sweep(u, v, sys, alpha2);
        }
    }

    /// <summary>The smoothness weight of a warp: the options' smoothness times the mean data-term trace.</summary>
    public static float Alpha2(double trace, int n, FlowOptions o) => (float)(o.Smoothness * trace / n) + 1e-6f;

    /// <summary>
    /// One warp's linearisation on the CPU: every pixel's data term (<see cref="FlowCells.AddPlane"/> over the feature
    /// planes, at the pixel warped by (u, v)) into <paramref name="sys"/>; returns the summed trace (rows summed in
    /// order, so the result does not depend on the thread count).
    /// </summary>
    public static double Linearise(FlowLevel a, FlowLevel b, float[] u, float[] v, FlowSystem sys)
    {
        int w = a.W, h = a.H, channels = a.P.Length;
        var rowTrace = new double[h];
        Parallel.For(0, h, y =>
        {
            double trace = 0;
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float px = x + u[i], py = y + v[i];
                var t = new FlowTerms();
                if (FlowCells.Inside(px, py, w, h))
                    for (int c = 0; c < channels; c++)
                        t = FlowCells.AddPlane(new HostField(a.P[c]), new HostField(a.Gx[c]), new HostField(a.Gy[c]),
                            new HostField(b.P[c]), new HostField(b.Gx[c]), new HostField(b.Gy[c]), 0, i, w, h, px, py, u[i], v[i], t);
                sys.J11[i] = t.S11; sys.J12[i] = t.S12; sys.J22[i] = t.S22; sys.B1[i] = t.R1; sys.B2[i] = t.R2;
                trace += t.S11 + t.S22;
            }
            rowTrace[y] = trace;
        });
        double total = 0;
        for (int y = 0; y < h; y++) total += rowTrace[y];
        return total;
    }

    /// <summary>One red–black SOR sweep on the CPU: every red pixel (<see cref="FlowCells.Sor"/>), then every black one.</summary>
    public static void Sweep(float[] u, float[] v, FlowSystem sys, float alpha2)
    {
        int w = sys.W, h = sys.H;
        for (int colour = 0; colour < 2; colour++)
        {
            int col = colour;
            Parallel.For(0, h, y =>
            {
                HostField hu = new(u), hv = new(v), j11 = new(sys.J11), j12 = new(sys.J12), j22 = new(sys.J22), b1 = new(sys.B1), b2 = new(sys.B2);
                for (int x = FlowCells.FirstOfColour(y, col); x < w; x += 2)
                {
                    var r = FlowCells.Sor(hu, hv, j11, j12, j22, b1, b2, x, y, w, h, alpha2);
                    u[y * w + x] = r.U; v[y * w + x] = r.V;
                }
            });
        }
    }
}

/// <summary>One pyramid level of one image: its feature planes and their gradients.</summary>
public sealed record FlowLevel(int W, int H, float[][] P, float[][] Gx, float[][] Gy)
{
    public static FlowLevel Of(int w, int h, float[][] planes)
    {
        var (gx, gy) = OpticalFlow.Gradients(planes, w, h);
        return new FlowLevel(w, h, planes, gx, gy);
    }
}

/// <summary>A warp's linearised per-pixel 2×2 systems: J = [J11 J12; J12 J22], right-hand side (B1, B2).</summary>
public sealed class FlowSystem(int w, int h)
{
    public int W { get; } = w;
    public int H { get; } = h;
    public int N => W * H;
    public float[] J11 { get; } = new float[w * h];
    public float[] J12 { get; } = new float[w * h];
    public float[] J22 { get; } = new float[w * h];
    public float[] B1 { get; } = new float[w * h];
    public float[] B2 { get; } = new float[w * h];
}
