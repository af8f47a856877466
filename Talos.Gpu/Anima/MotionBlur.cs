using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
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
        int bw = box.Width, bh = box.Height, n = bw * bh;
        var covered = System.Buffers.ArrayPool<bool>.Shared.Rent(n);
        float[] distance;
        try
        {
            for (int j = 0; j < bh; j++)
            {
                var a = layer.A.AsSpan((box.Y0 + j) * w + box.X0, bw);
                for (int i = 0; i < bw; i++) covered[j * bw + i] = a[i] > 0f;
            }
            distance = Talos.Gpu.Flux.DistanceTransform.ComputePooled(covered.AsSpan(0, n), bw, bh, reach + 1);
        }
        finally { System.Buffers.ArrayPool<bool>.Shared.Return(covered); }
        var pts = points.ToArray();
        try
        {
            Parallel.For(box.Y0, box.Y1, y => FlowRow(y, box, reach, distance, pts, w, fx, fy));
        }
        finally { System.Buffers.ArrayPool<float>.Shared.Return(distance); }
        return (fx, fy);
    }

    /// <summary>
    /// One row of <see cref="FlowFromSeeds"/>'s inverse-distance weighting: a vector of pixels at a time, each lane the
    /// same operations in the same order as the scalar loop for its pixel (so the same bits), stored where the layer is
    /// within reach.
    /// </summary>
    static void FlowRow(int y, Talos.Gpu.Raygen.AlphaBounds box, int reach, float[] distance, (float X, float Y, float Dx, float Dy)[] pts, int w,
        float[] fx, float[] fy)
    {
        int bw = box.Width, x = box.X0, lanes = System.Numerics.Vector<float>.Count;
        var near = distance.AsSpan((y - box.Y0) * bw, bw);
        var vreach = new System.Numerics.Vector<float>(reach);
        Span<float> ramp = stackalloc float[lanes];
        for (int l = 0; l < lanes; l++) ramp[l] = l;
        var offsets = new System.Numerics.Vector<float>(ramp);
        var half = new System.Numerics.Vector<float>(0.5f);
        var four = new System.Numerics.Vector<float>(4f);
        for (; x + lanes <= box.X1; x += lanes)
        {
            var inReach = System.Numerics.Vector.LessThanOrEqual(new System.Numerics.Vector<float>(near[(x - box.X0)..]), vreach);
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
            if (near[x - box.X0] > reach) continue;
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
