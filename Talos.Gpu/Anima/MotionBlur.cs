using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using System.Runtime.Intrinsics;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Anima;

/// <summary>Frame size, shutter and sample budget of a motion-blur gather (plain fields, so ILGPU kernels take it).</summary>
public struct BlurShape
{
    public int W, H, N, MaxSamples;
    public float Shutter;
}

/// <summary>The per-pixel maths of ANIMA's motion blur, once: the CPU rows and the ILGPU kernel both call <see cref="Gather"/>.</summary>
public static class MotionCells
{
    /// <summary>
    /// Premultiplied RGBA at (x, y) averaged along its motion (fx, fy) — pixels per frame — over the open shutter
    /// (a fraction of the frame interval, centred on the frame): n = ⌈‖v‖·shutter⌉ + 1 samples (at most MaxSamples) evenly
    /// from −½ to +½ of the path, nearest pixel, clamped at the frame edges. Still pixels are returned as they are.
    /// The layer comes as its four planes (R, G, B, A; each W·H, indexed alike).
    /// </summary>
    public static Px Gather<TP, TF>(int x, int y, TP r, TP g, TP b, TP a, TF fx, TF fy, BlurShape s) where TP : struct, IField where TF : struct, IField
    {
        int p = y * s.W + x;
        float vx = fx[p] * s.Shutter, vy = fy[p] * s.Shutter;
        float len = XMath.Sqrt(vx * vx + vy * vy);
        if (len < 0.5f) return new Px(r[p], g[p], b[p], a[p]);
        int n = IntrinsicMath.Min(s.MaxSamples, (int)XMath.Ceiling(len) + 1);
        float sr = 0f, sg = 0f, sb = 0f, sa = 0f;
        for (int i = 0; i < n; i++)
        {
            float t = (float)i / (n - 1) - 0.5f;
            int qx = IntrinsicMath.Clamp(x + NearestPixel.Round(vx * t), 0, s.W - 1), qy = IntrinsicMath.Clamp(y + NearestPixel.Round(vy * t), 0, s.H - 1);
            int q = qy * s.W + qx;
            sr += r[q]; sg += g[q]; sb += b[q]; sa += a[q];
        }
        float inv = 1f / n;
        return new Px(sr * inv, sg * inv, sb * inv, sa * inv);
    }
}

/// <summary>
/// ANIMA's motion blur: a layer smeared along its flow over an open shutter (180° = 0.5 of the frame interval by default),
/// on the CPU (rows) or on the accelerator (a thread per pixel), through the same <see cref="MotionCells.Gather"/>.
/// The flow of a rig character comes from FLUX's motion: the displacement of its region seeds from the previous frame,
/// spread over the layer by inverse-distance weighting (<see cref="FlowFromSeeds"/>), so a swinging arm smears and a
/// still torso does not.
/// </summary>
public static class MotionBlur
{
    public const float DefaultShutter = 0.5f;
    const int MaxSamples = 24;

    static readonly KernelCache<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BlurShape>> Kernels =
        new(a => KernelLoader.Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BlurShape>>(a, GatherKernel));

    static void GatherKernel(Index2D idx, ArrayView<float> planes, ArrayView<float> fx, ArrayView<float> fy, ArrayView<float> dst, BlurShape s)
    {
        int p = idx.Y * s.W + idx.X;
        var o = MotionCells.Gather(idx.X, idx.Y, new DeviceField(planes.SubView(0, s.N)), new DeviceField(planes.SubView(s.N, s.N)),
            new DeviceField(planes.SubView(2 * s.N, s.N)), new DeviceField(planes.SubView(3 * s.N, s.N)), new DeviceField(fx), new DeviceField(fy), s);
        dst[p] = o.R; dst[p + s.N] = o.G; dst[p + 2 * s.N] = o.B; dst[p + 3 * s.N] = o.A;
    }

    /// <summary>
    /// A character's motion into a frame: its region seeds now and in the previous frame, matched by region name, as
    /// (x, y, dx, dy) in pixels. Seeds come part by part, so a region with as many seeds as before is matched in order;
    /// when a part's visible pieces split or merge (a leg passing behind another, both in the same region) the order no
    /// longer pairs like with like, and each seed is matched to the nearest seed of its region instead — a pairing by
    /// order there smeared a whole leg across the frame.
    /// </summary>
    public static List<(float X, float Y, float Dx, float Dy)> SeedMotion(IReadOnlyList<RegionSeed> now, IReadOnlyList<RegionSeed> before)
    {
        var points = new List<(float, float, float, float)>();
        foreach (var group in now.GroupBy(s => s.Region))
        {
            var old = before.Where(s => s.Region == group.Key).ToList();
            if (old.Count == 0) continue;
            if (old.Count == group.Count())
            {
                points.AddRange(group.Zip(old, (a, b) => (a.X, a.Y, a.X - b.X, a.Y - b.Y)));
                continue;
            }
            foreach (var a in group)
            {
                var b = old.MinBy(o => (o.X - a.X) * (o.X - a.X) + (o.Y - a.Y) * (o.Y - a.Y))!;
                points.Add((a.X, a.Y, a.X - b.X, a.Y - b.Y));
            }
        }
        return points;
    }

    /// <summary>
    /// A dense flow (pixels per frame) from matched points: at each pixel the inverse-square-distance weighted mean of the
    /// points' displacements (prev → now). Pixels of the layer only (alpha &gt; 0, grown by the largest displacement);
    /// elsewhere zero. Null when nothing moved by half a pixel.
    /// </summary>
    public static (float[] Fx, float[] Fy)? FlowFromSeeds(RgbaImage layer, IReadOnlyList<(float X, float Y, float Dx, float Dy)> points) =>
        FlowFromSeeds(layer, points, null, out _);

    /// <summary>
    /// <see cref="FlowFromSeeds(RgbaImage, IReadOnlyList{ValueTuple{float, float, float, float}})"/> of a layer known to be
    /// zero outside <paramref name="within"/> (null: anywhere), searched there alone; <paramref name="written"/> is the box
    /// outside which the flow is zero (empty when it is zero everywhere).
    /// </summary>
    public static (float[] Fx, float[] Fy)? FlowFromSeeds(RgbaImage layer, IReadOnlyList<(float X, float Y, float Dx, float Dy)> points,
        FrameCodec.Box? within, out Talos.Gpu.Raygen.AlphaBounds written)
    {
        written = default;
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0 || points.All(p => p.Dx * p.Dx + p.Dy * p.Dy < 0.25f)) return null;
        int w = layer.Width, h = layer.Height;
        var fx = FramePool.RentPlane(w * h);
        var fy = FramePool.RentPlane(w * h);
        // The smear reaches out by half the largest motion on each side: flow wherever the layer is within that distance.
        // Only the box around the alpha, grown by that reach, can be so near: the distances are taken there alone.
        int reach = (int)MathF.Ceiling(points.Max(p => MathF.Sqrt(p.Dx * p.Dx + p.Dy * p.Dy)) * 0.5f);
        if (!(within is { } inside ? Talos.Gpu.Raygen.AlphaBounds.Find(layer, inside, out var tight) : Talos.Gpu.Raygen.AlphaBounds.Find(layer, out tight))) return (fx, fy);
        var box = tight.Grow(reach, w, h);
        written = box;
        var near = System.Buffers.ArrayPool<int>.Shared.Rent(box.Width * box.Height);
        var pts = points.ToArray();
        try
        {
            WithinReach(layer.A, w, box, reach, near);
            Parallel.For(box.Y0, box.Y1, y => FlowRow(y, box, near, pts, w, fx, fy));
        }
        finally { System.Buffers.ArrayPool<int>.Shared.Return(near); }
        return (fx, fy);
    }

    /// <summary>
    /// <c>within[j·bw + i]</c> (bw = the box's width) = −1 where pixel (box.X0 + i, box.Y0 + j) lies within
    /// <paramref name="reach"/> pixels (Euclidean, at most) of a pixel of the box whose alpha is above 0, else 0: the pixels
    /// whose exact distance transform is at most <paramref name="reach"/> (its squared distance, an integer, at most
    /// reach²). Each column's distance to its nearest such pixel (two sweeps, a vector of columns at a time, capped at
    /// reach + 1), then in each row the columns each pixel's nearest reaches, ⌊√(reach² − v²)⌋ either side (two sweeps):
    /// no envelope of parabolas, no square roots.
    /// </summary>
    public static void WithinReach(float[] alpha, int width, Talos.Gpu.Raygen.AlphaBounds box, int reach, int[] within)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        ArgumentNullException.ThrowIfNull(within);
        int bw = box.Width, bh = box.Height, cap = reach + 1, lanes = System.Numerics.Vector<int>.Count;
        if (reach < 0 || reach > 2048) throw new ArgumentOutOfRangeException(nameof(reach), reach, "reach must be in [0, 2048]");
        if (bw <= 0 || bh <= 0) return;
        if (within.Length < bw * bh) throw new ArgumentException($"within holds {within.Length} pixels, not {bw}x{bh}", nameof(within));
        var vcap = new System.Numerics.Vector<int>(cap);
        var one = System.Numerics.Vector<int>.One;
        for (int j = 0; j < bh; j++)
        {
            var a = alpha.AsSpan((box.Y0 + j) * width + box.X0, bw);
            int row = j * bw, i = 0;
            for (; i + lanes <= bw; i += lanes)
            {
                var above = j > 0 ? new System.Numerics.Vector<int>(within, row - bw + i) : vcap;
                var covered = System.Numerics.Vector.GreaterThan(new System.Numerics.Vector<float>(a[i..]), System.Numerics.Vector<float>.Zero);
                System.Numerics.Vector.ConditionalSelect(covered, System.Numerics.Vector<int>.Zero, System.Numerics.Vector.Min(above + one, vcap)).CopyTo(within, row + i);
            }
            for (; i < bw; i++) within[row + i] = a[i] > 0f ? 0 : Math.Min((j > 0 ? within[row - bw + i] : cap) + 1, cap);
        }
        for (int j = bh - 2; j >= 0; j--)
        {
            int row = j * bw, i = 0;
            for (; i + lanes <= bw; i += lanes)
                System.Numerics.Vector.Min(new System.Numerics.Vector<int>(within, row + i), new System.Numerics.Vector<int>(within, row + bw + i) + one).CopyTo(within, row + i);
            for (; i < bw; i++) within[row + i] = Math.Min(within[row + i], within[row + bw + i] + 1);
        }
        // half[v]: the most columns away a pixel v rows from its column's nearest covered pixel is within reach (−1: none)
        var half = new int[cap + 1];
        for (int v = 0; v <= cap; v++)
        {
            int left = reach * reach - v * v, k = -1;
            while (left >= 0 && (k + 1) * (k + 1) <= left) k++;
            half[v] = k;
        }
        Parallel.For(0, bh, () => new int[bw], (j, _, o) =>
        {
            var v = within.AsSpan(j * bw, bw);
            int right = -1; // the furthest column a pixel at or left of i reaches
            for (int i = 0; i < bw; i++)
            {
                right = Math.Max(right, i + half[v[i]]);
                o[i] = i <= right ? -1 : 0;
            }
            int leftmost = int.MaxValue; // the nearest column a pixel at or right of i reaches
            for (int i = bw - 1; i >= 0; i--)
            {
                int k = half[v[i]];
                if (k >= 0) leftmost = Math.Min(leftmost, i - k);
                if (i >= leftmost) o[i] = -1;
            }
            o.AsSpan(0, bw).CopyTo(v);
            return o;
        }, _ => { });
    }

    /// <summary>
    /// One row of <see cref="FlowFromSeeds"/>'s inverse-distance weighting: a vector of pixels at a time, each lane the
    /// same operations in the same order as the scalar loop for its pixel (so the same bits), stored where the layer is
    /// within reach.
    /// </summary>
    static void FlowRow(int y, Talos.Gpu.Raygen.AlphaBounds box, int[] within, (float X, float Y, float Dx, float Dy)[] pts, int w,
        float[] fx, float[] fy)
    {
        int bw = box.Width, x = box.X0, lanes = System.Numerics.Vector<float>.Count;
        var near = within.AsSpan((y - box.Y0) * bw, bw);
        Span<float> ramp = stackalloc float[lanes];
        for (int l = 0; l < lanes; l++) ramp[l] = l;
        var offsets = new System.Numerics.Vector<float>(ramp);
        var half = new System.Numerics.Vector<float>(0.5f);
        var four = new System.Numerics.Vector<float>(4f);
        for (; x + lanes <= box.X1; x += lanes)
        {
            var inReach = new System.Numerics.Vector<int>(near[(x - box.X0)..]);
            if (System.Numerics.Vector.EqualsAll(inReach, System.Numerics.Vector<int>.Zero)) continue;
            // (float)x + lane is exact (|x| < 2^24), so px + 0.5f is the scalar x + 0.5f of each lane's pixel
            var px = (new System.Numerics.Vector<float>(x) + offsets) + half;
            var sw = System.Numerics.Vector<float>.Zero; var sx = sw; var sy = sw;
            foreach (var q in pts)
            {
                var dx = px - new System.Numerics.Vector<float>(q.X);
                var dy = new System.Numerics.Vector<float>(y + 0.5f - q.Y);
                var wq = System.Numerics.Vector<float>.One / (dx * dx + dy * dy + four);
                sw += wq; sx += new System.Numerics.Vector<float>(q.Dx) * wq; sy += new System.Numerics.Vector<float>(q.Dy) * wq;
            }
            int p = y * w + x;
            var mask = System.Numerics.Vector.AsVectorSingle(inReach);
            System.Numerics.Vector.ConditionalSelect(mask, sx / sw, new System.Numerics.Vector<float>(fx.AsSpan(p))).CopyTo(fx.AsSpan(p));
            System.Numerics.Vector.ConditionalSelect(mask, sy / sw, new System.Numerics.Vector<float>(fy.AsSpan(p))).CopyTo(fy.AsSpan(p));
        }
        for (; x < box.X1; x++)
        {
            int p = y * w + x;
            if (near[x - box.X0] == 0) continue;
            float sw = 0f, sx = 0f, sy = 0f;
            foreach (var q in pts)
            {
                float dx = x + 0.5f - q.X, dy = y + 0.5f - q.Y;
                float wq = 1f / (dx * dx + dy * dy + 4f);
                sw += wq; sx += q.Dx * wq; sy += q.Dy * wq;
            }
            fx[p] = sx / sw; fy[p] = sy / sw;
        }
    }

    /// <summary>The layer smeared along the flow, on the current compute device.</summary>
    public static RgbaImage Apply(RgbaImage layer, float[] fx, float[] fy, float shutter = DefaultShutter)
    {
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return ApplyIlgpu(gpu, layer, fx, fy, shutter);
        return ApplyCpu(layer, fx, fy, shutter);
    }

    static BlurShape Shape(RgbaImage layer, float[] fx, float[] fy, float shutter)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(fx);
        ArgumentNullException.ThrowIfNull(fy);
        if (fx.Length != layer.PixelCount || fy.Length != layer.PixelCount) throw new ArgumentException("flow and layer differ in size", nameof(fx));
        if (!float.IsFinite(shutter) || shutter < 0f || shutter > 1f) throw new ArgumentOutOfRangeException(nameof(shutter), shutter, "shutter must be in [0, 1]");
        return new BlurShape { W = layer.Width, H = layer.Height, N = layer.PixelCount, MaxSamples = MaxSamples, Shutter = shutter };
    }

    /// <summary>
    /// The CPU path: a still pixel is its own average (<see cref="MotionCells.Gather"/>), so the layer is copied and only
    /// the rows and columns where the flow is non-zero are gathered (a character covers a small part of the frame).
    /// </summary>
    public static RgbaImage ApplyCpu(RgbaImage layer, float[] fx, float[] fy, float shutter = DefaultShutter) =>
        ApplyCpu(layer, fx, fy, shutter, null, null, out _);

    /// <summary>
    /// <see cref="Apply(RgbaImage, float[], float[], float)"/> of a layer zero outside <paramref name="layerWithin"/> with a
    /// flow zero outside <paramref name="flowWithin"/> (each null: anywhere): only those boxes are read. <paramref name="written"/>
    /// is a box outside which the result is zero (null when not known).
    /// </summary>
    public static RgbaImage Apply(RgbaImage layer, float[] fx, float[] fy, Talos.Gpu.Raygen.AlphaBounds flowWithin, FrameCodec.Box? layerWithin,
        out FrameCodec.Box? written)
    {
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) { written = null; return ApplyIlgpu(gpu, layer, fx, fy, DefaultShutter); }
        return ApplyCpu(layer, fx, fy, DefaultShutter, flowWithin, layerWithin, out written);
    }

    static RgbaImage ApplyCpu(RgbaImage layer, float[] fx, float[] fy, float shutter, Talos.Gpu.Raygen.AlphaBounds? flowWithin, FrameCodec.Box? layerWithin,
        out FrameCodec.Box? written)
    {
        var s = Shape(layer, fx, fy, shutter);
        written = null;
        RgbaImage o;
        if (layerWithin is { } lb)
        {
            // the same bits as a whole copy: outside the stored box both are zero
            o = FramePool.Rent(s.W, s.H);
            Talos.Gpu.Raygen.AlphaBounds.CopyBox(layer, o, new Talos.Gpu.Raygen.AlphaBounds(lb.X, lb.Y, lb.X + lb.W, lb.Y + lb.H));
        }
        else o = Talos.Gpu.Raygen.AlphaBounds.SparseClone(layer, out _); // the same bits as a whole copy, only the painted box written
        var window = flowWithin ?? new Talos.Gpu.Raygen.AlphaBounds(0, 0, s.W, s.H);
        if (!FlowBox(fx, fy, s.W, window, out int x0, out int y0, out int x1, out int y1))
        {
            if (layerWithin is not null) written = layerWithin;
            return o;
        }
        if (layerWithin is { } l)
        {
            int ux0 = Math.Min(l.X, x0), uy0 = Math.Min(l.Y, y0);
            written = l.Count == 0 ? new FrameCodec.Box(x0, y0, x1 - x0, y1 - y0)
                : new FrameCodec.Box(ux0, uy0, Math.Max(l.X + l.W, x1) - ux0, Math.Max(l.Y + l.H, y1) - uy0);
        }
        var (hr, hg, hb, ha) = (new HostField(layer.R), new HostField(layer.G), new HostField(layer.B), new HostField(layer.A));
        var (hx, hy) = (new HostField(fx), new HostField(fy));
        Parallel.For(y0, y1, y =>
        {
            for (int x = x0, p = y * s.W + x0; x < x1; x++, p++)
            {
                // no flow (+0 or −0 both ways): Gather returns the pixel as it is, already copied into o
                if (fx[p] == 0f && fy[p] == 0f) continue;
                var c = MotionCells.Gather(x, y, hr, hg, hb, ha, hx, hy, s);
                o.R[p] = c.R; o.G[p] = c.G; o.B[p] = c.B; o.A[p] = c.A;
            }
        });
        return o;
    }

    /// <summary>
    /// <see cref="Apply(RgbaImage, float[], float[], Talos.Gpu.Raygen.AlphaBounds, FrameCodec.Box?, out FrameCodec.Box?)"/>
    /// into the layer itself (the same bits as the blurred copy; for a caller that no longer needs the sharp layer): on
    /// the CPU the moving pixels (flow not zero either way) are gathered from the sharp planes into scratch planes
    /// of the flow's box alone (<see cref="Scratch"/>: nothing cleared, no fresh pages) and then written over them, so the
    /// stored box is not copied.
    /// <paramref name="written"/>: the box outside which the blurred layer is zero (the stored box and the flow's, or the
    /// whole frame on an accelerator). With the stored rows' spans (<paramref name="layerSpans"/>, as
    /// <see cref="FrameCodec.DecodeRgba(byte[], out FrameCodec.Box, out int[])"/> gives them), <paramref name="spans"/> are
    /// the blurred rows' spans over <paramref name="written"/> in the same form (each row's first to last pixel whose bits
    /// are not zero in some plane; (0, 0) for a row of zero bits); else null.
    /// </summary>
    public static void ApplyInPlace(RgbaImage layer, float[] fx, float[] fy, Talos.Gpu.Raygen.AlphaBounds flowWithin, FrameCodec.Box layerWithin,
        int[]? layerSpans, out FrameCodec.Box written, out int[]? spans)
    {
        var s = Shape(layer, fx, fy, DefaultShutter);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu)
        {
            var blurred = ApplyIlgpu(gpu, layer, fx, fy, DefaultShutter);
            blurred.R.CopyTo(layer.R, 0); blurred.G.CopyTo(layer.G, 0); blurred.B.CopyTo(layer.B, 0); blurred.A.CopyTo(layer.A, 0);
            (written, spans) = (new FrameCodec.Box(0, 0, s.W, s.H), null);
            return;
        }
        if (layerSpans is not null && layerSpans.Length < 2 * layerWithin.H) throw new ArgumentException($"{layerSpans.Length / 2} spans for {layerWithin.H} rows", nameof(layerSpans));
        if (!FlowBox(fx, fy, s.W, flowWithin, out int x0, out int y0, out int x1, out int y1))
        {
            (written, spans) = (layerWithin, layerSpans);
            return;
        }
        var l = layerWithin;
        int ux0 = Math.Min(l.X, x0), uy0 = Math.Min(l.Y, y0);
        written = l.Count == 0 ? new FrameCodec.Box(x0, y0, x1 - x0, y1 - y0)
            : new FrameCodec.Box(ux0, uy0, Math.Max(l.X + l.W, x1) - ux0, Math.Max(l.Y + l.H, y1) - uy0);
        // the gathered pixels in four planes of the flow's box alone (rented from the blur's own bounded pool, kept faulted in
        // between frames): the write-back reads only what the gather wrote (the moving pixels), so nothing is cleared
        int bw = x1 - x0, bn = bw * (y1 - y0);
        var planes = ScratchPool.Rent(4 * bn);
        try
        {
            var scratch = new Scratch(planes, bn, bw, x0, y0);
            var (hr, hg, hb, ha) = (new HostField(layer.R), new HostField(layer.G), new HostField(layer.B), new HostField(layer.A));
            var (hx, hy) = (new HostField(fx), new HostField(fy));
            Parallel.For(y0, y1, y =>
            {
                int x = GatherVectors(layer, fx, fy, s, y, x0, x1, scratch);
                for (int p = y * s.W + x, q = scratch.At(x, y); x < x1; x++, p++, q++)
                {
                    // no flow (+0 or −0 both ways): Gather returns the pixel as it is, so it stays
                    if (fx[p] == 0f && fy[p] == 0f) continue;
                    var c = MotionCells.Gather(x, y, hr, hg, hb, ha, hx, hy, s);
                    (planes[q], planes[bn + q], planes[2 * bn + q], planes[3 * bn + q]) = (c.R, c.G, c.B, c.A);
                }
            });
            var rows = layerSpans is null ? null : new int[2 * written.H];
            var box = written;
            Parallel.For(y0, y1, y => WriteBack(layer, fx, fy, scratch, x0, x1, y, layerWithin, layerSpans, rows, box));
            if (rows is not null)
                for (int y = box.Y; y < box.Y + box.H; y++)
                    if (y < y0 || y >= y1) (rows[2 * (y - box.Y)], rows[2 * (y - box.Y) + 1]) = StoredSpan(layerWithin, layerSpans!, y);
            spans = rows;
        }
        finally { ScratchPool.Return(planes); }
    }

    /// <summary>
    /// <see cref="ApplyInPlace"/>'s gathered pixels: four planes (R, G, B, A, <see cref="N"/> floats each) of the flow's box
    /// (<see cref="W"/> wide, from column <see cref="X0"/> and row <see cref="Y0"/>) in one array. Only the moving pixels
    /// are written, and only they are read.
    /// </summary>
    readonly record struct Scratch(float[] Planes, int N, int W, int X0, int Y0)
    {
        /// <summary>The index of pixel (x, y) in the R plane (add N, 2N, 3N for G, B, A).</summary>
        public int At(int x, int y) => (y - Y0) * W + (x - X0);
    }

    /// <summary>
    /// The scratch of <see cref="ApplyInPlace"/>: a pool of its own (as the codec's, so not one array per thread that ever
    /// blurred, as <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps), at most four arrays of each power-of-two length
    /// up to four 1280×720 planes; a longer one is rented new and left to the GC.
    /// </summary>
    static readonly System.Buffers.ArrayPool<float> ScratchPool = System.Buffers.ArrayPool<float>.Create(1 << 22, 4);

    /// <summary>
    /// <see cref="MotionCells.Gather"/> of row <paramref name="y"/>'s pixels from <paramref name="x0"/> on, eight at a time
    /// on AVX2, into the scratch's planes (<see cref="Scratch.At"/>); lanes whose flow is zero both ways are left to the
    /// write-back (they keep the layer's pixel). Per lane the
    /// same operations in the same order as the scalar gather (path length, sample count, ⌈·⌉, the nearest pixel's
    /// floor/half/compare, the clamps, the sums in sample order, × 1/n), so the same bits; a vector with a path longer
    /// than 2^20 px or not finite is left to the scalar gather. Returns the first pixel not done.
    /// </summary>
    static unsafe int GatherVectors(RgbaImage layer, float[] fx, float[] fy, BlurShape s, int y, int x0, int x1, Scratch scratch)
    {
        int x = x0;
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) return x;
        var zero = Vector256<float>.Zero;
        var shutter = Vector256.Create(s.Shutter);
        var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var maxX = Vector256.Create(s.W - 1);
        var maxY = Vector256.Create(s.H - 1);
        var width = Vector256.Create(s.W);
        fixed (float* pr = layer.R, pg = layer.G, pb = layer.B, pa = layer.A)
            for (; x + 8 <= x1; x += 8)
            {
                int p = y * s.W + x;
                var ffx = Vector256.Create(fx.AsSpan(p, 8));
                var ffy = Vector256.Create(fy.AsSpan(p, 8));
                var still = Vector256.Equals(ffx, zero) & Vector256.Equals(ffy, zero);
                if (still.AsInt32() == Vector256<int>.AllBitsSet) continue;
                var vx = ffx * shutter;
                var vy = ffy * shutter;
                var len = Vector256.Sqrt(vx * vx + vy * vy);
                // the lanes that gather: moving, and not shorter than half a pixel (NaN is not shorter: it would gather)
                var gathers = ~still & ~Vector256.LessThan(len, Vector256.Create(0.5f));
                if ((gathers & ~Vector256.LessThanOrEqual(len, Vector256.Create(1048576f))).AsInt32() != Vector256<int>.Zero) return x; // long or NaN paths: scalar
                var count = Vector256.Min(Vector256.ConvertToInt32(Vector256.Ceiling(len)) + Vector256<int>.One, Vector256.Create(s.MaxSamples));
                count = Vector256.ConditionalSelect(gathers.AsInt32(), count, Vector256.Create(2)); // a lane that does not gather: any count
                int most = 0;
                for (int k = 0; k < 8; k++) most = Math.Max(most, count[k]);
                var steps = Vector256.ConvertToSingle(count - Vector256<int>.One);
                var sr = zero; var sg = zero; var sb = zero; var sa = zero;
                var px = Vector256.Create(x) + lane;
                var py = Vector256.Create(y);
                var own = Vector256.Create(p) + lane;
                for (int i = 0; i < most; i++)
                {
                    var active = gathers.AsInt32() & Vector256.LessThan(Vector256.Create(i), count);
                    var t = Vector256.Create((float)i) / steps - Vector256.Create(0.5f);
                    var qx = Vector256.Max(Vector256.Min(px + Round(vx * t), maxX), Vector256<int>.Zero);
                    var qy = Vector256.Max(Vector256.Min(py + Round(vy * t), maxY), Vector256<int>.Zero);
                    var q = Vector256.ConditionalSelect(active, System.Runtime.Intrinsics.X86.Avx2.MultiplyLow(qy, width) + qx, own);
                    var on = active.AsSingle();
                    sr = Vector256.ConditionalSelect(on, sr + System.Runtime.Intrinsics.X86.Avx2.GatherVector256(pr, q, 4), sr);
                    sg = Vector256.ConditionalSelect(on, sg + System.Runtime.Intrinsics.X86.Avx2.GatherVector256(pg, q, 4), sg);
                    sb = Vector256.ConditionalSelect(on, sb + System.Runtime.Intrinsics.X86.Avx2.GatherVector256(pb, q, 4), sb);
                    sa = Vector256.ConditionalSelect(on, sa + System.Runtime.Intrinsics.X86.Avx2.GatherVector256(pa, q, 4), sa);
                }
                var inv = Vector256<float>.One / Vector256.ConvertToSingle(count);
                // a lane shorter than half a pixel is its own pixel (Gather returns it as it is)
                int o = scratch.At(x, y), sn = scratch.N;
                var planes = scratch.Planes;
                Vector256.ConditionalSelect(gathers, sr * inv, Vector256.Create(layer.R.AsSpan(p, 8))).CopyTo(planes.AsSpan(o, 8));
                Vector256.ConditionalSelect(gathers, sg * inv, Vector256.Create(layer.G.AsSpan(p, 8))).CopyTo(planes.AsSpan(sn + o, 8));
                Vector256.ConditionalSelect(gathers, sb * inv, Vector256.Create(layer.B.AsSpan(p, 8))).CopyTo(planes.AsSpan(2 * sn + o, 8));
                Vector256.ConditionalSelect(gathers, sa * inv, Vector256.Create(layer.A.AsSpan(p, 8))).CopyTo(planes.AsSpan(3 * sn + o, 8));
            }
        return x;
    }

    /// <summary><see cref="NearestPixel.Round"/> per lane: floor, + ½, compares (round half to even).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Round(Vector256<float> v)
    {
        var f = Vector256.Floor(v);
        var half = f + Vector256.Create(0.5f);
        var i = Vector256.ConvertToInt32(f);
        var even = i + (i & Vector256<int>.One);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(v, half).AsInt32(), i + Vector256<int>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(v, half).AsInt32(), i, even));
    }

    /// <summary>Bit k set where lane k of <paramref name="v"/> is not zero.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static uint NonZeroLanes(System.Numerics.Vector<uint> v)
    {
        var zero = System.Numerics.Vector.Equals(v, System.Numerics.Vector<uint>.Zero);
        if (System.Numerics.Vector<uint>.Count == 8) return ~zero.AsVector256().ExtractMostSignificantBits() & 0xFFu;
        uint set = 0;
        for (int k = 0; k < System.Numerics.Vector<uint>.Count; k++) if (v[k] != 0) set |= 1u << k;
        return set;
    }

    /// <summary>Row <paramref name="y"/>'s span in the stored rows' spans ((0, 0) outside the stored box).</summary>
    static (int, int) StoredSpan(FrameCodec.Box stored, int[] spans, int y) =>
        y < stored.Y || y >= stored.Y + stored.H ? (0, 0) : (spans[2 * (y - stored.Y)], spans[2 * (y - stored.Y) + 1]);

    /// <summary>
    /// One row of <see cref="ApplyInPlace"/>: the gathered pixels (flow not zero either way, as the gather chose them)
    /// written over the layer's row in [x0, x1), a vector at a time; with spans, the row's span found as well: the
    /// pixels outside [x0, x1) are the sharp row's, zero outside its span, so only that span's part beside [x0, x1) may
    /// need a search.
    /// </summary>
    static void WriteBack(RgbaImage layer, float[] fx, float[] fy, Scratch scratch, int x0, int x1, int y,
        FrameCodec.Box stored, int[]? storedSpans, int[]? rows, FrameCodec.Box written)
    {
        int w = layer.Width, row = y * w, x = x0, lanes = System.Numerics.Vector<float>.Count;
        // pixel p of this row is element p − shift of the scratch's R plane (+ N, 2N, 3N: G, B, A)
        int shift = row + x0 - scratch.At(x0, y), sn = scratch.N;
        var planes = scratch.Planes;
        int first = -1, last = -1; // the first and last pixel in [x0, x1) whose bits are not zero after the write
        int lastVector = -1; uint lastLanes = 0; // the last vector with such a pixel, and which of its lanes are
        var zero = System.Numerics.Vector<float>.Zero;
        for (; x + lanes <= x1; x += lanes)
        {
            int p = row + x;
            var still = System.Numerics.Vector.Equals(new System.Numerics.Vector<float>(fx, p), zero)
                & System.Numerics.Vector.Equals(new System.Numerics.Vector<float>(fy, p), zero);
            int q = p - shift;
            var r = System.Numerics.Vector.ConditionalSelect(still, new System.Numerics.Vector<float>(layer.R, p), new System.Numerics.Vector<float>(planes, q));
            var g = System.Numerics.Vector.ConditionalSelect(still, new System.Numerics.Vector<float>(layer.G, p), new System.Numerics.Vector<float>(planes, sn + q));
            var b = System.Numerics.Vector.ConditionalSelect(still, new System.Numerics.Vector<float>(layer.B, p), new System.Numerics.Vector<float>(planes, 2 * sn + q));
            var a = System.Numerics.Vector.ConditionalSelect(still, new System.Numerics.Vector<float>(layer.A, p), new System.Numerics.Vector<float>(planes, 3 * sn + q));
            r.CopyTo(layer.R, p); g.CopyTo(layer.G, p); b.CopyTo(layer.B, p); a.CopyTo(layer.A, p);
            if (rows is null) continue;
            var any = System.Numerics.Vector.AsVectorUInt32(r) | System.Numerics.Vector.AsVectorUInt32(g)
                | System.Numerics.Vector.AsVectorUInt32(b) | System.Numerics.Vector.AsVectorUInt32(a);
            uint set = NonZeroLanes(any);
            if (set == 0) continue;
            if (first < 0) first = x + System.Numerics.BitOperations.TrailingZeroCount(set);
            (lastVector, lastLanes) = (x, set);
        }
        if (lastVector >= 0) last = lastVector + 31 - System.Numerics.BitOperations.LeadingZeroCount(lastLanes);
        for (; x < x1; x++)
        {
            int p = row + x;
            int q = p - shift;
            if (!(fx[p] == 0f && fy[p] == 0f))
                (layer.R[p], layer.G[p], layer.B[p], layer.A[p]) = (planes[q], planes[sn + q], planes[2 * sn + q], planes[3 * sn + q]);
            if (rows is not null && (BitConverter.SingleToUInt32Bits(layer.R[p]) | BitConverter.SingleToUInt32Bits(layer.G[p])
                | BitConverter.SingleToUInt32Bits(layer.B[p]) | BitConverter.SingleToUInt32Bits(layer.A[p])) != 0)
            { if (first < 0) first = x; last = x; }
        }
        if (rows is null) return;
        // the sharp row's span [s0, s1): its first and last pixels are not zero; outside [x0, x1) they are unchanged
        var (s0, s1) = StoredSpan(stored, storedSpans!, y);
        bool sharp = s1 > s0;
        int f, e; // the blurred row's first and last non-zero pixel, -1: none
        if (sharp && s0 < x0) f = s0;
        else if (first >= 0) f = first;
        else f = sharp && s1 > x1 && Compositor.NonZeroSpan(layer, row + Math.Max(x1, s0), s1 - Math.Max(x1, s0), out int a0, out _) ? Math.Max(x1, s0) + a0 : -1;
        if (sharp && s1 > x1) e = s1 - 1;
        else if (last >= 0) e = last;
        else e = sharp && s0 < x0 && Compositor.NonZeroSpan(layer, row + s0, Math.Min(x0, s1) - s0, out _, out int b1) ? s0 + b1 - 1 : -1;
        int k2 = 2 * (y - written.Y);
        (rows[k2], rows[k2 + 1]) = f < 0 ? (0, 0) : (f, e + 1);
    }

    /// <summary>
    /// The box [x0,x1)×[y0,y1) holding every pixel whose flow is not zero (bit for bit), searched in
    /// <paramref name="window"/> (the flow is zero outside it); false when none is.
    /// </summary>
    static bool FlowBox(float[] fx, float[] fy, int w, Talos.Gpu.Raygen.AlphaBounds window, out int x0, out int y0, out int x1, out int y1)
    {
        int h = window.Y1, bw = window.Width;
        (x0, y0, x1, y1) = (w, h, 0, 0);
        if (bw <= 0) return false;
        for (int y = window.Y0; y < window.Y1; y++)
        {
            var rx = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(fx.AsSpan(y * w + window.X0, bw));
            var ry = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(fy.AsSpan(y * w + window.X0, bw));
            int fx0 = rx.IndexOfAnyExcept(0u), fy0 = ry.IndexOfAnyExcept(0u);
            if (fx0 < 0 && fy0 < 0) continue;
            int first = fx0 < 0 ? fy0 : fy0 < 0 ? fx0 : Math.Min(fx0, fy0);
            int last = Math.Max(rx.LastIndexOfAnyExcept(0u), ry.LastIndexOfAnyExcept(0u));
            if (y0 == h) y0 = y;
            y1 = y + 1;
            x0 = Math.Min(x0, window.X0 + first); x1 = Math.Max(x1, window.X0 + last + 1);
        }
        return y1 > 0;
    }

    public static RgbaImage ApplyIlgpu(Accelerator accelerator, RgbaImage layer, float[] fx, float[] fy, float shutter = DefaultShutter)
    {
        var s = Shape(layer, fx, fy, shutter);
        var kernel = Kernels.For(accelerator);
        using var planes = accelerator.Allocate1D(Pack(layer));
        using var bx = accelerator.Allocate1D(fx);
        using var by = accelerator.Allocate1D(fy);
        using var dst = accelerator.Allocate1D<float>(4 * s.N);
        kernel(new Index2D(s.W, s.H), planes.View, bx.View, by.View, dst.View, s);
        accelerator.Synchronize();
        return Unpack(dst.GetAsArray1D(), s.W, s.H);
    }

    static float[] Pack(RgbaImage img)
    {
        int n = img.PixelCount;
        var planes = new float[4 * n];
        img.R.CopyTo(planes, 0); img.G.CopyTo(planes, n); img.B.CopyTo(planes, 2 * n); img.A.CopyTo(planes, 3 * n);
        return planes;
    }

    static RgbaImage Unpack(float[] planes, int w, int h)
    {
        var o = new RgbaImage(w, h);
        int n = o.PixelCount;
        Array.Copy(planes, 0, o.R, 0, n); Array.Copy(planes, n, o.G, 0, n); Array.Copy(planes, 2 * n, o.B, 0, n); Array.Copy(planes, 3 * n, o.A, 0, n);
        return o;
    }
}
