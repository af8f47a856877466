using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Talos.Gpu.Imaging;
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
    /// <summary>Warps at the finest level solved (null: <see cref="Warps"/>): it starts from the upsampled coarser flow, so it has less left to do.</summary>
    public int? FinestWarps { get; init; }
    /// <summary>SOR sweeps per warp at the finest level solved (null: <see cref="Iterations"/>).</summary>
    public int? FinestIterations { get; init; }

    public static FlowOptions Default { get; } = new();

    /// <summary>
    /// Options that keep large frames fast: solve at no more than ~640 pixels wide, and where that skips a level, spend
    /// fewer warps and sweeps on the finest level solved (the coarser levels have found the motion; it refines it).
    /// </summary>
    public static FlowOptions For(int width, int height)
    {
        int skip = Math.Max(0, (int)Math.Ceiling(Math.Log2(Math.Max(width, 1) / 640.0)));
        return skip == 0 ? Default : Default with { SkipFinest = skip, Iterations = 12, FinestWarps = 2, FinestIterations = 8 };
    }

    /// <summary>The (warps, sweeps per warp) of a level: <paramref name="finest"/> is whether it is the finest level solved.</summary>
    public (int Warps, int Iterations) Schedule(bool finest) =>
        finest ? (FinestWarps ?? Warps, FinestIterations ?? Iterations) : (Warps, Iterations);
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
        var o = Check(a, b, options);
        var (pa, pb) = (Pyramid(a, o), Pyramid(b, o));
        try { return Solve(a, b, pa, pb, o, Environment.ProcessorCount); }
        finally { Release(pa); Release(pb); }
    }

    /// <summary>
    /// The flows a→b and b→a, as two <see cref="Compute"/> calls give them (bit for bit), with each image's pyramid
    /// and gradients built once for both and, on the CPU, the two solves run side by side on half the threads each:
    /// a solve is hundreds of short row passes, and two independent solves wait at far fewer barriers than one solve
    /// on every thread (on a loaded machine a barrier waits for its slowest, descheduled, worker).
    /// </summary>
    public static (FlowField Forward, FlowField Backward) ComputePair(FlowFeatures a, FlowFeatures b, FlowOptions? options = null)
    {
        var o = Check(a, b, options);
        var (pa, pb) = (Pyramid(a, o), Pyramid(b, o));
        try
        {
            if (ComputeDevice.Current.Accelerator is not null)
                return (Solve(a, b, pa, pb, o, Environment.ProcessorCount), Solve(b, a, pb, pa, o, Environment.ProcessorCount));
            int threads = Math.Max(1, Environment.ProcessorCount / 2);
            // the gradients of every level solved, once, before the two solves share them
            int finest = Math.Min(o.SkipFinest, pa.Count - 1);
            Parallel.For(0, 2 * (pa.Count - finest), k => _ = (k % 2 == 0 ? pa : pb)[finest + k / 2].Flow);
            FlowField? backward = null;
            var other = Task.Run(() => backward = Solve(b, a, pb, pa, o, threads));
            var forward = Solve(a, b, pa, pb, o, threads);
            other.GetAwaiter().GetResult();
            return (forward, backward!);
        }
        finally { Release(pa); Release(pb); }
    }

    /// <summary>Gives a pyramid's pooled planes and gradients back (its finest level's planes are the caller's features).</summary>
    static void Release(List<Level> p)
    {
        for (int l = 0; l < p.Count; l++) p[l].Release(l > 0);
    }

    static FlowOptions Check(FlowFeatures a, FlowFeatures b, FlowOptions? options)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height || a.Planes.Length != b.Planes.Length)
            throw new ArgumentException($"images differ in size: {a.Width}x{a.Height} vs {b.Width}x{b.Height}");
        return options ?? FlowOptions.Default;
    }

    static List<Level> Pyramid(FlowFeatures f, FlowOptions o)
    {
        // on the CPU the coarser levels' planes and every level's gradients come from the shared pool (given back after the
        // solve); the device path packs whole arrays, so it gets arrays of the exact size
        bool pooled = ComputeDevice.Current.Accelerator is null;
        var p = new List<Level> { new(f.Width, f.Height, f.Planes, pooled) };
        while (Math.Min(p[^1].W, p[^1].H) / 2 >= o.MinLevelSize) p.Add(p[^1].Down());
        return p;
    }

    static FlowField Solve(FlowFeatures a, FlowFeatures b, List<Level> pa, List<Level> pb, FlowOptions o, int threads)
    {
        int finest = Math.Min(o.SkipFinest, pa.Count - 1);
        bool cpu = ComputeDevice.Current.Accelerator is null;
        // on the CPU the coarser levels' flows and the linearised system are scratch from the shared pool, every value
        // written before it is read (the coarsest flow cleared, the finer ones upsampled, the terms linearised); the
        // full-resolution flow comes from FramePool (Upsample); the device path keeps exact-size arrays
        bool pooled = cpu && pa.Count > 1;
        int n0 = pa[^1].W * pa[^1].H;
        float[] u = pooled ? Cleared(n0) : new float[n0], v = pooled ? Cleared(n0) : new float[n0];
        // one linearised system for the whole solve, of the finest level solved's size (the coarser levels use its start)
        var sys = !cpu ? null : pooled ? FlowSystem.Rent(pa[finest].W, pa[finest].H) : new FlowSystem(pa[finest].W, pa[finest].H);
        // the solve is hundreds of short row passes: a worker team costs far less per pass than Parallel.For
        using (var team = new WorkerTeam(threads))
            for (int l = pa.Count - 1; l >= finest; l--)
            {
                if (l < pa.Count - 1) (u, v) = Finer(u, v, l);
                Refine(pa[l], pb[l], u, v, o.Schedule(l == finest), o, team, sys);
            }
        if (pooled) sys!.Return();
        for (int l = finest - 1; l >= 0; l--) (u, v) = Finer(u, v, l);
        HoldStill(a.Planes[0], b.Planes[0], a.Width, a.Height, u, v);
        return new FlowField(a.Width, a.Height, u, v);

        static float[] Cleared(int n)
        {
            var f = System.Buffers.ArrayPool<float>.Shared.Rent(n);
            Array.Clear(f, 0, n);
            return f;
        }

        // the flow upsampled to level l; the coarser one, pooled scratch, goes back
        (float[] U, float[] V) Finer(float[] cu, float[] cv, int l)
        {
            var finer = Upsample(cu, cv, pa[l + 1], pa[l], l == 0, pooled);
            if (pooled) { System.Buffers.ArrayPool<float>.Shared.Return(cu); System.Buffers.ArrayPool<float>.Shared.Return(cv); }
            return finer;
        }
    }

    /// <summary>Patch half-size of <see cref="HoldStill"/>'s matching costs (5×5 patches).</summary>
    const int StillRadius = 2;
    /// <summary>A patch cost (summed squared difference of the first plane over the patch) below which a patch counts as matched: ~⅓ grey level per pixel.</summary>
    const float MatchedCost = 25 * (0.35f / 255) * (0.35f / 255);
    /// <summary>A's patch texture (summed squared Laplacian of the first plane) above which it has detail to match: ~0.1 grey level per pixel.</summary>
    const float TexturedCost = 25 * (0.1f / 255) * (0.1f / 255);
    /// <summary>
    /// A seed has no edge within this many pixels: its patch, and the faint blurred tails of a line beside it. The tails of
    /// a filled figure's outline and of its faint fold lines carry "texture" 5–6 px out (a ring of seeds in a smooth sky,
    /// strips inside a coat that held still while the figure changed pose); 7 px leaves them unseeded.
    /// </summary>
    const int SeedClearance = StillRadius + 5;
    /// <summary>Local range (3×3, first plane) above which a pixel is an edge that the still region does not cross.</summary>
    const float EdgeRange = 0.05f;

    /// <summary>
    /// Keeps what does not move still. The solver's smoothness (and the distance-to-lines plane, which moves with the
    /// strokes around it) drags blank and faintly textured paper along with a moving figure; this is a patch test in
    /// the spirit of DIS's candidate check (Kroeger et al. 2016) with the zero-motion candidate. For each pixel two
    /// 5×5 patch costs of the first feature plane: A against B at the same place (zero motion) and A against B along
    /// the flow. Where A's patch has faint texture (squared Laplacian) and no edge near (a flat fill, a smooth gradient
    /// or blank paper matches many motions, and a line's blurred tail any motion along the line, so they tell
    /// nothing), the flow's patch mismatches and the still patch matches at least four times better, the pixel is
    /// still (a seed). Blank paper with no texture has no seeds, so line art on white is left exactly as the solver
    /// made it. Still pixels then grow, without crossing an edge of A, into every pixel whose flow mismatches (the paper that the figure covers in B matches neither way; it lies between still paper and the
    /// figure's outline, and the paper does not move) or that matches holding still as well (paper too faint or
    /// blank to tell), as long as they have some texture: flat fills and blank paper are never entered. Pixels reached
    /// by no seed — the figure and its fills, inside their outlines — are left alone.
    /// Sequential flood from the seeds in index order: deterministic.
    /// </summary>
    static void HoldStill(float[] a, float[] b, int w, int h, float[] u, float[] v)
    {
        int n = w * h;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        float[] d0 = pool.Rent(n), d1 = pool.Rent(n), tex = pool.Rent(n), tmp = pool.Rent(n);
        float[] lo = pool.Rent(n), hi = pool.Rent(n);
        var state = System.Buffers.ArrayPool<byte>.Shared.Rent((h + 2) * (w + 1));
        var queue = System.Buffers.ArrayPool<int>.Shared.Rent(n);
        try
        {
            // texture first: a seed needs it with no edge near, and line art on blank paper (most flows ECHO and CHROMA
            // ask for) has texture only beside its lines, so there the patch costs are not worth computing
            Parallel.For(0, h, y => TextureRow(a, tex, w, h, y));
            BoxSum(tex, tmp, w, h);
            if (!AnyPixel(h, w, tex, TexturedCost, i => !EdgeWithin(a, w, h, i % w, i / w, SeedClearance))) return;
            Parallel.For(0, h, y =>
            {
                int x = 0;
                if (Avx2.IsSupported) x = PatchCostRuns(a, b, w, h, u, v, d0, d1, y);
                for (; x < w; x++)
                {
                    int i = y * w + x;
                    float ai = a[i], z = b[i] - ai;
                    d0[i] = z * z;
                    float px = x + u[i], py = y + v[i];
                    float m = FlowCells.Inside(px, py, w, h) ? Bilinear(b, w, h, px, py) - ai : 1f;
                    d1[i] = m * m;
                }
            });
            BoxSum(d0, tmp, w, h);
            BoxSum(d1, tmp, w, h);
            // the few pixels that pass the patch tests get the seed's edge test on their own window; with no seed nothing
            // holds still and the edge maps are not worth computing
            if (!AnyPixel(h, w, tex, TexturedCost, i => d1[i] > MatchedCost && 4 * d0[i] < d1[i] && !EdgeWithin(a, w, h, i % w, i / w, SeedClearance)))
                return;
            // state: 0 = left alone (an edge within 1 px, or the flow matches and holding still does not), 1 = may hold
            // still, 2 = a seed. The (2·SeedClearance + 1)² ranges come from running min/max along rows (lo/hi), then down
            // columns with the state itself; the 3×3 range is read from A there (min and max are exact: the same ranges,
            // so the same states, as scanning each window). The state has a border of zeros (a row above and below, a
            // column after each row: pixel (x, y) at (y + 1)·(w + 1) + x), so the flood needs no bounds tests.
            int sw = w + 1;
            Array.Clear(state, 0, sw);
            Array.Clear(state, (h + 1) * sw, sw);
            EdgeRows(a, lo, hi, w, h, SeedClearance);
            Parallel.For(0, h, y => StateRow(a, lo, hi, d0, d1, tex, state, w, h, y));
            // the flood: every pixel that may hold still and is connected to a seed through such pixels becomes still (the
            // set reached does not depend on the order; seeds are taken in index order, as before)
            int seeds = 0;
            for (int p = sw, end = (h + 1) * sw; p < end; p++) if (state[p] == 2) queue[seeds++] = p;
            for (int head = 0, tail = seeds; head < tail; head++)
            {
                int p = queue[head];
                if (state[p - 1] == 1) { state[p - 1] = 2; queue[tail++] = p - 1; }
                if (state[p + 1] == 1) { state[p + 1] = 2; queue[tail++] = p + 1; }
                if (state[p - sw] == 1) { state[p - sw] = 2; queue[tail++] = p - sw; }
                if (state[p + sw] == 1) { state[p + sw] = 2; queue[tail++] = p + sw; }
            }
            Parallel.For(0, h, y =>
            {
                for (int x = 0, p = (y + 1) * sw, i = y * w; x < w; x++, p++, i++)
                    if (state[p] == 2) { u[i] = 0; v[i] = 0; }
            });
        }
        finally
        {
            pool.Return(d0); pool.Return(d1); pool.Return(tex); pool.Return(tmp); pool.Return(lo); pool.Return(hi);
            System.Buffers.ArrayPool<byte>.Shared.Return(state);
            System.Buffers.ArrayPool<int>.Shared.Return(queue);
        }
    }

    /// <summary>
    /// <see cref="HoldStill"/>'s per-pixel squared differences of row y (still: d0, along the flow: d1) in runs of 8 pixels
    /// with AVX2 gathers (<see cref="FlowGather"/>: per lane the scalar loop's operations, so the same bits); returns the
    /// first x left to the scalar loop.
    /// </summary>
    static unsafe int PatchCostRuns(float[] a, float[] b, int w, int h, float[] u, float[] v, float[] d0, float[] d1, int y)
    {
        int x = 0;
        var yy = Vector256.Create((float)y);
        var one = Vector256.Create(1f);
        fixed (float* pa = a, pb = b, pu = u, pv = v, p0 = d0, p1 = d1)
            for (; x + 8 <= w; x += 8)
            {
                int i = y * w + x;
                var ai = Avx.LoadVector256(pa + i);
                var z = Avx.LoadVector256(pb + i) - ai;
                Avx.Store(p0 + i, z * z);
                var px = FlowGather.Xs(x) + Avx.LoadVector256(pu + i);
                var py = yy + Avx.LoadVector256(pv + i);
                var m = Vector256.ConditionalSelect(FlowGather.Inside(px, py, w, h), FlowGather.Sample(pb, FlowGather.Tap(w, h, px, py)) - ai, one);
                Avx.Store(p1 + i, m * m);
            }
        return x;
    }

    /// <summary>
    /// Running min and max of <paramref name="a"/> along each row over the window x − r … x + r, clamped to the row, into
    /// lo/hi (scratch of the frame's size): <see cref="StateRow"/> takes them down the columns.
    /// </summary>
    static void EdgeRows(float[] a, float[] lo, float[] hi, int w, int h, int r)
    {
        int vn = Vector<float>.Count;
        Parallel.For(0, h, y =>
        {
            int row = y * w, x = 0;
            // clamped windows at the row's ends; inside, vn pixels at a time (min and max of the same values: the same range)
            for (; x < Math.Min(r, w); x++) RowRange(x);
            for (; x + vn <= w - r; x += vn)
            {
                var mn = new Vector<float>(a, row + x - r);
                var mx = mn;
                for (int d = 1 - r; d <= r; d++)
                {
                    var p = new Vector<float>(a, row + x + d);
                    mn = Vector.Min(mn, p); mx = Vector.Max(mx, p);
                }
                mn.CopyTo(lo, row + x); mx.CopyTo(hi, row + x);
            }
            for (; x < w; x++) RowRange(x);

            void RowRange(int px)
            {
                float mn = float.MaxValue, mx = float.MinValue;
                for (int xx = Math.Max(0, px - r), x1 = Math.Min(w - 1, px + r); xx <= x1; xx++)
                {
                    float p = a[row + xx];
                    mn = MathF.Min(mn, p); mx = MathF.Max(mx, p);
                }
                lo[row + px] = mn; hi[row + px] = mx;
            }
        });
    }

    /// <summary>
    /// <see cref="HoldStill"/>'s state of row y's pixels: 0 = left alone (an edge within 1 px — the clamped 3×3 range of
    /// A exceeds <see cref="EdgeRange"/> — or the flow matches and holding still does not), 1 = may hold still, 2 = a
    /// seed (no edge within <see cref="SeedClearance"/> px: the range of the row ranges lo/hi of <see cref="EdgeRows"/>
    /// down the clamped column window). Runs of 8 pixels inside the row with AVX2, the same comparisons per lane.
    /// </summary>
    static unsafe void StateRow(float[] a, float[] lo, float[] hi, float[] d0, float[] d1, float[] tex, byte[] state, int w, int h, int y)
    {
        const int r = SeedClearance;
        int y0 = Math.Max(0, y - r), y1 = Math.Min(h - 1, y + r), row = y * w, x = 0;
        int up = Math.Max(0, y - 1) * w, down = Math.Min(h - 1, y + 1) * w; // the 3×3 window's rows, clamped
        int srow = (y + 1) * (w + 1); // the row in the state, which has a border of zeros (HoldStill)
        state[srow + w] = 0;
        if (Avx2.IsSupported && w >= 10)
        {
            Scalar(0); // the first column's 3×3 window is clamped
            x = 1;
            var range = Vector256.Create(EdgeRange);
            var matched = Vector256.Create(MatchedCost);
            var textured = Vector256.Create(TexturedCost);
            var faint = Vector256.Create(TexturedCost / 4);
            var four = Vector256.Create(4f);
            fixed (float* pa = a, pl = lo, ph = hi, pd0 = d0, pd1 = d1, pt = tex)
            fixed (byte* ps = state)
                for (; x + 8 <= w - 1; x += 8)
                {
                    int i = row + x;
                    var mn = Avx.LoadVector256(pa + up + x - 1);
                    var mx = mn;
                    var p0 = Avx.LoadVector256(pa + up + x); mn = Vector256.Min(mn, p0); mx = Vector256.Max(mx, p0);
                    var p1 = Avx.LoadVector256(pa + up + x + 1); mn = Vector256.Min(mn, p1); mx = Vector256.Max(mx, p1);
                    var p2 = Avx.LoadVector256(pa + row + x - 1); mn = Vector256.Min(mn, p2); mx = Vector256.Max(mx, p2);
                    var p3 = Avx.LoadVector256(pa + row + x); mn = Vector256.Min(mn, p3); mx = Vector256.Max(mx, p3);
                    var p4 = Avx.LoadVector256(pa + row + x + 1); mn = Vector256.Min(mn, p4); mx = Vector256.Max(mx, p4);
                    var p5 = Avx.LoadVector256(pa + down + x - 1); mn = Vector256.Min(mn, p5); mx = Vector256.Max(mx, p5);
                    var p6 = Avx.LoadVector256(pa + down + x); mn = Vector256.Min(mn, p6); mx = Vector256.Max(mx, p6);
                    var p7 = Avx.LoadVector256(pa + down + x + 1); mn = Vector256.Min(mn, p7); mx = Vector256.Max(mx, p7);
                    var edge1 = Vector256.GreaterThan(mx - mn, range);
                    var cmn = Avx.LoadVector256(pl + y0 * w + x);
                    var cmx = Avx.LoadVector256(ph + y0 * w + x);
                    for (int yy = y0 + 1; yy <= y1; yy++)
                    {
                        cmn = Vector256.Min(cmn, Avx.LoadVector256(pl + yy * w + x)); cmx = Vector256.Max(cmx, Avx.LoadVector256(ph + yy * w + x));
                    }
                    var edge7 = Vector256.GreaterThan(cmx - cmn, range);
                    Vector256<float> e0 = Avx.LoadVector256(pd0 + i), e1 = Avx.LoadVector256(pd1 + i), t = Avx.LoadVector256(pt + i);
                    var mismatch = Vector256.GreaterThan(e1, matched);
                    var may = (mismatch | Vector256.LessThanOrEqual(e0, matched)) & Vector256.GreaterThan(t, faint) & ~edge1;
                    var seed = may & Vector256.GreaterThan(t, textured) & mismatch & Vector256.LessThan(four * e0, e1) & ~edge7;
                    // 0, 1 or 2 per lane (the masks are all ones: −1), narrowed to bytes
                    var s = Vector256<int>.Zero - may.AsInt32() - seed.AsInt32();
                    var s16 = Vector128.Narrow(s.GetLower(), s.GetUpper());
                    *(ulong*)(ps + srow + x) = Vector128.Narrow(s16, s16).AsUInt64().ToScalar();
                }
        }
        for (; x < w; x++) Scalar(x);

        void Scalar(int px)
        {
            int i = row + px;
            float mn = float.MaxValue, mx = float.MinValue, cmn = float.MaxValue, cmx = float.MinValue;
            for (int yy = Math.Max(0, y - 1); yy <= Math.Min(h - 1, y + 1); yy++)
                for (int xx = Math.Max(0, px - 1), x1 = Math.Min(w - 1, px + 1); xx <= x1; xx++)
                {
                    float p = a[yy * w + xx];
                    mn = MathF.Min(mn, p); mx = MathF.Max(mx, p);
                }
            for (int yy = y0; yy <= y1; yy++)
            {
                cmn = MathF.Min(cmn, lo[yy * w + px]); cmx = MathF.Max(cmx, hi[yy * w + px]);
            }
            byte s = 0;
            if ((d1[i] > MatchedCost || d0[i] <= MatchedCost) && tex[i] > TexturedCost / 4 && !(mx - mn > EdgeRange))
            {
                s = 1;
                if (tex[i] > TexturedCost && d1[i] > MatchedCost && 4 * d0[i] < d1[i] && !(cmx - cmn > EdgeRange)) s = 2;
            }
            state[srow + px] = s;
        }
    }

    /// <summary>
    /// The squared 4-neighbour Laplacian of row y of <paramref name="a"/> into <paramref name="tex"/> (zero on flat fills
    /// and smooth gradients; zero on the border rows and columns, where a clamped neighbour would make a gradient look
    /// like texture); vectors inside the row, the same arithmetic per pixel.
    /// </summary>
    static void TextureRow(float[] a, float[] tex, int w, int h, int y)
    {
        int row = y * w;
        if (y == 0 || y == h - 1 || w < 3) { Array.Clear(tex, row, w); return; }
        int vn = System.Numerics.Vector<float>.Count, x = 1;
        tex[row] = 0; tex[row + w - 1] = 0;
        var four = new System.Numerics.Vector<float>(4f);
        for (; x + vn <= w - 1; x += vn)
        {
            int i = row + x;
            var lap = four * new System.Numerics.Vector<float>(a, i) - new System.Numerics.Vector<float>(a, i - 1) - new System.Numerics.Vector<float>(a, i + 1)
                      - new System.Numerics.Vector<float>(a, i - w) - new System.Numerics.Vector<float>(a, i + w);
            (lap * lap).CopyTo(tex, i);
        }
        for (; x < w - 1; x++)
        {
            int i = row + x;
            float lap = 4 * a[i] - a[i - 1] - a[i + 1] - a[i - w] - a[i + w];
            tex[i] = lap * lap;
        }
    }

    /// <summary>
    /// Whether any pixel of the w×h frame with <paramref name="gate"/>[i] above <paramref name="threshold"/> passes
    /// <paramref name="test"/> (rows in parallel, vectors of the gate skipped while none is above, stopping at the first found).
    /// </summary>
    static bool AnyPixel(int h, int w, float[] gate, float threshold, Func<int, bool> test)
    {
        bool any = false;
        int vn = System.Numerics.Vector<float>.Count;
        Parallel.For(0, h, (y, loop) =>
        {
            var thr = new System.Numerics.Vector<float>(threshold);
            int i = y * w, end = i + w;
            for (; i < end; i++)
            {
                if (i + vn <= end && !System.Numerics.Vector.GreaterThanAny(new System.Numerics.Vector<float>(gate, i), thr)) { i += vn - 1; continue; }
                if (gate[i] > threshold && test(i)) { any = true; loop.Stop(); return; }
            }
        });
        return any;
    }

    /// <summary>Whether the (2r + 1)² neighbourhood of (x, y), clamped to the frame, ranges over more than <see cref="EdgeRange"/> (what <see cref="StateRow"/> tests, for one pixel).</summary>
    static bool EdgeWithin(float[] a, int w, int h, int x, int y, int r)
    {
        float mn = float.MaxValue, mx = float.MinValue;
        for (int yy = Math.Max(0, y - r), y1 = Math.Min(h - 1, y + r); yy <= y1; yy++)
            for (int xx = Math.Max(0, x - r), x1 = Math.Min(w - 1, x + r); xx <= x1; xx++)
            {
                float p = a[yy * w + xx];
                mn = MathF.Min(mn, p); mx = MathF.Max(mx, p);
                if (mx - mn > EdgeRange) return true;
            }
        return false;
    }

    /// <summary>In-place box sum over (2·<see cref="StillRadius"/> + 1)² with clamped windows; tmp is scratch of the same size. Vectors inside; each pixel's terms are added in the same order as at the borders.</summary>
    static void BoxSum(float[] f, float[] tmp, int w, int h)
    {
        const int r = StillRadius;
        int vn = System.Numerics.Vector<float>.Count;
        Parallel.For(0, h, y =>
        {
            int row = y * w, x = 0;
            for (; x < Math.Min(r, w); x++) tmp[row + x] = RowSum(f, row, w, x);
            for (; x + vn <= w - r; x += vn)
            {
                var s = System.Numerics.Vector<float>.Zero;
                for (int d = -r; d <= r; d++) s += new System.Numerics.Vector<float>(f, row + x + d);
                s.CopyTo(tmp, row + x);
            }
            for (; x < w; x++) tmp[row + x] = RowSum(f, row, w, x);
        });
        Parallel.For(0, h, y =>
        {
            int y0 = Math.Max(0, y - r), y1 = Math.Min(h - 1, y + r), x = 0;
            for (; x + vn <= w; x += vn)
            {
                var s = System.Numerics.Vector<float>.Zero;
                for (int yy = y0; yy <= y1; yy++) s += new System.Numerics.Vector<float>(tmp, yy * w + x);
                s.CopyTo(f, y * w + x);
            }
            for (; x < w; x++)
            {
                float s = 0;
                for (int yy = y0; yy <= y1; yy++) s += tmp[yy * w + x];
                f[y * w + x] = s;
            }
        });
    }

    /// <summary>The clamped horizontal window sum of <see cref="BoxSum"/> at x of the row starting at <paramref name="row"/>.</summary>
    static float RowSum(float[] f, int row, int w, int x)
    {
        float s = 0;
        for (int xx = Math.Max(0, x - StillRadius); xx <= Math.Min(w - 1, x + StillRadius); xx++) s += f[row + xx];
        return s;
    }

    sealed class Level(int w, int h, float[][] planes, bool pooled)
    {
        public readonly int W = w, H = h;
        public readonly float[][] P = planes;
        FlowLevel? _flow;

        /// <summary>The level with its gradients (made on first use; a pair's solves make it before they share it).</summary>
        public FlowLevel Flow => _flow ??= FlowLevel.Of(W, H, P, pooled);

        /// <summary>Gives pooled arrays back: the gradients, and the planes when <paramref name="planes"/> (levels made by <see cref="Down"/>).</summary>
        public void Release(bool planes)
        {
            if (!pooled) return;
            var pool = System.Buffers.ArrayPool<float>.Shared;
            if (_flow is { } f)
                for (int c = 0; c < f.Gx.Length; c++) { pool.Return(f.Gx[c]); pool.Return(f.Gy[c]); }
            _flow = null;
            if (planes) foreach (var q in P) pool.Return(q);
        }

        public Level Down()
        {
            int w2 = (W + 1) / 2, h2 = (H + 1) / 2;
            var planes = new float[P.Length][];
            for (int c = 0; c < P.Length; c++)
            {
                var src = P[c];
                var dst = planes[c] = pooled ? System.Buffers.ArrayPool<float>.Shared.Rent(w2 * h2) : new float[w2 * h2];
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
            return new Level(w2, h2, planes, pooled);
        }
    }

    /// <summary>
    /// Coarse flow (u, v) to the finer level: bilinear at matching pixel centres, doubled. Every fine column reads the same
    /// two coarse columns with the same weight on every row, so those come from a table (the same taps and arithmetic as
    /// <see cref="FlowCells.Bilinear{TF}"/> at ((x + ½) / 2 − ½, (y + ½) / 2 − ½)). The full-resolution flow (<paramref name="full"/>:
    /// the planes of the <see cref="FlowField"/> returned) comes from <see cref="FramePool"/>, so an owner that gives
    /// it back (<see cref="ImageInbetweener.Dispose"/>) spares the next flow a fresh frame's page faults.
    /// </summary>
    static (float[] U, float[] V) Upsample(float[] u, float[] v, Level coarse, Level fine, bool full, bool pooled)
    {
        int cw = coarse.W, ch = coarse.H, fw = fine.W, n = fw * fine.H;
        // every value of the finer flow is written below: a pooled array's old contents do not matter
        float[] Plane() => full ? FramePool.RentPlane(n) : pooled ? System.Buffers.ArrayPool<float>.Shared.Rent(n) : new float[n];
        float[] du = Plane(), dv = Plane();
        var x0 = new int[fw];
        var x1 = new int[fw];
        var fx = new float[fw];
        for (int x = 0; x < fw; x++)
        {
            var tap = FlowCells.Tap(cw, ch, (x + 0.5f) / 2f - 0.5f, 0f);
            x0[x] = tap.I00; x1[x] = tap.I01; fx[x] = tap.Fx;
        }
        Parallel.For(0, fine.H, y =>
        {
            var tap = FlowCells.Tap(cw, ch, 0f, (y + 0.5f) / 2f - 0.5f);
            int r0 = tap.I00, r1 = tap.I10, row = y * fw;
            float fy = tap.Fy;
            Row(u, du); Row(v, dv);

            void Row(float[] f, float[] dst)
            {
                int x = 0;
                if (Avx2.IsSupported) x = UpsampleRuns(f, dst, r0, r1, fy, row, x0, x1, fx, fw);
                for (; x < fw; x++)
                {
                    int c0 = x0[x], c1 = x1[x];
                    float wx = fx[x];
                    float top = f[r0 + c0] + (f[r0 + c1] - f[r0 + c0]) * wx;
                    float bot = f[r1 + c0] + (f[r1 + c1] - f[r1 + c0]) * wx;
                    dst[row + x] = 2f * (top + (bot - top) * fy);
                }
            }
        });
        return (du, dv);
    }

    /// <summary>
    /// <see cref="Upsample"/>'s fine row (coarse rows r0, r1 at weight fy) in runs of 8 pixels: the column table's taps
    /// gathered, the same operations per lane as the scalar row, so the same bits; returns the first x left to it.
    /// </summary>
    static unsafe int UpsampleRuns(float[] f, float[] dst, int r0, int r1, float fy, int row, int[] x0, int[] x1, float[] fx, int fw)
    {
        int x = 0;
        var wy = Vector256.Create(fy);
        var two = Vector256.Create(2f);
        fixed (float* pf = f, pd = dst, pw = fx)
        fixed (int* p0 = x0, p1 = x1)
            for (; x + 8 <= fw; x += 8)
            {
                Vector256<int> c0 = Avx.LoadVector256(p0 + x), c1 = Avx.LoadVector256(p1 + x);
                var wx = Avx.LoadVector256(pw + x);
                Vector256<float> t0 = Avx2.GatherVector256(pf + r0, c0, 4), t1 = Avx2.GatherVector256(pf + r0, c1, 4);
                Vector256<float> b0 = Avx2.GatherVector256(pf + r1, c0, 4), b1 = Avx2.GatherVector256(pf + r1, c1, 4);
                var top = t0 + (t1 - t0) * wx;
                var bot = b0 + (b1 - b0) * wx;
                Avx.Store(pd + row + x, two * (top + (bot - top) * wy));
            }
        return x;
    }

    /// <summary>Bilinear sample with clamped borders.</summary>
    internal static float Bilinear(float[] img, int w, int h, float x, float y) => FlowCells.Bilinear(new HostField(img), 0, w, h, x, y);

    /// <summary>Central-difference gradients (clamped at the borders) of each plane.</summary>
    public static (float[][] Gx, float[][] Gy) Gradients(float[][] planes, int w, int h) => Gradients(planes, w, h, false);

    /// <summary><see cref="Gradients(float[][], int, int)"/>, into arrays from the shared pool when <paramref name="pooled"/> (at least w·h long).</summary>
    internal static (float[][] Gx, float[][] Gy) Gradients(float[][] planes, int w, int h, bool pooled)
    {
        var gx = new float[planes.Length][];
        var gy = new float[planes.Length][];
        for (int c = 0; c < planes.Length; c++)
        {
            var p = new HostField(planes[c]);
            var dx = gx[c] = pooled ? System.Buffers.ArrayPool<float>.Shared.Rent(w * h) : new float[w * h];
            var dy = gy[c] = pooled ? System.Buffers.ArrayPool<float>.Shared.Rent(w * h) : new float[w * h];
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

    static void Refine(Level a, Level b, float[] u, float[] v, (int Warps, int Iterations) schedule, FlowOptions o, WorkerTeam team, FlowSystem? storage)
    {
        var la = a.Flow;
        var lb = b.Flow;
        if (ComputeDevice.Current.Accelerator is { } gpu) { IlgpuFlow.Refine(gpu, la, lb, u, v, schedule, o); return; }
        var sys = storage is null ? new FlowSystem(a.W, a.H) : new FlowSystem(a.W, a.H, storage);
        for (int warp = 0; warp < schedule.Warps; warp++)
        {
            float alpha2 = Alpha2(Linearise(la, lb, u, v, sys, team), sys.N, o);
            Sweeps(u, v, sys, alpha2, schedule.Iterations, team);
        }
    }

    /// <summary>The smoothness weight of a warp: the options' smoothness times the mean data-term trace.</summary>
    public static float Alpha2(double trace, int n, FlowOptions o) => (float)(o.Smoothness * trace / n) + 1e-6f;

    /// <summary>
    /// One warp's linearisation on the CPU: every pixel's data term (<see cref="FlowCells.AddPlane"/> over the feature
    /// planes, at the pixel warped by (u, v)) into <paramref name="sys"/>; returns the summed trace (rows summed in
    /// order, so the result does not depend on the thread count).
    /// </summary>
    public static double Linearise(FlowLevel a, FlowLevel b, float[] u, float[] v, FlowSystem sys, WorkerTeam? team = null)
    {
        int w = a.W, h = a.H, channels = a.P.Length;
        var rowTrace = new double[h];
        Rows(team, h, y =>
        {
            double trace = 0;
            int x = 0;
            if (Avx2.IsSupported)
                for (; x + 8 <= w; x += 8) LineariseRun(a, b, u, v, sys, y, x, ref trace);
            for (; x < w; x++)
            {
                int i = y * w + x;
                float px = x + u[i], py = y + v[i];
                var t = new FlowTerms();
                if (FlowCells.Inside(px, py, w, h))
                {
                    var at = FlowCells.Tap(w, h, px, py);
                    for (int c = 0; c < channels; c++)
                        t = FlowCells.AddPlane(new HostField(a.P[c]), new HostField(a.Gx[c]), new HostField(a.Gy[c]),
                            new HostField(b.P[c]), new HostField(b.Gx[c]), new HostField(b.Gy[c]), 0, i, at, u[i], v[i], t);
                }
                sys.J11[i] = t.S11; sys.J12[i] = t.S12; sys.J22[i] = t.S22; sys.B1[i] = t.R1; sys.B2[i] = t.R2;
                trace += t.S11 + t.S22;
            }
            rowTrace[y] = trace;
        });
        double total = 0;
        for (int y = 0; y < h; y++) total += rowTrace[y];
        return total;
    }

    /// <summary>
    /// <see cref="Linearise"/>'s terms of the 8 pixels x … x + 7 of row y with AVX2 gathers: per lane the operations of
    /// <see cref="FlowCells.Tap"/> (a no-op clamp inside the frame), <see cref="FlowCells.Sample"/> and
    /// <see cref="FlowCells.AddPlane"/> in the same order (terms from zero, no fused multiply–add, IEEE square root and
    /// division), zero terms where the warped point is outside; adds the lanes' traces to the row's in pixel order, as the
    /// scalar loop adds them. <c>FlowSorVectorTests</c> holds it to the scalar terms' bits.
    /// </summary>
    static unsafe void LineariseRun(FlowLevel a, FlowLevel b, float[] u, float[] v, FlowSystem sys, int y, int x, ref double trace)
    {
        int w = a.W, h = a.H, i0 = y * w + x;
        var uu = Vector256.Create(u.AsSpan(i0, 8));
        var vv = Vector256.Create(v.AsSpan(i0, 8));
        var px = FlowGather.Xs(x) + uu;
        var py = Vector256.Create((float)y) + vv;
        var zero = Vector256<float>.Zero;
        var inside = FlowGather.Inside(px, py, w, h);
        var at = FlowGather.Tap(w, h, px, py);
        Vector256<float> s11 = zero, s12 = zero, s22 = zero, r1 = zero, r2 = zero;
        var half = Vector256.Create(0.5f);
        var one = Vector256.Create(1f);
        var eps2 = Vector256.Create(FlowCells.Epsilon * FlowCells.Epsilon);
        for (int c = 0; c < a.P.Length; c++)
        {
            fixed (float* pa = a.P[c], agx = a.Gx[c], agy = a.Gy[c], pb = b.P[c], bgx = b.Gx[c], bgy = b.Gy[c])
            {
                var bw = FlowGather.Sample(pb, at);
                var gx = half * (Avx.LoadVector256(agx + i0) + FlowGather.Sample(bgx, at));
                var gy = half * (Avx.LoadVector256(agy + i0) + FlowGather.Sample(bgy, at));
                var it = bw - Avx.LoadVector256(pa + i0);
                var wt = one / Vector256.Sqrt(it * it + eps2);
                var r0 = it - gx * uu - gy * vv;
                s11 += wt * gx * gx; s12 += wt * gx * gy; s22 += wt * gy * gy;
                r1 += wt * gx * r0; r2 += wt * gy * r0;
            }
        }
        s11 = Vector256.ConditionalSelect(inside, s11, zero); s12 = Vector256.ConditionalSelect(inside, s12, zero);
        s22 = Vector256.ConditionalSelect(inside, s22, zero); r1 = Vector256.ConditionalSelect(inside, r1, zero);
        r2 = Vector256.ConditionalSelect(inside, r2, zero);
        s11.CopyTo(sys.J11.AsSpan(i0, 8)); s12.CopyTo(sys.J12.AsSpan(i0, 8)); s22.CopyTo(sys.J22.AsSpan(i0, 8));
        r1.CopyTo(sys.B1.AsSpan(i0, 8)); r2.CopyTo(sys.B2.AsSpan(i0, 8));
        var tr = s11 + s22;
        for (int k = 0; k < 8; k++) trace += tr.GetElement(k);
    }

    /// <summary>Runs <paramref name="row"/> for every y in [0, h): on the team's blocks when there is one, else Parallel.For. Rows are independent, so the split does not change the result.</summary>
    static void Rows(WorkerTeam? team, int h, Action<int> row)
    {
        if (team is null) { Parallel.For(0, h, row); return; }
        team.For(0, h, (y0, y1) => { for (int y = y0; y < y1; y++) row(y); });
    }

    /// <summary>
    /// One red–black SOR sweep on the CPU: every red pixel (<see cref="FlowCells.Sor"/>), then every black one. On a
    /// worker team both colours go in one pass over each block's rows: black row y − 1 right after red row y (its red
    /// neighbours, rows y − 2 to y, are then all new, as after the whole red half-sweep, and no red pixel reads it
    /// afterwards); a block's first and last black rows, whose red neighbours lie in the next blocks too, follow when
    /// every block's red rows are done. The same updates from the same values: the same result, read once from memory.
    /// </summary>
    public static void Sweep(float[] u, float[] v, FlowSystem sys, float alpha2, WorkerTeam? team = null)
    {
        int w = sys.W, h = sys.H;
        if (team is null)
        {
            for (int colour = 0; colour < 2; colour++)
            {
                int col = colour;
                Parallel.For(0, h, y => SorRow(u, v, sys, alpha2, y, col));
            }
            return;
        }
        // the team splits [0, h) into the same blocks on both calls
        team.For(0, h, (y0, y1) =>
        {
            for (int y = y0; y < y1; y++)
            {
                SorRow(u, v, sys, alpha2, y, 0);
                if (y - 1 > y0 && y - 1 < y1 - 1) SorRow(u, v, sys, alpha2, y - 1, 1);
            }
        });
        team.For(0, h, (y0, y1) =>
        {
            SorRow(u, v, sys, alpha2, y0, 1);
            if (y1 - 1 > y0) SorRow(u, v, sys, alpha2, y1 - 1, 1);
        });
    }

    /// <summary>
    /// <paramref name="count"/> red–black SOR sweeps, as <see cref="Sweep"/> called that many times gives them (bit for bit).
    /// On a team of one thread (each of a pair's two solves on two cores) they go in one pass over the rows, a wavefront:
    /// at step j sweep s updates red row j − 2s, then black row j − 2s − 1 — every red row after the previous sweep's
    /// black rows beside it and before this sweep's, every black row after this sweep's red rows beside it and before the
    /// next sweep's, so each update reads the values it reads in sweeps one after another. The rows in flight (about
    /// 2·count + 2 of the seven planes) stay in cache instead of streaming the whole level through memory every sweep.
    /// </summary>
    public static void Sweeps(float[] u, float[] v, FlowSystem sys, float alpha2, int count, WorkerTeam? team = null)
    {
        if (team is not { Threads: 1 } || count <= 1)
        {
            for (int k = 0; k < count; k++) Sweep(u, v, sys, alpha2, team);
            return;
        }
        int h = sys.H;
        for (int j = 0; j < h + 2 * count - 1; j++)
            for (int s = 0; s < count; s++)
            {
                int red = j - 2 * s, black = red - 1;
                if (red >= 0 && red < h) SorRow(u, v, sys, alpha2, red, 0);
                if (black >= 0 && black < h) SorRow(u, v, sys, alpha2, black, 1);
            }
    }

    /// <summary>
    /// The SOR update of row y's pixels of one colour (0 red, 1 black): <see cref="FlowCells.Sor"/> on the border rows and
    /// columns and at the row's tail; inside, <see cref="SorVector"/> over runs of <see cref="Vector{T}.Count"/> pixels.
    /// </summary>
    static void SorRow(float[] u, float[] v, FlowSystem sys, float alpha2, int y, int colour)
    {
        int w = sys.W, h = sys.H;
        HostField hu = new(u), hv = new(v), j11 = new(sys.J11), j12 = new(sys.J12), j22 = new(sys.J22), b1 = new(sys.B1), b2 = new(sys.B2);
        int x = FlowCells.FirstOfColour(y, colour);
        if (Vector.IsHardwareAccelerated && y > 0 && y < h - 1)
        {
            int vn = Vector<float>.Count;
            // the first pixel of this colour at x ≥ 1, then runs of vn pixels (both colours) that end before the last column
            if (x == 0) { Scalar(0); x = 2; }
            int start = x - 1; // the run starts one pixel early so that its lanes of this colour are at odd offsets
            var mine = OddLanes;
            for (; start + vn <= w - 1; start += vn) SorVector(u, v, sys, alpha2, y * w + start, mine);
            x = start + 1;
        }
        for (; x < w; x += 2) Scalar(x);

        void Scalar(int px)
        {
            var r = FlowCells.Sor(hu, hv, j11, j12, j22, b1, b2, px, y, w, h, alpha2);
            u[y * w + px] = r.U; v[y * w + px] = r.V;
        }
    }

    /// <summary>All-ones in the odd lanes of a vector: the lanes of the colour being updated in a run of <see cref="SorRow"/>.</summary>
    static readonly Vector<int> OddLanes = MakeOddLanes();

    static Vector<int> MakeOddLanes()
    {
        var lanes = new int[Vector<int>.Count];
        for (int k = 1; k < lanes.Length; k += 2) lanes[k] = -1;
        return new Vector<int>(lanes);
    }

    /// <summary>
    /// <see cref="FlowCells.Sor"/> for the interior pixels i0 … i0 + vn − 1 of one row (every pixel has four neighbours),
    /// written back only in the lanes of <paramref name="mine"/> (the other colour's lanes keep their values): the same
    /// operations in the same order on every lane as the scalar update (the neighbour sums start from zero as it does; no
    /// fused multiply–add), so the same bits. <c>FlowSorVectorTests</c> holds the two to bit-for-bit equality.
    /// </summary>
    static void SorVector(float[] u, float[] v, FlowSystem sys, float alpha2, int i0, Vector<int> mine)
    {
        int w = sys.W;
        var ui = new Vector<float>(u, i0);
        var vi = new Vector<float>(v, i0);
        var su = Vector<float>.Zero + new Vector<float>(u, i0 - 1) + new Vector<float>(u, i0 + 1) + new Vector<float>(u, i0 - w) + new Vector<float>(u, i0 + w);
        var sv = Vector<float>.Zero + new Vector<float>(v, i0 - 1) + new Vector<float>(v, i0 + 1) + new Vector<float>(v, i0 - w) + new Vector<float>(v, i0 + w);
        var a = new Vector<float>(alpha2);
        var anb = new Vector<float>(alpha2 * 4);
        var a11 = new Vector<float>(sys.J11, i0) + anb;
        var a22 = new Vector<float>(sys.J22, i0) + anb;
        var a12 = new Vector<float>(sys.J12, i0);
        var q1 = a * su - new Vector<float>(sys.B1, i0);
        var q2 = a * sv - new Vector<float>(sys.B2, i0);
        var det = a11 * a22 - a12 * a12;
        var nu = (a22 * q1 - a12 * q2) / det;
        var nv = (a11 * q2 - a12 * q1) / det;
        var omega = new Vector<float>(FlowCells.Omega);
        Vector.ConditionalSelect(mine, ui + omega * (nu - ui), ui).CopyTo(u, i0);
        Vector.ConditionalSelect(mine, vi + omega * (nv - vi), vi).CopyTo(v, i0);
    }
}

/// <summary>One pyramid level of one image: its feature planes and their gradients.</summary>
public sealed record FlowLevel(int W, int H, float[][] P, float[][] Gx, float[][] Gy)
{
    public static FlowLevel Of(int w, int h, float[][] planes) => Of(w, h, planes, false);

    /// <summary>The level with gradients from the shared pool when <paramref name="pooled"/> (the caller gives them back).</summary>
    internal static FlowLevel Of(int w, int h, float[][] planes, bool pooled)
    {
        var (gx, gy) = OpticalFlow.Gradients(planes, w, h, pooled);
        return new FlowLevel(w, h, planes, gx, gy);
    }
}

/// <summary>A warp's linearised per-pixel 2×2 systems: J = [J11 J12; J12 J22], right-hand side (B1, B2).</summary>
public sealed class FlowSystem
{
    public int W { get; }
    public int H { get; }
    public int N => W * H;
    /// <summary>Per-pixel terms; the arrays may be longer than <see cref="N"/> (a system stored in a larger one's arrays): pixels are [0, N).</summary>
    public float[] J11 { get; }
    public float[] J12 { get; }
    public float[] J22 { get; }
    public float[] B1 { get; }
    public float[] B2 { get; }

    public FlowSystem(int w, int h)
    {
        W = w; H = h;
        J11 = new float[w * h]; J12 = new float[w * h]; J22 = new float[w * h]; B1 = new float[w * h]; B2 = new float[w * h];
    }

    FlowSystem(int w, int h, float[] j11, float[] j12, float[] j22, float[] b1, float[] b2)
    {
        W = w; H = h;
        J11 = j11; J12 = j12; J22 = j22; B1 = b1; B2 = b2;
    }

    /// <summary>A w×h system in arrays from the shared pool (at least w·h long, old contents: a warp writes every term it reads first); <see cref="Return"/> gives them back.</summary>
    internal static FlowSystem Rent(int w, int h)
    {
        var pool = System.Buffers.ArrayPool<float>.Shared;
        int n = w * h;
        return new FlowSystem(w, h, pool.Rent(n), pool.Rent(n), pool.Rent(n), pool.Rent(n), pool.Rent(n));
    }

    /// <summary>Gives a <see cref="Rent"/>ed system's arrays back; the system (and any made in its storage) must not be used afterwards.</summary>
    internal void Return()
    {
        var pool = System.Buffers.ArrayPool<float>.Shared;
        pool.Return(J11); pool.Return(J12); pool.Return(J22); pool.Return(B1); pool.Return(B2);
    }

    /// <summary>A w×h system in <paramref name="storage"/>'s arrays (at least w·h long; every term a warp reads it writes first).</summary>
    public FlowSystem(int w, int h, FlowSystem storage)
    {
        if (storage.N < w * h) throw new ArgumentException($"a {storage.W}x{storage.H} system cannot hold {w}x{h}", nameof(storage));
        W = w; H = h;
        J11 = storage.J11; J12 = storage.J12; J22 = storage.J22; B1 = storage.B1; B2 = storage.B2;
    }
}
