using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Echo;

/// <summary>
/// A region of a frame whose colour jumped away from what both neighbours agree on (a colour flip): its pixel count,
/// bounding box (x0, y0 inclusive; x1, y1 exclusive), the CIEDE2000 jump, and the region's colour in the neighbours
/// (<paramref name="Was"/>) and in the frame (<paramref name="Became"/>) as sRGB hex.
/// </summary>
/// <see cref="Confirmed"/>: the pre-screen found new colour inside the region's box too (a second measure, without flow);
/// only a confirmed flip is repaired.
public sealed record FlipRegion(int Area, int X0, int Y0, int X1, int Y1, float DeltaE, string Was, string Became, bool Confirmed = true)
{
    /// <summary>The region measured on a frame reduced by <paramref name="factor"/>, in the full frame's pixels.</summary>
    public FlipRegion Scaled(int factor) =>
        this with { Area = Area * factor * factor, X0 = X0 * factor, Y0 = Y0 * factor, X1 = X1 * factor, Y1 = Y1 * factor };
}

/// <summary>
/// ECHO's temporal measurements of one frame against its neighbours.
/// <see cref="WarpError"/>: Lai et al.'s warping error of this frame against the next one (mean squared sRGB difference of
/// the next frame warped back along the flow, occlusions masked by forward–backward consistency); 0 for the last frame.
/// <see cref="PopScore"/>: share of the frame's pixels whose colour differs (ΔE00) from what both neighbours agree the
/// frame should show (the FLUX inbetween of the neighbours), outside colour-flipped regions; 0 at the clip's ends and on
/// held frames. <see cref="Gain"/>: the frame's brightness against that inbetween (taken out before comparing colours,
/// so flicker is not mistaken for a flip). <see cref="Flips"/>: the colour-flipped regions.
/// <see cref="Novel"/>: the pre-screen's share of the frame (<see cref="TemporalChecks.Screen"/>) whose colour is in
/// neither neighbour nearby; <see cref="Screened"/>: whether it passed the pre-screen, so the flow measures (pop score,
/// flips) ran; <see cref="Warped"/>: whether <see cref="WarpError"/> was measured (screened frames, every
/// <see cref="EchoThresholds.WarpSample"/>th frame, and held pairs, whose error is 0 without measuring).
/// <see cref="Deep"/>: the perceptual distance of ResNet-18 features (<see cref="DeepFeatures.Distance(DeepFeatureMaps, DeepFeatureMaps)"/>,
/// on the proxy frames) to the next frame, where the warping error was measured on a pair that is not held and ECHO has
/// the model (null elsewhere); <see cref="DeepNeighbours"/>: on a screened frame, the distance between its two
/// neighbours (a popped frame is far from both while they are close to each other).
/// <see cref="LineStability"/>: the share of this frame's line pixels that, carried along the same flow as the warping
/// error (occlusions masked), land within a pixel of a line pixel of the next frame (<see cref="TemporalChecks.LinePixels"/>);
/// null where the warping error was not measured, on held pairs and where the frame has too few line pixels.
/// </summary>
public sealed record TemporalMetrics(int Frame, float WarpError, float PopScore, float Gain, IReadOnlyList<FlipRegion> Flips, bool Held = false,
    float Novel = 0f, bool Screened = true, bool Warped = true, float? Deep = null, float? DeepNeighbours = null, float? LineStability = null);

/// <summary>
/// ECHO's temporal checks, on 8-bit sRGB frames (interleaved RGB), with FLUX's optical flow and inbetweener:
/// <list type="bullet">
/// <item>Warping error (Lai et al. 2018, "Learning blind video temporal consistency"): E = mean over non-occluded pixels
/// of ‖Iₜ − warp(Iₜ₊₁)‖², occlusion by forward–backward flow consistency.</item>
/// <item>Colour flips: ECHO does not see CHROMA's region maps, so a region is "off model" when its colour jumps away
/// from what both neighbouring frames agree on there. Each frame is compared with the FLUX inbetween of its neighbours
/// (brightness evened first); pixels where the two neighbours, warped to the frame's time, agree with each other
/// (ΔE00 ≤ <see cref="EchoThresholds.AgreeDeltaE"/>) and the frame differs from both by more than
/// <see cref="EchoThresholds.FlipDeltaE"/> are grouped into connected regions. A region is a flip when it is large
/// enough, flat in both the frame and the inbetween (one paint replaced by another), its mean colours differ by more
/// than the flip limit, and its outline sits on lines in both (the drawing did not move, only its colour changed).</item>
/// <item>Pops (a drawing out of place, a dropped or doubled frame): the other such pixels; their share of the frame is
/// the pop score.</item>
/// </list>
/// Fixes: a flipped region is repainted from the neighbours' inbetween, a popped frame is replaced by it.
/// </summary>
public static class TemporalChecks
{
    /// <summary>An 8-bit sRGB frame as a linear-light, opaque <see cref="RgbaImage"/>.</summary>
    public static RgbaImage ToImage(byte[] rgb, int width, int height) => ToImage(rgb, width, height, null);

    /// <summary><see cref="ToImage(byte[], int, int)"/> written into <paramref name="into"/> (every pixel of it; null or another size: a new image).</summary>
    static RgbaImage ToImage(byte[] rgb, int width, int height, RgbaImage? into)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Length != (long)width * height * 3) throw new ArgumentException($"rgb24 buffer of {rgb.Length} bytes does not match {width}x{height}");
        var img = into is not null && into.Width == width && into.Height == height ? into : new RgbaImage(width, height);
        Parallel.For(0, height, y =>
        {
            for (int x = 0, i = y * width, o = i * 3; x < width; x++, i++, o += 3)
            {
                img.R[i] = ColourDifference.ToLinear(rgb[o]);
                img.G[i] = ColourDifference.ToLinear(rgb[o + 1]);
                img.B[i] = ColourDifference.ToLinear(rgb[o + 2]);
                img.A[i] = 1f;
            }
        });
        return img;
    }

    /// <summary>
    /// An 8-bit sRGB frame reduced for the temporal checks: the average linear light of each <paramref name="factor"/>
    /// x <paramref name="factor"/> block (the frame's last columns and rows that do not fill a block are left out).
    /// Factor 1 is <see cref="ToImage(byte[], int, int)"/>. With <paramref name="into"/> (the proxy's size), every pixel
    /// of it is written and it is returned: the same values as a new proxy.
    /// </summary>
    public static RgbaImage Proxy(byte[] rgb, int width, int height, int factor, RgbaImage? into = null)
    {
        if (factor <= 1) return ToImage(rgb, width, height, into);
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Length != (long)width * height * 3) throw new ArgumentException($"rgb24 buffer of {rgb.Length} bytes does not match {width}x{height}");
        int pw = width / factor, ph = height / factor;
        if (pw < 1 || ph < 1) throw new ArgumentException($"a {width}x{height} frame is smaller than one {factor}x{factor} block");
        var img = into is not null && into.Width == pw && into.Height == ph ? into : new RgbaImage(pw, ph);
        float inv = 1f / (factor * factor);
        Parallel.For(0, ph, py => ProxyBlocks(rgb, width, factor, py, 0, pw, img, inv));
        return img;
    }

    /// <summary>
    /// <see cref="Proxy"/> at <paramref name="factor"/> &gt; 1 given the frame before (<paramref name="previousRgb"/>) and
    /// its proxy (<paramref name="previousProxy"/>, made from exactly those bytes at the same factor): a still shot repeats
    /// most of the frame before, so in each proxy row only the blocks between the first and last column whose source
    /// pixels differ are averaged again and the rest copied. A block's average is a function of its own pixels alone (summed
    /// in the same order), so this is the same proxy, to the bit, as a new one. <paramref name="changed"/> (one entry per
    /// proxy row, or null) receives each row's blocks made anew (<c>First &gt; Last</c>: none), for
    /// <see cref="Labs(RgbaImage, Lab[], Lab[], (int First, int Last)[])"/>. <paramref name="into"/> as in <see cref="Proxy"/>
    /// (not the previous proxy).
    /// </summary>
    public static RgbaImage Proxy(byte[] rgb, int width, int height, int factor, RgbaImage? into, byte[] previousRgb, RgbaImage previousProxy,
        (int First, int Last)[]? changed = null) =>
        Proxy(rgb, width, height, factor, into, previousRgb, previousProxy, changed, null);

    /// <summary>
    /// <see cref="Proxy(byte[], int, int, int, RgbaImage?, byte[], RgbaImage, (int First, int Last)[])"/> given where
    /// <paramref name="rgb"/> differs from <paramref name="previousRgb"/> (<paramref name="rows"/>, found by the frame
    /// difference; null: compared here): the same proxy and spans.
    /// </summary>
    public static RgbaImage Proxy(byte[] rgb, int width, int height, int factor, RgbaImage? into, byte[] previousRgb, RgbaImage previousProxy,
        (int First, int Last)[]? changed, RowChanges? rows)
    {
        if (rows is not null && rows.Rows != height) throw new ArgumentException($"one changed span per row ({height})", nameof(rows));
        ArgumentNullException.ThrowIfNull(rgb);
        ArgumentNullException.ThrowIfNull(previousRgb);
        ArgumentNullException.ThrowIfNull(previousProxy);
        if (factor <= 1) throw new ArgumentOutOfRangeException(nameof(factor), "a proxy from the frame before reduces the frame (factor 2 or more)");
        if (rgb.Length != (long)width * height * 3 || previousRgb.Length != rgb.Length)
            throw new ArgumentException($"rgb24 buffers of {rgb.Length} and {previousRgb.Length} bytes do not match {width}x{height}");
        int pw = width / factor, ph = height / factor;
        if (pw < 1 || ph < 1) throw new ArgumentException($"a {width}x{height} frame is smaller than one {factor}x{factor} block");
        if (previousProxy.Width != pw || previousProxy.Height != ph) throw new ArgumentException("the previous proxy differs in size");
        if (ReferenceEquals(into, previousProxy)) throw new ArgumentException("the previous proxy is read while the new one is written", nameof(into));
        if (changed is not null && changed.Length != ph) throw new ArgumentException($"one changed span per proxy row ({ph})", nameof(changed));
        var img = into is not null && into.Width == pw && into.Height == ph ? into : new RgbaImage(pw, ph);
        float inv = 1f / (factor * factor);
        int used = pw * factor * 3; // the bytes of a source row that blocks cover
        Parallel.For(0, ph, py =>
        {
            int u0 = used, u1 = 0;
            for (int y = py * factor; y < (py + 1) * factor; y++)
            {
                ReadOnlySpan<byte> row = rgb.AsSpan(y * width * 3, used), old = previousRgb.AsSpan(y * width * 3, used);
                if (rows is not null)
                {
                    // the frame difference's spans over the whole row, cut to the bytes blocks cover
                    int f = rows.First[y], l = rows.Last[y];
                    if (f > l || f >= used) continue;
                    if (l < used) { (u0, u1) = (Math.Min(u0, f), Math.Max(u1, l + 1)); continue; }
                }
                int first = row.CommonPrefixLength(old);
                if (first == used) continue;
                int last = used;
                while (last - Vector256<byte>.Count > first && Vector256.Create(row[(last - Vector256<byte>.Count)..]) == Vector256.Create(old[(last - Vector256<byte>.Count)..]))
                    last -= Vector256<byte>.Count;
                do last--; while (row[last] == old[last]); // stops at `first` at the latest
                (u0, u1) = (Math.Min(u0, first), Math.Max(u1, last + 1));
            }
            int row0 = py * pw;
            previousProxy.R.AsSpan(row0, pw).CopyTo(img.R.AsSpan(row0, pw));
            previousProxy.G.AsSpan(row0, pw).CopyTo(img.G.AsSpan(row0, pw));
            previousProxy.B.AsSpan(row0, pw).CopyTo(img.B.AsSpan(row0, pw));
            img.A.AsSpan(row0, pw).Fill(1f);
            if (u1 <= u0) { if (changed is not null) changed[py] = (0, -1); return; }
            int qa = u0 / 3 / factor, qb = (u1 - 1) / 3 / factor;
            ProxyBlocks(rgb, width, factor, py, qa, qb + 1, img, inv);
            if (changed is not null) changed[py] = (qa, qb);
        });
        return img;
    }

    /// <summary>Proxy row <paramref name="py"/>'s blocks [<paramref name="px0"/>, <paramref name="px1"/>): each block's average linear light.</summary>
    static void ProxyBlocks(byte[] rgb, int width, int factor, int py, int px0, int px1, RgbaImage img, float inv)
    {
        int pw = img.Width;
        ref byte src = ref MemoryMarshal.GetArrayDataReference(rgb);
        ref float lin = ref MemoryMarshal.GetArrayDataReference(ColourDifference.LinearTable);
        int px = px0;
        // four blocks side by side at a time: twelve independent sums (each in the same order as one at a time)
        for (; px + 4 <= px1; px += 4)
        {
            float r0 = 0, g0 = 0, b0 = 0, r1 = 0, g1 = 0, b1 = 0, r2 = 0, g2 = 0, b2 = 0, r3 = 0, g3 = 0, b3 = 0;
            nint step = factor * 3;
            for (int dy = 0; dy < factor; dy++)
            {
                nint o = ((nint)(py * factor + dy) * width + px * factor) * 3;
                for (int dx = 0; dx < factor; dx++, o += 3)
                {
                    r0 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o));
                    g0 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 1));
                    b0 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 2));
                    r1 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + step));
                    g1 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + step + 1));
                    b1 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + step + 2));
                    r2 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 2 * step));
                    g2 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 2 * step + 1));
                    b2 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 2 * step + 2));
                    r3 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 3 * step));
                    g3 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 3 * step + 1));
                    b3 += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 3 * step + 2));
                }
            }
            int i = py * pw + px;
            img.R[i] = r0 * inv; img.G[i] = g0 * inv; img.B[i] = b0 * inv; img.A[i] = 1f;
            img.R[i + 1] = r1 * inv; img.G[i + 1] = g1 * inv; img.B[i + 1] = b1 * inv; img.A[i + 1] = 1f;
            img.R[i + 2] = r2 * inv; img.G[i + 2] = g2 * inv; img.B[i + 2] = b2 * inv; img.A[i + 2] = 1f;
            img.R[i + 3] = r3 * inv; img.G[i + 3] = g3 * inv; img.B[i + 3] = b3 * inv; img.A[i + 3] = 1f;
        }
        for (; px < px1; px++)
        {
            float r = 0, g = 0, b = 0;
            for (int dy = 0; dy < factor; dy++)
            {
                nint o = ((nint)(py * factor + dy) * width + px * factor) * 3;
                for (int dx = 0; dx < factor; dx++, o += 3)
                {
                    r += Unsafe.Add(ref lin, Unsafe.Add(ref src, o));
                    g += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 1));
                    b += Unsafe.Add(ref lin, Unsafe.Add(ref src, o + 2));
                }
            }
            int i = py * pw + px;
            img.R[i] = r * inv; img.G[i] = g * inv; img.B[i] = b * inv; img.A[i] = 1f;
        }
    }

    /// <summary>The block size that brings a frame <paramref name="width"/> wide to at most <paramref name="proxyWidth"/>
    /// (1: the frame itself; <paramref name="proxyWidth"/> 0 or less: always the frame itself).</summary>
    public static int ProxyFactor(int width, int proxyWidth) => proxyWidth <= 0 ? 1 : Math.Max(1, (width + proxyWidth - 1) / proxyWidth);

    /// <summary>A linear-light image as 8-bit sRGB (alpha ignored: the images here are opaque frames).</summary>
    public static byte[] ToRgb24(RgbaImage img)
    {
        var rgb = new byte[img.PixelCount * 3];
        Parallel.For(0, img.Height, y =>
        {
            for (int x = 0, i = y * img.Width, o = i * 3; x < img.Width; x++, i++, o += 3)
            {
                rgb[o] = Encode(img.R[i]); rgb[o + 1] = Encode(img.G[i]); rgb[o + 2] = Encode(img.B[i]);
            }
        });
        return rgb;
    }

    static byte Encode(float linear) => (byte)MathF.Round(ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f)) * 255f);

    /// <summary>FLUX's flow options for ECHO: solved at half resolution or coarser (no finer than ~320 pixels wide
    /// past 640), two warps of 12 sweeps: ECHO needs the motion of regions and lines, not its last tenth of a pixel.</summary>
    static FlowOptions Options(int width, int height) =>
        FlowOptions.Default with { SkipFinest = Math.Max(1, (int)Math.Ceiling(Math.Log2(Math.Max(width, 1) / 320.0))), Iterations = 12, Warps = 2 };

    /// <summary>
    /// Lai et al.'s warping error of frame <paramref name="a"/> against the next frame <paramref name="b"/>: b warped back
    /// along the flow a→b, pixels whose forward and backward flows do not cancel (occluded, or leaving the frame)
    /// masked out; the mean squared difference of the sRGB-encoded values (0..1), averaged over the three channels.
    /// </summary>
    public static float WarpingError(RgbaImage a, RgbaImage b) => MeasurePair(a, b, null, null, 0).WarpError;

    /// <summary>A pair of consecutive frames measured along one flow: the warping error and the line stability (null when
    /// no line pixels were given or too few of them are visible in both frames).</summary>
    public readonly record struct PairMeasures(float WarpError, float? LineStability);

    /// <summary>
    /// Frame <paramref name="a"/> against the next frame <paramref name="b"/> along one optical flow a→b (and b→a for the
    /// occlusion mask): the warping error (<see cref="WarpingError"/>) and, given both frames' line pixels
    /// (<see cref="LinePixels"/>), the line stability: the share of a's line pixels, where the flow is consistent, that land
    /// within <paramref name="tolerance"/> pixels (the distance to the pixel's centre) of a line pixel of b. Fewer than
    /// <paramref name="minLinePixels"/> such pixels: no stability.
    /// </summary>
    public static PairMeasures MeasurePair(RgbaImage a, RgbaImage b, bool[]? linesA, bool[]? linesB, int minLinePixels, float tolerance = 1f)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height) throw new ArgumentException("frames differ in size");
        int w = a.Width, h = a.Height;
        bool lines = linesA is not null && linesB is not null;
        if (lines && (linesA!.Length != w * h || linesB!.Length != w * h)) throw new ArgumentException("line masks differ in size from the frames");
        var o = Options(w, h);
        // both flows at once (the same bits as two Compute calls, each image's pyramid built once), the features and
        // then the flows given back to FramePool for the next pair's
        var (fa, fb) = (FlowFeatures.FromRgba(a), FlowFeatures.FromRgba(b));
        FlowField fwd, bwd;
        try { (fwd, bwd) = OpticalFlow.ComputePair(fa, fb, o); }
        finally { fa.Release(); fb.Release(); }
        try { return MeasureAlong(a, b, fwd, bwd, linesA, linesB, minLinePixels, tolerance); }
        finally { FramePool.Return(fwd.U); FramePool.Return(fwd.V); FramePool.Return(bwd.U); FramePool.Return(bwd.V); }
    }

    /// <summary>
    /// <see cref="MeasurePair"/>'s measures along given flows a→b (<paramref name="fwd"/>) and b→a (<paramref name="bwd"/>).
    /// <paramref name="vector"/>: rows eight pixels at a time where the CPU has AVX2 (the same measures to the bit); false,
    /// pixel by pixel (the reference the tests compare with).
    /// </summary>
    public static PairMeasures MeasureAlong(RgbaImage a, RgbaImage b, FlowField fwd, FlowField bwd, bool[]? linesA, bool[]? linesB,
        int minLinePixels, float tolerance, bool vector = true)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(fwd);
        ArgumentNullException.ThrowIfNull(bwd);
        int w = a.Width, h = a.Height;
        if (b.Width != w || b.Height != h || fwd.U.Length < w * h || fwd.V.Length < w * h || bwd.U.Length < w * h || bwd.V.Length < w * h)
            throw new ArgumentException("frames and flows differ in size");
        bool lines = linesA is not null && linesB is not null;
        if (lines && (linesA!.Length != w * h || linesB!.Length != w * h)) throw new ArgumentException("line masks differ in size from the frames");
        var sums = new double[h];
        var counts = new int[h];
        var lineCounts = new int[h];
        var stableCounts = new int[h];
        bool eight = vector && System.Runtime.Intrinsics.X86.Avx2.IsSupported;
        Parallel.For(0, h, y =>
        {
            double s = 0; int n = 0, ln = 0, stable = 0;
            // each channel's last value encoded, for both frames: flat paint repeats a value, and the encoding (a power)
            // is a function of its input alone, so a repeat takes the last result
            SrgbMemo ar = default, ag = default, ab = default, br = default, bg = default, bb = default;
            int x = 0;
            if (eight) x = Eight(y, ref s, ref n, ref ln, ref stable, ref ar, ref ag, ref ab, ref br, ref bg, ref bb);
            for (; x < w; x++)
            {
                int i = y * w + x;
                float px = x + fwd.U[i], py = y + fwd.V[i];
                if (px < 0 || py < 0 || px > w - 1 || py > h - 1) continue;
                float gu = OpticalFlow.Bilinear(bwd.U, w, h, px, py), gv = OpticalFlow.Bilinear(bwd.V, w, h, px, py);
                float du = fwd.U[i] + gu, dv = fwd.V[i] + gv;
                // Sundaram et al.'s consistency test, as Lai et al. use it
                if (du * du + dv * dv > 0.01f * (fwd.U[i] * fwd.U[i] + fwd.V[i] * fwd.V[i] + gu * gu + gv * gv) + 0.5f) continue;
                Add(i, px, py, OpticalFlow.Bilinear(b.R, w, h, px, py), OpticalFlow.Bilinear(b.G, w, h, px, py), OpticalFlow.Bilinear(b.B, w, h, px, py),
                    ref s, ref n, ref ln, ref stable, ref ar, ref ag, ref ab, ref br, ref bg, ref bb);
            }
            sums[y] = s; counts[y] = n; lineCounts[y] = ln; stableCounts[y] = stable;
        });

        // a consistent pixel's squared colour difference and line stability, in pixel order (the double sum's order)
        void Add(int i, float px, float py, float sr, float sg, float sb, ref double s, ref int n, ref int ln, ref int stable,
            ref SrgbMemo ar, ref SrgbMemo ag, ref SrgbMemo ab, ref SrgbMemo br, ref SrgbMemo bg, ref SrgbMemo bb)
        {
            float dr = ar.Srgb(a.R[i]) - br.Srgb(sr);
            float dg = ag.Srgb(a.G[i]) - bg.Srgb(sg);
            float db = ab.Srgb(a.B[i]) - bb.Srgb(sb);
            s += (dr * dr + dg * dg + db * db) / 3.0; n++;
            if (!lines || !linesA![i]) return;
            ln++;
            bool near = false;
            for (int yy = Math.Max(0, (int)MathF.Floor(py - tolerance)); yy <= Math.Min(h - 1, (int)MathF.Ceiling(py + tolerance)) && !near; yy++)
                for (int xx = Math.Max(0, (int)MathF.Floor(px - tolerance)); xx <= Math.Min(w - 1, (int)MathF.Ceiling(px + tolerance)) && !near; xx++)
                    near = linesB![yy * w + xx] && (xx - px) * (xx - px) + (yy - py) * (yy - py) <= tolerance * tolerance;
            if (near) stable++;
        }

        // the row's pixels eight at a time up to its last whole eight (returns where the scalar loop goes on): the warp, the
        // backward flow's and b's bilinear samples (FlowGather: each lane the scalar functions' bits) and the consistency
        // test per lane with the scalar loop's operations in its order; the pixels that pass are added lane by lane
        unsafe int Eight(int y, ref double s, ref int n, ref int ln, ref int stable,
            ref SrgbMemo ar, ref SrgbMemo ag, ref SrgbMemo ab, ref SrgbMemo br, ref SrgbMemo bg, ref SrgbMemo bb)
        {
            int x = 0;
            var vy = Vector256.Create((float)y);
            var zero = Vector256<float>.Zero;
            var right = Vector256.Create((float)(w - 1));
            var bottom = Vector256.Create((float)(h - 1));
            var hundredth = Vector256.Create(0.01f);
            var half = Vector256.Create(0.5f);
            float* l = stackalloc float[5 * 8]; // the passing lanes' px, py and b's three samples
            fixed (float* fu = fwd.U, fv = fwd.V, gU = bwd.U, gV = bwd.V, bR = b.R, bG = b.G, bB = b.B)
                for (; x + 8 <= w; x += 8)
                {
                    int i = y * w + x;
                    var u = Vector256.Load(fu + i);
                    var v = Vector256.Load(fv + i);
                    var px = FlowGather.Xs(x) + u;
                    var py = vy + v;
                    // !(px < 0 || py < 0 || px > w - 1 || py > h - 1), NaN included as the scalar test lets it through
                    var keep = ~(Vector256.LessThan(px, zero) | Vector256.LessThan(py, zero) | Vector256.GreaterThan(px, right) | Vector256.GreaterThan(py, bottom));
                    if (keep.ExtractMostSignificantBits() == 0) continue;
                    var at = FlowGather.Tap(w, h, px, py);
                    var gu = FlowGather.Sample(gU, at);
                    var gv = FlowGather.Sample(gV, at);
                    var du = u + gu;
                    var dv = v + gv;
                    keep &= ~Vector256.GreaterThan(du * du + dv * dv, hundredth * (u * u + v * v + gu * gu + gv * gv) + half);
                    uint bits = keep.ExtractMostSignificantBits();
                    if (bits == 0) continue;
                    px.Store(l); py.Store(l + 8);
                    FlowGather.Sample(bR, at).Store(l + 16); FlowGather.Sample(bG, at).Store(l + 24); FlowGather.Sample(bB, at).Store(l + 32);
                    for (; bits != 0; bits &= bits - 1)
                    {
                        int k = System.Numerics.BitOperations.TrailingZeroCount(bits);
                        Add(i + k, l[k], l[8 + k], l[16 + k], l[24 + k], l[32 + k], ref s, ref n, ref ln, ref stable, ref ar, ref ag, ref ab, ref br, ref bg, ref bb);
                    }
                }
            return x;
        }
        double total = 0; long count = 0, lineTotal = 0, stableTotal = 0;
        for (int y = 0; y < h; y++) { total += sums[y]; count += counts[y]; lineTotal += lineCounts[y]; stableTotal += stableCounts[y]; }
        float? stability = lines && lineTotal >= Math.Max(1, minLinePixels) ? (float)((double)stableTotal / lineTotal) : null;
        return new PairMeasures(count == 0 ? 0f : (float)(total / count), stability);
    }

    static readonly (int X, int Y)[] LineDirections = [(1, 0), (0, 1), (1, 1), (1, -1)];

    /// <summary>
    /// A frame's line (ink) pixels: a pixel is on a line when, along one of the four directions (across a row, a column or
    /// a diagonal), the frame is lighter by more than <paramref name="contrast"/> (CIE L*) within two pixels on both sides
    /// of it: a dark stroke up to about three pixels wide. The edge between two flat paints is not a line; an outline is.
    /// </summary>
    public static bool[] LinePixels(Lab[] lab, int w, int h, float contrast)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (lab.Length != w * h) throw new ArgumentException("the Lab image differs in size");
        var lines = new bool[w * h];
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                float l = lab[y * w + x].L + contrast;
                foreach (var (dx, dy) in LineDirections)
                    if (Lighter(x, y, dx, dy, l) && Lighter(x, y, -dx, -dy, l)) { lines[y * w + x] = true; break; }
            }
        });
        return lines;

        bool Lighter(int x, int y, int dx, int dy, float than)
        {
            for (int k = 1; k <= 2; k++)
            {
                int xx = x + k * dx, yy = y + k * dy;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h) return false;
                if (lab[yy * w + xx].L > than) return true;
            }
            return false;
        }
    }

    static float Srgb(float linear) => ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f));

    /// <summary>
    /// <see cref="Srgb(float)"/> remembering its last input (by its bits) and result: the same value for a repeat. A new
    /// one remembers +0, whose encoding is +0 (the bits of both are zero).
    /// </summary>
    struct SrgbMemo
    {
        int _bits;
        float _value;

        public float Srgb(float linear)
        {
            int bits = BitConverter.SingleToInt32Bits(linear);
            if (bits != _bits) (_bits, _value) = (bits, TemporalChecks.Srgb(linear));
            return _value;
        }
    }

    /// <summary>
    /// Measures every frame of a clip. <paramref name="frame"/> gives frame i's interleaved 8-bit sRGB (each is asked
    /// for about once, in order: a sliding window of three is kept; when ResNet-18 runs, the frames it compares are asked
    /// for again afterwards). <paramref name="held"/>: whether frame i repeats the one
    /// before it (its <see cref="FrameMetrics.SameAsPrevious"/>); a frame that repeats a neighbour is a hold, not a pop.
    /// With <paramref name="deep"/> (ResNet-18), the pairs whose warping error is measured (not held) get their deep
    /// distance too, and a screened frame the distance between its neighbours; the features are taken from the proxy frames
    /// (made again from those frames for the network's 224-px inputs, the same values). ResNet-18 runs only when the clip has a pop suspect for
    /// it to judge (<see cref="ClipVerdict.PopSuspects"/>): its distances decide nothing else, so a clip without one has
    /// no deep distances and the same verdict.
    /// A sampled pair that is held passes its sample on to the next pair that is not, so a shot animated on twos is measured too.
    /// </summary>
    public static TemporalMetrics[] Measure(Func<int, byte[]> frame, int count, int width, int height, EchoThresholds t,
        Func<int, bool>? held = null, CancellationToken ct = default, DeepFeatures? deep = null) =>
        Measure(frame, count, width, height, t, held, ct, deep, null);

    /// <summary>
    /// <see cref="Measure(Func{int, byte[]}, int, int, int, EchoThresholds, Func{int, bool}?, CancellationToken, DeepFeatures?)"/>
    /// given, right after frame i + 1 is asked for, where it differs from frame i (<paramref name="changes"/>: its
    /// <see cref="RowChanges"/> against the bytes <paramref name="frame"/> gave for i, or null: compared here).
    /// </summary>
    public static TemporalMetrics[] Measure(Func<int, byte[]> frame, int count, int width, int height, EchoThresholds t,
        Func<int, bool>? held, CancellationToken ct, DeepFeatures? deep, Func<int, RowChanges?>? changes)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(t);
        var result = new TemporalMetrics[count];
        int factor = ProxyFactor(width, t.ProxyWidth);
        // each frame's proxy and its Lab are made when a measure first needs them: a frame in a held pair that no
        // screened or measured neighbour asks for is never reduced
        // the proxies and their Lab arrays are reused as frames leave the window (three frames: a handful of planes for the
        // whole clip, not fresh large-object-heap arrays per frame): nothing measured keeps one
        var scratch = new ProxyScratch();
        ProxyFrame? prev = null, cur = count > 0 ? new ProxyFrame(frame(0), width, height, factor, scratch) : null;
        bool[]? linesCur = null;
        // the distances ResNet-18 is asked for: (frame, a, b, between the neighbours); their inputs are made only when the
        // network runs (a clip with a pop suspect), from the frames asked for again: most clips have none
        var asked = new List<(int Frame, int A, int B, bool Neighbours)>();
        var deepAsked = new HashSet<int>();
        void Ask(int frameIndex, int a, int b, bool neighbours)
        {
            asked.Add((frameIndex, a, b, neighbours));
            if (!neighbours) deepAsked.Add(frameIndex);
        }
        bool samplePending = false;
        for (int i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var next = i + 1 < count ? new ProxyFrame(frame(i + 1), width, height, factor, scratch, cur, changes?.Invoke(i + 1)) : null;
            bool isHeld = held is not null && (held(i) || (i + 1 < count && held(i + 1)));
            ScreenResult? screen = prev is null || next is null || isHeld ? null : Screen(prev.Lab, cur!.Lab, next.Lab, cur.Image.Width, cur.Image.Height, t);
            bool screened = screen is { Passed: true };
            // the warping error: 0 for a held pair (the same frame twice), measured on screened frames and a sample of the
            // rest (a sample that falls on a held pair moves on to the next pair that is not held)
            bool heldPair = held is not null && i + 1 < count && held(i + 1);
            samplePending |= t.WarpSample <= 1 || i % t.WarpSample == 0;
            bool measured = next is not null && !heldPair && (screened || samplePending);
            if (measured && !screened) samplePending = false;
            bool warped = next is not null && (heldPair || measured);
            PairMeasures pair = default;
            bool[]? linesNext = null;
            if (measured)
            {
                linesCur ??= LinePixels(cur!.Lab, cur.Image.Width, cur.Image.Height, t.LineContrast);
                linesNext = LinePixels(next!.Lab, next.Image.Width, next.Image.Height, t.LineContrast);
                pair = MeasurePair(cur!.Image, next.Image, linesCur, linesNext, t.LineMinPixels, t.LineTolerance);
            }
            if (deep is not null && measured) Ask(i, i, i + 1, false);
            if (!screened) result[i] = new TemporalMetrics(i, pair.WarpError, 0f, 1f, [], isHeld, screen?.Novel ?? 0f, false, warped, null, null, pair.LineStability);
            else
            {
                var a = Analyse(prev!.Image, cur!.Image, next!.Image, t);
                var flips = a.Flips.Select(r => r with { Confirmed = screen!.Confirms(r) }).Select(r => factor == 1 ? r : r.Scaled(factor)).ToList();
                if (deep is not null)
                {
                    // a pop is far from both neighbours: the distance from the frame before is measured here too
                    Ask(i, i - 1, i + 1, true);
                    if (!deepAsked.Contains(i - 1) && !(held is not null && held(i))) Ask(i - 1, i - 1, i, false);
                }
                result[i] = new TemporalMetrics(i, pair.WarpError, a.PopScore, a.Gain, flips, false, screen!.Novel, true, warped, null, null,
                    pair.LineStability);
            }
            prev?.Release();
            (prev, cur, linesCur) = (cur, next, linesNext);
        }
        if (deep is null || asked.Count == 0 || ClipVerdict.PopSuspects(result, t).Count == 0) return result;
        var features = new Dictionary<int, DeepFeatureMaps>();
        RgbaImage? proxy = null;
        DeepFeatureMaps Features(int i)
        {
            ct.ThrowIfCancellationRequested();
            if (!features.TryGetValue(i, out var f))
            {
                // the frame's proxy made again (the same values as the one its measures used), as the network's input
                proxy = Proxy(frame(i), width, height, factor, proxy);
                features[i] = f = deep.Extract(DeepFeatures.Input(Levels(proxy), proxy.Width, proxy.Height));
            }
            return f;
        }
        foreach (var (frameIndex, a, b, neighbours) in asked)
        {
            float d = (float)DeepFeatures.Distance(Features(a), Features(b));
            result[frameIndex] = neighbours ? result[frameIndex] with { DeepNeighbours = d } : result[frameIndex] with { Deep = d };
        }
        return result;
    }

    /// <summary>A frame of the temporal checks' window: its proxy (<see cref="Proxy"/>) and the proxy's Lab (<see cref="Labs"/>),
    /// each made when first asked for, in arrays of <paramref name="scratch"/> that <see cref="Release"/> gives back.</summary>
    /// <remarks>
    /// <paramref name="before"/> is the frame before's, while it is in the window: when its proxy is there as this one is
    /// made, this one is made from it (<see cref="Proxy(byte[], int, int, int, RgbaImage?, byte[], RgbaImage, (int First, int Last)[])"/>:
    /// its bytes are still the caller's, as the window of three asks of it), and so is the Lab when the frame before's
    /// Lab is there too — the same values as made anew.
    /// </remarks>
    sealed class ProxyFrame(byte[] rgb, int width, int height, int factor, ProxyScratch scratch, ProxyFrame? before = null, RowChanges? rows = null)
    {
        byte[]? _rgb = rgb; // kept until released: the frame after's proxy compares its bytes with these
        RgbaImage? _image;
        Lab[]? _lab;
        ProxyFrame? _before = before;
        (int First, int Last)[]? _changed; // the blocks made anew in each proxy row, when made from _before's proxy

        public RgbaImage Image
        {
            get
            {
                if (_image is null)
                {
                    var spare = scratch.Images.TryPop(out var s) ? s : null;
                    if (factor > 1 && _before is { _image: { } bi, _rgb: { } brgb })
                    {
                        _changed = new (int, int)[height / factor];
                        _image = Proxy(_rgb!, width, height, factor, spare, brgb, bi, _changed, rows);
                    }
                    else { _image = Proxy(_rgb!, width, height, factor, spare); _before = null; }
                }
                return _image;
            }
        }

        public Lab[] Lab
        {
            get
            {
                if (_lab is not null) return _lab;
                var image = Image;
                var spare = scratch.Labs.TryPop(out var s) ? s : null;
                // the frame before still in the window (its Lab made from the proxy this one copied): copy its Lab where the proxy is the same
                _lab = _changed is not null && _before is { _lab: { } bl, _image: not null } ? Labs(image, spare, bl, _changed) : Labs(image, spare);
                _before = null;
                return _lab;
            }
        }

        /// <summary>Gives the proxy and its Lab back to the scratch: the frame has left the window and is not used again.</summary>
        public void Release()
        {
            if (_image is not null) scratch.Images.Push(_image);
            if (_lab is not null) scratch.Labs.Push(_lab);
            _image = null; _lab = null; _rgb = null; _before = null; _changed = null;
        }
    }

    /// <summary>The proxies and Lab arrays of frames that left the window, for the next frames of the same clip (one size).</summary>
    sealed class ProxyScratch
    {
        public readonly Stack<RgbaImage> Images = new();
        public readonly Stack<Lab[]> Labs = new();
    }

    /// <summary>
    /// ResNet-18's test for a popped frame: its deep distances to the frame before (<paramref name="before"/>) and after
    /// (<paramref name="after"/>) both exceed <see cref="EchoThresholds.DeepPopRatio"/> times the shot's
    /// <paramref name="typical"/> distance between consecutive frames, while its neighbours are close to each other
    /// (<paramref name="across"/> at most <see cref="EchoThresholds.DeepNeighbourShare"/> of the smaller of the two).
    /// </summary>
    public static bool DeepPop(float before, float after, float across, float typical, EchoThresholds t)
    {
        ArgumentNullException.ThrowIfNull(t);
        float near = MathF.Min(before, after);
        return near > t.DeepPopRatio * typical && across <= t.DeepNeighbourShare * near;
    }

    /// <summary>A linear-light image as interleaved sRGB levels 0..255 (<see cref="DeepFeatures"/>' input).</summary>
    static float[] Levels(RgbaImage img)
    {
        var levels = new float[3 * img.PixelCount];
        for (int i = 0; i < img.PixelCount; i++)
        {
            levels[3 * i] = 255f * Srgb(img.R[i]); levels[3 * i + 1] = 255f * Srgb(img.G[i]); levels[3 * i + 2] = 255f * Srgb(img.B[i]);
        }
        return levels;
    }

    /// <summary>
    /// The pre-screen's verdict on a frame: <see cref="Novel"/> is the share of the frame in clusters of new colour
    /// (at least <see cref="EchoThresholds.ScreenMinPixels"/> connected pixels), <see cref="Passed"/> whether there is any.
    /// </summary>
    public sealed record ScreenResult(float Novel, bool Passed, bool[] Mask, int Width, int MinPixels)
    {
        /// <summary>Whether a region (in the screened frame's pixels) holds at least the screen's minimum of new colour.</summary>
        public bool Confirms(FlipRegion r)
        {
            int n = 0;
            for (int y = r.Y0; y < r.Y1; y++)
                for (int x = r.X0; x < r.X1; x++)
                    if (Mask[y * Width + x]) n++;
            return n >= MinPixels;
        }
    }

    /// <summary>Every pixel of a linear-light image as CIELAB.</summary>
    public static Lab[] Labs(RgbaImage img) => Labs(img, null);

    /// <summary><see cref="Labs(RgbaImage)"/> written into <paramref name="into"/> (every entry; null or another length: a new array).</summary>
    public static Lab[] Labs(RgbaImage img, Lab[]? into)
    {
        ArgumentNullException.ThrowIfNull(img);
        var lab = into is not null && into.Length == img.PixelCount ? into : new Lab[img.PixelCount];
        Parallel.For(0, img.Height, y =>
        {
            for (int i = y * img.Width, e = i + img.Width; i < e; i++) lab[i] = ColourDifference.ToLab(img.R[i], img.G[i], img.B[i]);
        });
        return lab;
    }

    /// <summary>
    /// <see cref="Labs(RgbaImage, Lab[])"/> of a proxy made from the frame before's (<see cref="Proxy(byte[], int, int, int, RgbaImage?, byte[], RgbaImage, (int First, int Last)[])"/>,
    /// which gave <paramref name="changed"/>), given that proxy's Lab (<paramref name="previousLab"/>): outside each row's
    /// blocks made anew the proxy holds the previous proxy's very floats, so their Lab is copied; the rest is converted.
    /// The same values as converting every pixel.
    /// </summary>
    public static Lab[] Labs(RgbaImage img, Lab[]? into, Lab[] previousLab, (int First, int Last)[] changed)
    {
        ArgumentNullException.ThrowIfNull(img);
        ArgumentNullException.ThrowIfNull(previousLab);
        ArgumentNullException.ThrowIfNull(changed);
        if (previousLab.Length != img.PixelCount || changed.Length != img.Height) throw new ArgumentException("the previous Lab or the changed spans differ in size from the image");
        if (ReferenceEquals(into, previousLab)) throw new ArgumentException("the previous Lab is read while the new one is written", nameof(into));
        var lab = into is not null && into.Length == img.PixelCount ? into : new Lab[img.PixelCount];
        Parallel.For(0, img.Height, y =>
        {
            int row = y * img.Width;
            previousLab.AsSpan(row, img.Width).CopyTo(lab.AsSpan(row, img.Width));
            var (first, last) = changed[y];
            for (int i = row + Math.Max(0, first), e = row + Math.Min(img.Width - 1, last); i <= e; i++)
                lab[i] = ColourDifference.ToLab(img.R[i], img.G[i], img.B[i]);
        });
        return lab;
    }

    /// <summary>
    /// ECHO's pre-screen, cheap and without flow: a pixel of the frame is new when no pixel within
    /// <see cref="EchoThresholds.ScreenRadius"/> of it in the frame before, and none in the frame after, is within
    /// <see cref="EchoThresholds.FlipDeltaE"/> (CIE76) of its colour: a colour that appears in this frame only (a flipped
    /// paint, a drawing out of place) rather than moved there from a neighbour or revealed by motion. Clusters of at least
    /// <see cref="EchoThresholds.ScreenMinPixels"/> such pixels pass the frame on to the flow measures; clean motion
    /// (within the radius) and flicker (a brightness change under the ΔE limit) do not.
    /// </summary>
    public static ScreenResult Screen(Lab[] prev, Lab[] cur, Lab[] next, int w, int h, EchoThresholds t)
    {
        ArgumentNullException.ThrowIfNull(prev);
        ArgumentNullException.ThrowIfNull(cur);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(t);
        int n = w * h, r = t.ScreenRadius;
        if (prev.Length != n || cur.Length != n || next.Length != n) throw new ArgumentException("frames differ in size");
        float bound = ColourDifference.SquaredBound(t.FlipDeltaE);
        // the scratch (new-colour flags, component labels) rented for the call: every flag is written, the labels cleared
        var novel = ArrayPool<bool>.Shared.Rent(n);
        var label = ArrayPool<int>.Shared.Rent(n);
        try
        {
            Parallel.For(0, h, y =>
            {
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    novel[i] = !Near(prev, cur[i], x, y) && !Near(next, cur[i], x, y);
                }
            });
            // clusters: keep the connected groups of at least ScreenMinPixels
            var mask = new bool[n];
            int kept = 0;
            Array.Clear(label, 0, n);
            Components(novel, w, h, label, (_, members) =>
            {
                if (members.Count < t.ScreenMinPixels) return;
                kept += members.Count;
                foreach (int i in members) mask[i] = true;
            });
            return new ScreenResult((float)kept / n, kept > 0, mask, w, t.ScreenMinPixels);
        }
        finally { ArrayPool<bool>.Shared.Return(novel); ArrayPool<int>.Shared.Return(label); }

        // ΔE76 ≤ limit decided on the squared distance against its exact bound: the same answers without a square root per pixel
        bool Near(Lab[] img, Lab c, int cx, int cy)
        {
            if (ColourDifference.SquaredDeltaE76(img[cy * w + cx], c) <= bound) return true;
            for (int yy = Math.Max(0, cy - r); yy <= Math.Min(h - 1, cy + r); yy++)
                for (int xx = Math.Max(0, cx - r), e = Math.Min(w - 1, cx + r); xx <= e; xx++)
                    if (ColourDifference.SquaredDeltaE76(img[yy * w + xx], c) <= bound) return true;
            return false;
        }
    }

    /// <summary>Frame <paramref name="cur"/> measured against its neighbours (see the class summary).</summary>
    public static TemporalMetrics Measure(int index, byte[] prev, byte[] cur, byte[] next, int width, int height, EchoThresholds t)
    {
        var a = Analyse(ToImage(prev, width, height), ToImage(cur, width, height), ToImage(next, width, height), t);
        return new TemporalMetrics(index, 0f, a.PopScore, a.Gain, a.Flips);
    }

    /// <summary>
    /// Repaints a frame's colour-flipped regions from its neighbours: every pixel of a flipped region (grown by two
    /// pixels to take its anti-aliased edge) that differs from the neighbours' inbetween takes the inbetween's colour
    /// (at the frame's own brightness). Returns the frame unchanged (a copy) when nothing is flipped.
    /// </summary>
    public static byte[] RepairFlips(byte[] prev, byte[] cur, byte[] next, int width, int height, EchoThresholds t)
    {
        var c = ToImage(cur, width, height);
        var a = Analyse(ToImage(prev, width, height), c, ToImage(next, width, height), t, keep: true);
        try
        {
            var output = (byte[])cur.Clone();
            if (a.Flips.Count == 0) return output;
            int w = width, h = height;
            var grown = Grow(a.FlipMask!, w, h, 2);
            for (int i = 0; i < grown.Length; i++)
            {
                if (!grown[i] || a.Difference![i] < t.RepairDeltaE) continue;
                int o = i * 3;
                output[o] = Encode(a.Pred!.R[i] * a.Gain); output[o + 1] = Encode(a.Pred.G[i] * a.Gain); output[o + 2] = Encode(a.Pred.B[i] * a.Gain);
            }
            return output;
        }
        finally { FramePool.Return(a.Pred); }
    }

    /// <summary>A frame drawn again from its neighbours: the FLUX inbetween (<see cref="ImageInbetweener"/>) halfway between them.</summary>
    public static byte[] Reinbetween(byte[] prev, byte[] next, int width, int height)
    {
        using var ib = ImageInbetweener.FromRgba(ToImage(prev, width, height), ToImage(next, width, height), Options(width, height));
        var frame = ib.RgbaAt(0.5);
        try { return ToRgb24(frame); }
        finally { FramePool.Return(frame); }
    }

    /// <summary>A frame's linear light scaled by <paramref name="gain"/> (the deflicker fix applied to the frame itself).</summary>
    public static byte[] ApplyGain(byte[] rgb, float gain)
    {
        var lut = new byte[256];
        for (int v = 0; v < 256; v++) lut[v] = Encode(ColourDifference.ToLinear((byte)v) * gain);
        var output = new byte[rgb.Length];
        for (int i = 0; i < rgb.Length; i++) output[i] = lut[rgb[i]];
        return output;
    }

    sealed record Analysis(float PopScore, float Gain, IReadOnlyList<FlipRegion> Flips, RgbaImage? Pred, bool[]? FlipMask, float[]? Difference);

    static Analysis Analyse(RgbaImage prev, RgbaImage cur, RgbaImage next, EchoThresholds t, bool keep = false)
    {
        if (prev.Width != cur.Width || next.Width != cur.Width || prev.Height != cur.Height || next.Height != cur.Height)
            throw new ArgumentException("frames differ in size");
        int w = cur.Width, h = cur.Height;
        // the inbetweener's flows and masks go back to FramePool once the candidates are found, and the inbetween too
        // unless the caller keeps it (a repair)
        using var ib = ImageInbetweener.FromRgba(prev, next, Options(w, h));
        var pred = ib.RgbaAt(0.5);
        bool kept = false;
        try
        {
            var a = Against(prev, cur, next, pred, ib.Forward, t, keep);
            kept = keep;
            return a;
        }
        finally { if (!kept) FramePool.Return(pred); }
    }

    /// <summary><see cref="Analyse"/> given the neighbours' inbetween <paramref name="pred"/> and its forward flow.</summary>
    static Analysis Against(RgbaImage prev, RgbaImage cur, RgbaImage next, RgbaImage pred, FlowField fwd, EchoThresholds t, bool keep)
    {
        int w = cur.Width, h = cur.Height, n = w * h;
        float gain = Gain(cur, pred);
        float inv = MathF.Abs(gain - 1f) < 0.005f ? 1f : 1f / gain;

        var pool = ArrayPool<float>.Shared;
        var labC = pool.Rent(3 * n);
        var labP = pool.Rent(3 * n);
        var diff = new float[n];
        var candidate = ArrayPool<bool>.Shared.Rent(n);
        try
        {
            Parallel.For(0, h, y =>
            {
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    var c = ColourDifference.ToLab(cur.R[i] * inv, cur.G[i] * inv, cur.B[i] * inv);
                    var p = ColourDifference.ToLab(pred.R[i], pred.G[i], pred.B[i]);
                    labC[3 * i] = c.L; labC[3 * i + 1] = c.A; labC[3 * i + 2] = c.B;
                    labP[3 * i] = p.L; labP[3 * i + 1] = p.A; labP[3 * i + 2] = p.B;
                    // cheap test first: ΔE00 never exceeds ΔE76 by much for these differences, so skip the clearly equal
                    float d = ColourDifference.DeltaE76(c, p) < 0.5f * t.FlipDeltaE ? 0f : ColourDifference.DeltaE2000(c, p);
                    diff[i] = d;
                    bool cand = false;
                    if (d > t.FlipDeltaE)
                    {
                        float u = 0.5f * fwd.U[i], v = 0.5f * fwd.V[i];
                        var s0 = Sample(prev, w, h, x - u, y - v);
                        var s1 = Sample(next, w, h, x + u, y + v);
                        cand = ColourDifference.DeltaE2000(s0, s1) <= t.AgreeDeltaE
                               && ColourDifference.DeltaE2000(c, s0) > t.FlipDeltaE && ColourDifference.DeltaE2000(c, s1) > t.FlipDeltaE;
                    }
                    candidate[i] = cand;
                }
            });

            var flips = new List<FlipRegion>();
            var flipMask = new bool[n];
            var label = ArrayPool<int>.Shared.Rent(n);
            Array.Clear(label, 0, n);
            int candidates = 0;
            for (int i = 0; i < n; i++) if (candidate[i]) candidates++;
            int minArea = Math.Max(t.FlipMinPixels, (int)(t.FlipMinArea * n));
            try
            {
                int reach = (int)MathF.Ceiling(t.FlipMotionReach * w);
                Components(candidate, w, h, label, (id, members) =>
                {
                    if (members.Count < minArea || Flip(members, label, id, labC, labP, w, h, t) is not { } region) return;
                    if (Moved(region, prev, reach, t) && Moved(region, next, reach, t)) return;
                    flips.Add(region);
                    foreach (int i in members) flipMask[i] = true;
                });
            }
            finally { ArrayPool<int>.Shared.Return(label); }
            int flipped = 0;
            foreach (var f in flips) flipped += f.Area;
            float pop = (float)(candidates - flipped) / n;
            return new Analysis(pop, gain, flips, keep ? pred : null, keep ? flipMask : null, keep ? diff : null);
        }
        finally
        {
            pool.Return(labC); pool.Return(labP);
            ArrayPool<bool>.Shared.Return(candidate);
        }
    }

    /// <summary>
    /// The 4-connected groups of <paramref name="mask"/>'s set pixels (the first w × h entries), in order of their first
    /// pixel: each is labelled in <paramref name="label"/> (zeroed by the caller) with its number from 1 and handed to
    /// <paramref name="each"/> with its pixels (a list reused for the next group).
    /// </summary>
    static void Components(bool[] mask, int w, int h, int[] label, Action<int, List<int>> each)
    {
        var stack = new Stack<int>();
        var members = new List<int>();
        int id = 0;
        for (int s = 0; s < w * h; s++)
        {
            if (!mask[s] || label[s] != 0) continue;
            id++;
            members.Clear();
            label[s] = id; stack.Push(s);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                members.Add(i);
                int x = i % w, y = i / w;
                if (x > 0) Visit(i - 1); if (x < w - 1) Visit(i + 1);
                if (y > 0) Visit(i - w); if (y < h - 1) Visit(i + w);
            }
            each(id, members);
        }

        void Visit(int j)
        {
            if (mask[j] && label[j] == 0) { label[j] = id; stack.Push(j); }
        }
    }

    /// <summary>The component as a colour flip, or null: flat in both images, a real jump of colour, its outline on lines in both.</summary>
    static FlipRegion? Flip(List<int> members, int[] label, int id, float[] labC, float[] labP, int w, int h, EchoThresholds t)
    {
        // the region's core (members whose four neighbours are members too): its anti-aliased rim mixes in the line
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        var core = new List<int>(members.Count);
        foreach (int i in members)
        {
            int x = i % w, y = i / w;
            x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x + 1); y1 = Math.Max(y1, y + 1);
            if (x > 0 && x < w - 1 && y > 0 && y < h - 1 && label[i - 1] == id && label[i + 1] == id && label[i - w] == id && label[i + w] == id)
                core.Add(i);
        }
        if (core.Count < members.Count / 4) core = members;
        double cl = 0, ca = 0, cb = 0, pl = 0, pa = 0, pb = 0;
        foreach (int i in core)
        {
            cl += labC[3 * i]; ca += labC[3 * i + 1]; cb += labC[3 * i + 2];
            pl += labP[3 * i]; pa += labP[3 * i + 1]; pb += labP[3 * i + 2];
        }
        int m = core.Count;
        var meanC = new Lab((float)(cl / m), (float)(ca / m), (float)(cb / m));
        var meanP = new Lab((float)(pl / m), (float)(pa / m), (float)(pb / m));
        float jump = ColourDifference.DeltaE2000(meanC, meanP);
        if (jump <= t.FlipDeltaE) return null;
        double spreadC = 0, spreadP = 0;
        foreach (int i in core)
        {
            spreadC += ColourDifference.DeltaE76(At(labC, i), meanC);
            spreadP += ColourDifference.DeltaE76(At(labP, i), meanP);
        }
        if (spreadC / m > t.FlipFlatness || spreadP / m > t.FlipFlatness) return null;

        // the outline: pixels just outside the region; each should have a line (a clearly different colour) near it in both images
        const int Reach = 3;
        const float Contrast = 20f;
        int ring = 0, lined = 0;
        foreach (int i in members)
        {
            int x = i % w, y = i / w;
            for (int k = 0; k < 4; k++)
            {
                int nx = x + (k == 0 ? -1 : k == 1 ? 1 : 0), ny = y + (k == 2 ? -1 : k == 3 ? 1 : 0);
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                int j = ny * w + nx;
                if (label[j] == id) continue;
                ring++;
                if (Near(labC, meanC, nx, ny) && Near(labP, meanP, nx, ny)) lined++;
            }
        }
        if (ring == 0 || lined < t.FlipOutlineShare * ring) return null;
        return new FlipRegion(members.Count, x0, y0, x1, y1, jump, Hex(meanP), Hex(meanC));

        bool Near(float[] lab, Lab mean, int cx, int cy)
        {
            for (int yy = Math.Max(0, cy - Reach); yy <= Math.Min(h - 1, cy + Reach); yy++)
                for (int xx = Math.Max(0, cx - Reach); xx <= Math.Min(w - 1, cx + Reach); xx++)
                {
                    int j = yy * w + xx;
                    if (label[j] != id && ColourDifference.DeltaE76(At(lab, j), mean) > Contrast) return true;
                }
            return false;
        }
    }

    /// <summary>
    /// Whether the colour a region became is in the neighbour within <paramref name="reach"/> pixels of the region's box
    /// (ΔE76 ≤ <see cref="EchoThresholds.AgreeDeltaE"/>): a fast part (a head or legs smeared by motion blur) the flow
    /// did not follow, over a background both neighbours agree on, rather than a paint no frame around it has.
    /// </summary>
    static bool Moved(FlipRegion r, RgbaImage neighbour, int reach, EchoThresholds t)
    {
        var c = Rgb.FromHex(r.Became);
        var became = ColourDifference.ToLab(c.R, c.G, c.B);
        int w = neighbour.Width, h = neighbour.Height;
        for (int y = Math.Max(0, r.Y0 - reach); y < Math.Min(h, r.Y1 + reach); y++)
            for (int x = Math.Max(0, r.X0 - reach), i = y * w + x; x < Math.Min(w, r.X1 + reach); x++, i++)
                if (ColourDifference.DeltaE76(ColourDifference.ToLab(neighbour.R[i], neighbour.G[i], neighbour.B[i]), became) <= t.AgreeDeltaE) return true;
        return false;
    }

    static Lab At(float[] lab, int i) => new(lab[3 * i], lab[3 * i + 1], lab[3 * i + 2]);

    static Lab Sample(RgbaImage img, int w, int h, float x, float y) =>
        ColourDifference.ToLab(OpticalFlow.Bilinear(img.R, w, h, x, y), OpticalFlow.Bilinear(img.G, w, h, x, y), OpticalFlow.Bilinear(img.B, w, h, x, y));

    /// <summary>Median of the frame's luma over the prediction's (every 4th pixel where the prediction is lit): the frame's brightness against it.</summary>
    static float Gain(RgbaImage cur, RgbaImage pred)
    {
        var ratios = new List<float>(cur.PixelCount / 4 + 1);
        for (int i = 0; i < cur.PixelCount; i += 4)
        {
            float lp = 0.2126f * pred.R[i] + 0.7152f * pred.G[i] + 0.0722f * pred.B[i];
            if (lp < 0.02f) continue;
            float lc = 0.2126f * cur.R[i] + 0.7152f * cur.G[i] + 0.0722f * cur.B[i];
            ratios.Add(lc / lp);
        }
        if (ratios.Count == 0) return 1f;
        ratios.Sort();
        float g = ratios[ratios.Count / 2];
        return float.IsFinite(g) && g > 0.05f ? g : 1f;
    }

    static bool[] Grow(bool[] mask, int w, int h, int radius)
    {
        var output = (bool[])mask.Clone();
        for (int r = 0; r < radius; r++)
        {
            var src = (bool[])output.Clone();
            Parallel.For(0, h, y =>
            {
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    if (src[i]) continue;
                    output[i] = (x > 0 && src[i - 1]) || (x < w - 1 && src[i + 1]) || (y > 0 && src[i - w]) || (y < h - 1 && src[i + w]);
                }
            });
        }
        return output;
    }

    static string Hex(Lab lab)
    {
        var c = ColourDifference.FromLab(lab);
        return string.Create(CultureInfo.InvariantCulture, $"#{Encode(c.R):x2}{Encode(c.G):x2}{Encode(c.B):x2}");
    }
}
