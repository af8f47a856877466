using System.Buffers;
using System.Numerics;
using Talos.Gpu.Aether;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

public static partial class Lighting
{
    /// <summary>Straight-colour luma under which a painted pixel counts as ink (a line between regions).</summary>
    public const float InkLuma = 0.012f;

    /// <summary>Ambient occlusion in the deepest crease (where two regions meet), as a share of the ambient and fill.</summary>
    public const float AoFloor = 0.45f;

    /// <summary>
    /// 2.5D shading of a flat-coloured layer: the layer times its light map (<see cref="LightMap"/>). Alpha is unchanged
    /// and dark ink stays dark.
    /// </summary>
    public static RgbaImage LightLayer(RgbaImage layer, LightRig light) => Apply(layer, LightMap(layer, light));

    /// <summary>
    /// The layer's light map: per pixel, the light (RGB, linear, may exceed 1 under a strong key or rim) its paint
    /// receives, with the layer's alpha. Normals come from the region shapes: the distance of each painted pixel to
    /// the nearest ink line or silhouette edge (an exact Euclidean distance transform) is turned into a rounded bevel
    /// <see cref="BevelWidth"/> pixels wide, so every region — a sleeve, a face, a shoe — bulges on its own, and the
    /// creases between them get ambient occlusion. Only the box around the alpha is computed.
    /// </summary>
    public static RgbaImage LightMap(RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return IlgpuLighting.LightMap(gpu, layer, light);
        return LightMapCpu(layer, light);
    }

    /// <summary><see cref="LightMap(RgbaImage, LightRig)"/> with the layer's alpha box already found (null: no paint).</summary>
    public static RgbaImage LightMap(RgbaImage layer, LightRig light, AlphaBounds? tight)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu) return IlgpuLighting.LightMap(gpu, layer, light);
        return LightMapCpu(layer, light, tight);
    }

    /// <summary>The paint of <paramref name="layer"/> times the light of <paramref name="map"/> (alpha kept).</summary>
    public static RgbaImage Apply(RgbaImage layer, RgbaImage map)
    {
        ArgumentNullException.ThrowIfNull(layer);
        bool painted = AlphaBounds.Find(layer, out var tight);
        return Apply(layer, map, painted ? tight : null, out _);
    }

    /// <summary>
    /// <see cref="Apply(RgbaImage, RgbaImage)"/> with the layer's alpha box already found (<see cref="AlphaBounds.Find"/>;
    /// null when no pixel has alpha above zero). The result's planes come from <see cref="FramePool"/>; only the box of
    /// the layer's non-zero pixels is written (<paramref name="written"/>, empty when none): outside it the lit layer is
    /// zero, as the layer is.
    /// </summary>
    public static RgbaImage Apply(RgbaImage layer, RgbaImage map, AlphaBounds? tight, out AlphaBounds written) =>
        Apply(layer, map, tight, null, out written);

    /// <summary>
    /// <see cref="Apply(RgbaImage, RgbaImage, AlphaBounds?, out AlphaBounds)"/> of a layer whose every pixel outside
    /// <paramref name="within"/> is zero bits (null: anywhere; a decoded layer's stored box): its non-zero box is searched there alone.
    /// </summary>
    public static RgbaImage Apply(RgbaImage layer, RgbaImage map, AlphaBounds? tight, Talos.Gpu.Imaging.FrameCodec.Box? within, out AlphaBounds written)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Width != layer.Width || map.Height != layer.Height) throw new ArgumentException("light map and layer differ in size", nameof(map));
        if (tight is not { } box) return AlphaBounds.SparseClone(layer, within, out written);
        var o = FramePool.Rent(layer.Width, layer.Height);
        if (!(within is { } inside ? AlphaBounds.NonZero(layer, inside, out written) : AlphaBounds.NonZero(layer, out written))) return o;
        int w = layer.Width;
        // Alpha above zero is a non-zero bit, so the alpha box lies in the non-zero box: the box's pixels outside the alpha
        // box are copied, the alpha box's rows are written once below (the layer's value, or paint × light where painted).
        bool inWritten = box.X0 >= written.X0 && box.Y0 >= written.Y0 && box.X1 <= written.X1 && box.Y1 <= written.Y1 && box.Width > 0 && box.Height > 0;
        if (!inWritten) AlphaBounds.CopyBox(layer, o, written);
        else
        {
            AlphaBounds.CopyBox(layer, o, new AlphaBounds(written.X0, written.Y0, written.X1, box.Y0));
            AlphaBounds.CopyBox(layer, o, new AlphaBounds(written.X0, box.Y1, written.X1, written.Y1));
            AlphaBounds.CopyBox(layer, o, new AlphaBounds(written.X0, box.Y0, box.X0, box.Y1));
            AlphaBounds.CopyBox(layer, o, new AlphaBounds(box.X1, box.Y0, written.X1, box.Y1));
        }
        Parallel.For(box.Y0, box.Y1, y =>
        {
            int p0 = y * w + box.X0, n = box.Width;
            // the alpha box's rows not yet copied (inWritten): alpha as it is, each colour the layer's value or (painted) the product
            if (inWritten) layer.A.AsSpan(p0, n).CopyTo(o.A.AsSpan(p0, n));
            LightRow(layer, map, p0, n, o);
        });
        return o;
    }

    /// <summary>
    /// <see cref="Apply(RgbaImage, RgbaImage, AlphaBounds?, Talos.Gpu.Imaging.FrameCodec.Box?, out AlphaBounds)"/> written into
    /// the layer itself: its painted pixels (alpha above zero, all inside <paramref name="tight"/>) become paint × light, every
    /// other pixel keeps its value — the pixels Apply's result holds, without a second full-frame image or the copy of the
    /// non-zero box. <paramref name="written"/> is the layer's non-zero box (searched in <paramref name="within"/> alone,
    /// null: anywhere; empty when none), as Apply's: a product of a painted pixel keeps its alpha, so the box is the same after.
    /// </summary>
    public static void ApplyInPlace(RgbaImage layer, RgbaImage map, AlphaBounds? tight, Talos.Gpu.Imaging.FrameCodec.Box? within, out AlphaBounds written)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Width != layer.Width || map.Height != layer.Height) throw new ArgumentException("light map and layer differ in size", nameof(map));
        bool any = within is { } inside ? AlphaBounds.NonZero(layer, inside, out written) : AlphaBounds.NonZero(layer, out written);
        if (!any || tight is not { } box || box.Width <= 0 || box.Height <= 0) return;
        int w = layer.Width;
        Parallel.For(box.Y0, box.Y1, y => LightRow(layer, map, y * w + box.X0, box.Width, layer));
    }

    /// <summary>
    /// <see cref="LightMap(RgbaImage, LightRig, AlphaBounds?)"/> then <see cref="ApplyInPlace"/>, without the light map as an
    /// image on the CPU: each row of the alpha's box is shaded into a row of scratch (<see cref="ShadeRow"/>'s lanes) and
    /// lit from it at once (<see cref="ApplyInPlace"/>'s lanes), so the layer's pixels are the same bits, and no full-frame
    /// map is rented, faulted in, written, read back and cleared per character and frame. Every pixel it changes lies in
    /// <paramref name="tight"/> (no non-zero box is searched: a caller that stores the layer passes the codec a box it
    /// knows holds every non-zero pixel, e.g. a decoded layer's stored box — the codec keeps only the non-zero box inside
    /// it, the same bytes). For a caller that does not keep the map (RAYGEN without render passes); on an ILGPU
    /// accelerator the map is made there and applied as before.
    /// </summary>
    public static void LightInPlace(RgbaImage layer, LightRig light, AlphaBounds? tight)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu)
        {
            ApplyInPlace(layer, IlgpuLighting.LightMap(gpu, layer, light), tight, null, out _);
            return;
        }
        if (tight is not { } box || box.Width <= 0 || box.Height <= 0) return;
        int w = layer.Width;
        int bevel = BevelWidth(layer.Height);
        var grown = box.Grow(2, w, layer.Height);
        var (height, crease) = BevelHeight(layer, grown, bevel);
        var rig = Rig(light, AoReach(layer.Height));
        try
        {
            Parallel.For(box.Y0, box.Y1, () => RowLight.For(w), (y, _, row) =>
            {
                // shading reads the layer's alpha alone, which lighting does not change: each row is lit as soon as it is shaded
                ShadeRow(layer, new LightPlanes(row.R, row.G, row.B, null, y * w), height, crease, grown, y, box.X0, box.X1, rig);
                LightRow(layer, row.R.AsSpan(box.X0, box.Width), row.G.AsSpan(box.X0, box.Width), row.B.AsSpan(box.X0, box.Width),
                    y * w + box.X0, box.Width, layer);
                return row;
            }, _ => { });
        }
        finally { ArrayPool<float>.Shared.Return(height); ArrayPool<float>.Shared.Return(crease); }
    }

    /// <summary>A thread's row of light (R, G, B, a frame's width each) for <see cref="LightInPlace"/>: kept for the thread's next
    /// call; every element read there is written first in the same row.</summary>
    sealed class RowLight(int n)
    {
        [ThreadStatic] static RowLight? kept;

        public static RowLight For(int n) => kept is { } r && r.R.Length >= n ? r : kept = new RowLight(n);

        public readonly float[] R = new float[n], G = new float[n], B = new float[n];
    }

    /// <summary>Where <see cref="ShadeRow"/> writes the light of pixel p: element p − <see cref="Offset"/> of each plane (alpha
    /// not written when <see cref="A"/> is null).</summary>
    readonly record struct LightPlanes(float[] R, float[] G, float[] B, float[]? A, int Offset);

    /// <summary>
    /// The lit colour of <paramref name="n"/> pixels from <paramref name="p0"/> into <paramref name="o"/>'s R, G, B (which may be
    /// the layer itself): paint × light where the alpha is above zero, the layer's value elsewhere; a vector of pixels at a
    /// time, each lane the scalar pixel's product. Alpha is not written.
    /// </summary>
    static void LightRow(RgbaImage layer, RgbaImage map, int p0, int n, RgbaImage o) =>
        LightRow(layer, map.R.AsSpan(p0, n), map.G.AsSpan(p0, n), map.B.AsSpan(p0, n), p0, n, o);

    /// <summary><see cref="LightRow(RgbaImage, RgbaImage, int, int, RgbaImage)"/> with the light of the n pixels in <paramref name="mr"/>,
    /// <paramref name="mg"/>, <paramref name="mb"/>.</summary>
    static void LightRow(RgbaImage layer, ReadOnlySpan<float> mr, ReadOnlySpan<float> mg, ReadOnlySpan<float> mb, int p0, int n, RgbaImage o)
    {
        int x = 0;
        ReadOnlySpan<float> a = layer.A.AsSpan(p0, n);
        ReadOnlySpan<float> lr = layer.R.AsSpan(p0, n), lg = layer.G.AsSpan(p0, n), lb = layer.B.AsSpan(p0, n);
        Span<float> or = o.R.AsSpan(p0, n), og = o.G.AsSpan(p0, n), ob = o.B.AsSpan(p0, n);
        for (int lanes = Vector<float>.Count; x + lanes <= n; x += lanes)
        {
            var pm = Vector.AsVectorSingle(Vector.GreaterThan(new Vector<float>(a[x..]), Vector<float>.Zero));
            var r = new Vector<float>(lr[x..]); var g = new Vector<float>(lg[x..]); var b = new Vector<float>(lb[x..]);
            Vector.ConditionalSelect(pm, r * new Vector<float>(mr[x..]), r).CopyTo(or[x..]);
            Vector.ConditionalSelect(pm, g * new Vector<float>(mg[x..]), g).CopyTo(og[x..]);
            Vector.ConditionalSelect(pm, b * new Vector<float>(mb[x..]), b).CopyTo(ob[x..]);
        }
        for (; x < n; x++)
        {
            if (a[x] <= 0f) { or[x] = lr[x]; og[x] = lg[x]; ob[x] = lb[x]; continue; }
            or[x] = lr[x] * mr[x]; og[x] = lg[x] * mg[x]; ob[x] = lb[x] * mb[x];
        }
    }

    /// <summary>The widest bevel (pixels) of a layer of this height: regions up to twice this wide are domed all across.</summary>
    public static int BevelWidth(int height) => Math.Max(2, (int)MathF.Round(height * 0.06f));

    /// <summary>How far (pixels) from a crease ambient occlusion reaches, for a layer of this height (a third of the widest bevel).</summary>
    public static float AoReach(int height) => MathF.Max(1.5f, BevelWidth(height) / 3f);

    /// <summary>The shading numbers of a light rig for a given reach of ambient occlusion.</summary>
    public static ShadeRig Rig(LightRig light, float aoReach)
    {
        var (lx, ly, lz) = light.KeyVector;
        var (fx, fy, fz) = light.FillVector;
        float lxy = MathF.Sqrt(lx * lx + ly * ly);
        var key = light.KeyColour * light.KeyIntensity;
        var rim = light.RimColour * light.RimIntensity;
        var fill = light.FillColour * light.FillIntensity;
        return new ShadeRig
        {
            Lx = lx, Ly = ly, Lz = lz, Rx = lxy > 0f ? lx / lxy : 0f, Ry = lxy > 0f ? ly / lxy : 0f, Fx = fx, Fy = fy, Fz = fz,
            AoReach = aoReach, AoFloor = AoFloor,
            AmbR = light.Ambient.R, AmbG = light.Ambient.G, AmbB = light.Ambient.B,
            KeyR = key.R, KeyG = key.G, KeyB = key.B, RimR = rim.R, RimG = rim.G, RimB = rim.B, FillR = fill.R, FillG = fill.G, FillB = fill.B,
        };
    }

    /// <summary>
    /// The bevelled height field (pixels) over the box. Regions are the 4-connected runs of paint between ink lines and the
    /// silhouette; in each, d = distance to the nearest edge (exact Euclidean distance transform) and the region's own
    /// reach R = min(its largest d, <paramref name="bevel"/>); height = R·√(1 − (1 − min(d/R, 1))²): a quarter-round that
    /// rises steeply at the region's edge and crowns at its middle (or flattens on top past the bevel in a wide region),
    /// so a thin sleeve and a broad coat are both rounded. Softened by two box passes (radius a tenth of the bevel) so the
    /// spokes of a discrete distance transform around a region's middle do not show in the light.
    /// </summary>
    /// <remarks>The two planes come from <see cref="ArrayPool{T}.Shared"/> (they may be longer than the box; the caller
    /// returns them): a layer's box is rented, not allocated, on every frame.</remarks>
    internal static (float[] Height, float[] Crease) BevelHeight(RgbaImage layer, AlphaBounds box, int bevel)
    {
        int w = layer.Width, bw = box.Width, bh = box.Height, n = bw * bh;
        var edge = ArrayPool<bool>.Shared.Rent(n);
        var paper = ArrayPool<bool>.Shared.Rent(n);
        int[]? label = null;
        try
        {
            Parallel.For(0, bh, j => EdgeRow(layer, (box.Y0 + j) * w + box.X0, edge.AsSpan(j * bw, bw), paper.AsSpan(j * bw, bw)));
            // capped at the bevel: a distance at or past it gives the same reach (min with the bevel), height (d/r ≥ 1) and
            // crease (min with the bevel) as the exact one, and a cap that small is searched along the rows, not enveloped
            var d = DistanceTransform.ComputePooled(edge.AsSpan(0, n), bw, bh, bevel);

            // Label the regions (CHROMA's 4-connected components, deterministic) and find each one's reach.
            // labels into a pooled array (every one written), not a fresh one per character and frame
            var labels = label = ArrayPool<int>.Shared.Rent(n);
            Talos.Gpu.Chroma.RegionLabeller.Components(paper.AsSpan(0, n), bw, bh, labels, out int regions);
            var reach = new float[regions + 1];
            for (int q = 0, lanes = Vector<int>.Count; q < n; q++)
            {
                if (Vector.IsHardwareAccelerated && q + lanes <= n && (q & (lanes - 1)) == 0 && Vector.EqualsAll(new Vector<int>(labels, q), Vector<int>.Zero))
                {
                    q += lanes - 1; // a vector of edge pixels (label 0): nothing to take
                    continue;
                }
                if (labels[q] != 0) reach[labels[q]] = MathF.Max(reach[labels[q]], d[q]);
            }
            for (int r = 1; r <= regions; r++) reach[r] = MathF.Max(1f, MathF.Min(reach[r], bevel));
            var height = ArrayPool<float>.Shared.Rent(n);
            Parallel.For(0, bh, j => HeightRow(labels, reach, d, height, j * bw, bw));
            BoxBlur.Blur(height, bw, bh, Math.Max(1, bevel / 10), 2);
            // Distance to the nearest crease (ink line or silhouette), capped at the bevel: what ambient occlusion reads.
            int c = 0;
            if (Vector.IsHardwareAccelerated)
                for (; c + Vector<float>.Count <= n; c += Vector<float>.Count)
                    ShadeVectors.MinOf(bevel, new Vector<float>(d, c)).CopyTo(d, c); // MathF.Min(d, bevel), lane by lane
            for (; c < n; c++) d[c] = MathF.Min(d[c], bevel);
            return (height, d);
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(edge);
            ArrayPool<bool>.Shared.Return(paper);
            if (label is not null) ArrayPool<int>.Shared.Return(label);
        }
    }

    /// <summary>
    /// <paramref name="n"/> heights of <see cref="BevelHeight"/> from <paramref name="q0"/> on: 0 on an edge (label 0: every
    /// paper pixel has a region's label), else the region's reach r times √(1 − t²), t = 1 − min(d/r, 1). A vector of pixels
    /// at a time (the reaches gathered lane by lane), each lane the scalar pixel's operations in order: the same bits.
    /// </summary>
    static void HeightRow(int[] labels, float[] reach, float[] d, float[] height, int q0, int n)
    {
        int q = q0, end = q0 + n, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            Span<float> r = stackalloc float[lanes];
            var one = Vector<float>.One;
            for (; q + lanes <= end; q += lanes)
            {
                var onEdge = Vector.Equals(new Vector<int>(labels, q), Vector<int>.Zero);
                if (Vector.EqualsAll(onEdge, new Vector<int>(-1))) { Vector<float>.Zero.CopyTo(height, q); continue; }
                for (int k = 0; k < lanes; k++) r[k] = reach[labels[q + k]]; // reach[0] (edges) is 0: their lanes are dropped below
                var rv = new Vector<float>(r);
                var t = one - ShadeVectors.MinOf(1f, new Vector<float>(d, q) / rv);
                Vector.ConditionalSelect(onEdge, Vector<float>.Zero, rv * Vector.SquareRoot(one - t * t)).CopyTo(height, q);
            }
        }
        for (; q < end; q++)
        {
            if (labels[q] == 0) { height[q] = 0f; continue; }
            float r = reach[labels[q]], t = 1f - MathF.Min(d[q] / r, 1f);
            height[q] = r * MathF.Sqrt(1f - t * t);
        }
    }

    /// <summary>
    /// A row of <see cref="BevelHeight"/>'s masks from pixel <paramref name="p0"/> on: edge where the alpha is under ½ or
    /// the straight colour's luma under <see cref="InkLuma"/>, paper elsewhere. A vector of pixels at a time, each lane
    /// the scalar test's operations in the same order (where alpha is under ½ the luma is not needed: its lanes may hold
    /// anything), the masks' bytes 0 or 1 as a bool's.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    static void EdgeRow(RgbaImage layer, int p0, Span<bool> edge, Span<bool> paper)
    {
        int n = edge.Length, x = 0, lanes = Vector<float>.Count, chunk = Vector<byte>.Count;
        var eb = System.Runtime.InteropServices.MemoryMarshal.AsBytes(edge);
        var pb = System.Runtime.InteropServices.MemoryMarshal.AsBytes(paper);
        if (Vector.IsHardwareAccelerated)
            for (; x + chunk <= n; x += chunk)
            {
                var e = Vector.Narrow(Vector.Narrow(Edge(layer, p0 + x), Edge(layer, p0 + x + lanes)),
                    Vector.Narrow(Edge(layer, p0 + x + 2 * lanes), Edge(layer, p0 + x + 3 * lanes)));
                var bits = Vector.AsVectorByte(e) & Vector<byte>.One;
                bits.CopyTo(eb[x..]);
                (bits ^ Vector<byte>.One).CopyTo(pb[x..]);
            }
        for (int p = p0 + x; x < n; x++, p++)
        {
            float a = layer.A[p];
            bool e = a < 0.5f || ColorMath.Luma(layer.R[p] / a, layer.G[p] / a, layer.B[p] / a) < InkLuma;
            edge[x] = e; paper[x] = !e;
        }

        static Vector<int> Edge(RgbaImage layer, int p)
        {
            var a = new Vector<float>(layer.A, p);
            if (Vector.LessThanAll(a, new Vector<float>(0.5f))) return new Vector<int>(-1); // every lane an edge, whatever its luma
            // ColorMath.Luma's sum, term by term in its order
            var luma = new Vector<float>(0.2126f) * (new Vector<float>(layer.R, p) / a) + new Vector<float>(0.7152f) * (new Vector<float>(layer.G, p) / a)
                + new Vector<float>(0.0722f) * (new Vector<float>(layer.B, p) / a);
            return Vector.LessThan(a, new Vector<float>(0.5f)) | Vector.LessThan(luma, new Vector<float>(InkLuma));
        }
    }

    /// <summary>The CPU path of <see cref="LightMap"/>: rows of the alpha's box in parallel.</summary>
    public static RgbaImage LightMapCpu(RgbaImage layer, LightRig light)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(light);
        return LightMapCpu(layer, light, AlphaBounds.Find(layer, out var tight) ? tight : null);
    }

    static RgbaImage LightMapCpu(RgbaImage layer, LightRig light, AlphaBounds? painted)
    {
        var map = FramePool.Rent(layer.Width, layer.Height);
        if (painted is not { } tight) return map;
        int w = layer.Width;
        int bevel = BevelWidth(layer.Height);
        var box = tight.Grow(2, w, layer.Height);
        int bw = box.Width, bh = box.Height;
        var (height, crease) = BevelHeight(layer, box, bevel);
        var rig = Rig(light, AoReach(layer.Height));
        try
        {
        Parallel.For(tight.Y0, tight.Y1, y => ShadeRow(layer, map, height, crease, box, y, tight.X0, tight.X1, rig));
        }
        finally { ArrayPool<float>.Shared.Return(height); ArrayPool<float>.Shared.Return(crease); }
        return map;
    }

    /// <summary>
    /// Row <paramref name="y"/> of the light map from column <paramref name="x0"/> to <paramref name="x1"/> (exclusive): at every
    /// pixel whose alpha is above zero, <see cref="ShadeCells.Shade"/> of the central differences of <paramref name="height"/>
    /// (one-sided where <paramref name="box"/>, the planes' box, ends) and of <paramref name="crease"/>, with the layer's alpha;
    /// every other pixel of <paramref name="map"/> is left as it is. Inside the box a vector of pixels at a time
    /// (<see cref="ShadeVectors.Shade"/>: each lane the scalar pixel's operations in its order, so the same bits), a vector
    /// with no paint skipped; the box's edge columns and rows pixel by pixel.
    /// </summary>
    public static void ShadeRow(RgbaImage layer, RgbaImage map, float[] height, float[] crease, AlphaBounds box, int y, int x0, int x1, ShadeRig rig)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(map);
        ShadeRow(layer, new LightPlanes(map.R, map.G, map.B, map.A, 0), height, crease, box, y, x0, x1, rig);
    }

    /// <summary><see cref="ShadeRow(RgbaImage, RgbaImage, float[], float[], AlphaBounds, int, int, int, ShadeRig)"/> into <paramref name="map"/>'s planes.</summary>
    static void ShadeRow(RgbaImage layer, LightPlanes map, float[] height, float[] crease, AlphaBounds box, int y, int x0, int x1, ShadeRig rig)
    {
        int w = layer.Width, bw = box.Width, bh = box.Height, j = y - box.Y0, x = x0;
        if (Vector.IsHardwareAccelerated && j > 0 && j < bh - 1)
        {
            for (; x < x1 && x - box.X0 < 1; x++) ShadePixel(layer, map, height, crease, box, y, x, rig);
            // columns whose both neighbours lie in the box: i in [1, bw − 2]
            int lanes = Vector<float>.Count, end = Math.Min(x1, box.X1 - 1);
            var half = new Vector<float>(0.5f);
            for (; x + lanes <= end; x += lanes)
            {
                int p = y * w + x, b = j * bw + (x - box.X0);
                var a = new Vector<float>(layer.A, p);
                // shaded where the scalar pixel is: alpha not at or below zero (a NaN alpha is shaded, as ShadePixel does)
                var painted = ~Vector.LessThanOrEqual(a, Vector<float>.Zero);
                if (painted == Vector<int>.Zero) continue; // no paint: the scalar pixels write nothing there
                // ShadeCells.GradX(before, after) = (after − before) · ½, along x and along y
                var gx = (new Vector<float>(height, b + 1) - new Vector<float>(height, b - 1)) * half;
                var gy = (new Vector<float>(height, b + bw) - new Vector<float>(height, b - bw)) * half;
                ShadeVectors.Shade(gx, gy, new Vector<float>(crease, b), rig, out var r, out var g, out var bl);
                int m = p - map.Offset;
                Vector.ConditionalSelect(painted, r, new Vector<float>(map.R, m)).CopyTo(map.R, m);
                Vector.ConditionalSelect(painted, g, new Vector<float>(map.G, m)).CopyTo(map.G, m);
                Vector.ConditionalSelect(painted, bl, new Vector<float>(map.B, m)).CopyTo(map.B, m);
                if (map.A is { } ma) Vector.ConditionalSelect(painted, a, new Vector<float>(ma, m)).CopyTo(ma, m);
            }
        }
        for (; x < x1; x++) ShadePixel(layer, map, height, crease, box, y, x, rig);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static void ShadePixel(RgbaImage layer, LightPlanes map, float[] height, float[] crease, AlphaBounds box, int y, int x, in ShadeRig rig)
    {
        int p = y * layer.Width + x;
        if (layer.A[p] <= 0f) return;
        int bw = box.Width, bh = box.Height, i = x - box.X0, j = y - box.Y0, b = j * bw + i;
        // Central differences of the height (one-sided where the box meets the image edge).
        int l = i > 0 ? b - 1 : b, r0 = i < bw - 1 ? b + 1 : b, u = j > 0 ? b - bw : b, d = j < bh - 1 ? b + bw : b;
        var lit = ShadeCells.Shade(ShadeCells.GradX(height[l], height[r0]), ShadeCells.GradX(height[u], height[d]), crease[b], rig);
        int m = p - map.Offset;
        map.R[m] = lit.R; map.G[m] = lit.G; map.B[m] = lit.B;
        if (map.A is { } ma) ma[m] = layer.A[p];
    }

    /// <summary>The CPU path of <see cref="LightLayer"/>.</summary>
    public static RgbaImage LightLayerCpu(RgbaImage layer, LightRig light) => Apply(layer, LightMapCpu(layer, light));
}
