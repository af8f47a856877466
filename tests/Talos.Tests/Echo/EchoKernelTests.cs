using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Echo;

/// <summary>
/// ECHO's per-frame kernels (luma plane, frame difference, block motion, the temporal checks' proxy) against the plain
/// pixel-by-pixel loops they replaced: the same floats to the bit, on frame sizes that do not fill whole blocks or
/// vectors, with flat areas, noise, small changes and motion.
/// </summary>
public sealed class EchoKernelTests
{
    static readonly float[] Linear = Enumerable.Range(0, 256).Select(i => ColorMath.SrgbToLinear(i / 255f)).ToArray();

    /// <summary>A frame: flat paint, a gradient, noise in a patch, shifted by <paramref name="shift"/> pixels; some bytes nudged.</summary>
    static byte[] Frame(int w, int h, int seed, int shift, int nudges)
    {
        var rng = new Random(seed);
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int u = x - shift, o = (y * w + x) * 3;
                bool patch = u > w / 3 && u < w / 2 && y > h / 4 && y < 3 * h / 4;
                rgb[o] = (byte)(patch ? rng.Next(256) : 40 + (u & 63));
                rgb[o + 1] = (byte)(patch ? rng.Next(256) : 120);
                rgb[o + 2] = (byte)(patch ? rng.Next(256) : (y * 255 / Math.Max(1, h - 1)));
            }
        for (int k = 0; k < nudges; k++)
        {
            int i = rng.Next(rgb.Length);
            rgb[i] = (byte)Math.Clamp(rgb[i] + rng.Next(-6, 7), 0, 255);
        }
        return rgb;
    }

    public static TheoryData<int, int> Sizes => new() { { 1280, 720 }, { 37, 23 }, { 101, 64 }, { 66, 9 }, { 3, 2 }, { 256, 144 } };

    /// <summary>
    /// L*a*b*'s cube root in managed code is the libm <c>cbrtf</c> that <see cref="MathF.Cbrt"/> calls, to the bit: every
    /// 7th float of [2⁻⁸, 16) (where it computes; all of them were compared once), the range's edges, and the values
    /// outside it, which it hands to <see cref="MathF.Cbrt"/>.
    /// </summary>
    [Fact]
    public void CubeRootIsMathFCbrtToTheBit()
    {
        uint lo = BitConverter.SingleToUInt32Bits(1f / 256), hi = BitConverter.SingleToUInt32Bits(16f);
        for (uint b = lo; b < hi; b += 7)
        {
            float x = BitConverter.UInt32BitsToSingle(b);
            if (BitConverter.SingleToUInt32Bits(ColourDifference.Cbrt(x)) != BitConverter.SingleToUInt32Bits(MathF.Cbrt(x)))
                Assert.Fail($"cbrt({x:R}) = {ColourDifference.Cbrt(x):R}, MathF.Cbrt {MathF.Cbrt(x):R}");
        }
        foreach (float x in new[] { 0f, -0f, 1e-30f, 216f / 24389f, MathF.BitDecrement(1f / 256), 1f / 256, 0.5f, 1f, MathF.BitDecrement(16f), 16f, 27f, 1e6f,
                     -1f, -0.2f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon })
            Assert.Equal(BitConverter.SingleToUInt32Bits(MathF.Cbrt(x)), BitConverter.SingleToUInt32Bits(ColourDifference.Cbrt(x)));
    }

    /// <summary>ΔE76 within a limit decided on the squared distance against <see cref="ColourDifference.SquaredBound"/>: the
    /// same answer as the square root's, also for the floats right at the bound.</summary>
    [Fact]
    public void SquaredBoundDecidesAsTheSquareRoot()
    {
        var rng = new Random(7);
        foreach (float limit in new[] { 10f, 6f, 2f, 0.5f, 20f, 0f, 1e-3f, 3.3f })
        {
            float bound = ColourDifference.SquaredBound(limit);
            Assert.True(MathF.Sqrt(bound) <= limit);
            Assert.True(MathF.Sqrt(MathF.BitIncrement(bound)) > limit);
            for (int k = 0; k < 200_000; k++)
            {
                var p = new Lab(100 * rng.NextSingle(), 200 * rng.NextSingle() - 100, 200 * rng.NextSingle() - 100);
                // a difference near the limit: a random direction scaled to within a few ulps of it
                float dl = rng.NextSingle() - 0.5f, da = rng.NextSingle() - 0.5f, db = rng.NextSingle() - 0.5f;
                float len = MathF.Sqrt(dl * dl + da * da + db * db), s = limit / MathF.Max(len, 1e-6f) * (1f + (rng.NextSingle() - 0.5f) * 2e-6f);
                var q = new Lab(p.L + dl * s, p.A + da * s, p.B + db * s);
                Assert.Equal(ColourDifference.DeltaE76(p, q) <= limit, ColourDifference.SquaredDeltaE76(p, q) <= bound);
            }
        }
        Assert.Equal(-1f, ColourDifference.SquaredBound(-1f));
        Assert.False(float.NaN <= ColourDifference.SquaredBound(10f));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void LumaPlaneIsThePixelByPixelSum(int w, int h)
    {
        var rgb = Frame(w, h, 1, 0, 50);
        var plane = LumaPlane.FromRgb24(rgb, w, h);
        var (data, mean) = ReferenceLuma(rgb, w, h);
        Assert.Equal(mean, plane.Mean);
        Assert.Equal(data, plane.Data);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ProxyIsThePixelByPixelAverage(int w, int h)
    {
        var rgb = Frame(w, h, 2, 0, 0);
        foreach (int factor in new[] { 2, 3, 4, 6 })
        {
            if (w / factor < 1 || h / factor < 1) continue;
            var proxy = TemporalChecks.Proxy(rgb, w, h, factor);
            var (r, g, b) = ReferenceProxy(rgb, w, h, factor);
            Assert.Equal(r, proxy.R);
            Assert.Equal(g, proxy.G);
            Assert.Equal(b, proxy.B);
            Assert.All(proxy.A, a => Assert.Equal(1f, a));
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Reused_planes_and_proxies_hold_the_same_values_as_new_ones(int w, int h)
    {
        // a plane, a proxy and a Lab array written over another frame's (what ECHO's window reuses) equal fresh ones
        var (a, b) = (Frame(w, h, 3, 0, 40), Frame(w, h, 4, 2, 40));
        var recycled = LumaPlane.FromRgb24(a, w, h);
        var old = recycled.Data;
        var plane = LumaPlane.FromRgb24(b, w, h, recycled);
        Assert.Same(old, plane.Data);
        var fresh = LumaPlane.FromRgb24(b, w, h);
        Assert.Equal(fresh.Data, plane.Data);
        Assert.Equal(fresh.Mean, plane.Mean);
        foreach (int factor in new[] { 1, 2, 4 })
        {
            if (w / factor < 1 || h / factor < 1) continue;
            var into = TemporalChecks.Proxy(a, w, h, factor);
            Array.Fill(into.A, 0.25f);
            var labInto = TemporalChecks.Labs(into);
            var proxy = TemporalChecks.Proxy(b, w, h, factor, into);
            Assert.Same(into, proxy);
            var expected = TemporalChecks.Proxy(b, w, h, factor);
            Assert.Equal(expected.R, proxy.R);
            Assert.Equal(expected.G, proxy.G);
            Assert.Equal(expected.B, proxy.B);
            Assert.Equal(expected.A, proxy.A);
            var lab = TemporalChecks.Labs(proxy, labInto);
            Assert.Same(labInto, lab);
            Assert.Equal(TemporalChecks.Labs(expected), lab);
        }
        Assert.Throws<ArgumentException>(() => QualityMeter.Measure(1, b, a, plane, w, h, plane, out _));
    }

    /// <summary>
    /// The frame after <paramref name="previous"/> at test step <paramref name="step"/>: 0 the same, 1 its first and last
    /// columns repainted, 2 its first and last rows, 3 <paramref name="unrelated"/> (nothing in common), 4 five single bytes
    /// flipped, 5 (with <paramref name="lastByte"/>) only the very last byte, later steps a figure painted somewhere.
    /// </summary>
    static byte[] Changed(byte[] previous, int w, int h, int step, Random rng, Func<byte[]> unrelated, bool lastByte)
    {
        var rgb = (byte[])previous.Clone();
        void Paint(int x0, int y0, int pw, int ph)
        {
            for (int y = Math.Max(0, y0); y < Math.Min(h, y0 + ph); y++)
                for (int x = Math.Max(0, x0); x < Math.Min(w, x0 + pw); x++)
                    for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte)rng.Next(256);
        }
        switch (step)
        {
            case 0: break;
            case 1: Paint(0, 0, 1, h); Paint(w - 1, 0, 1, h); break;
            case 2: Paint(0, 0, w, 1); Paint(0, h - 1, w, 1); break;
            case 3: rgb = unrelated(); break;
            case 4: for (int k = 0; k < 5; k++) rgb[rng.Next(rgb.Length)] ^= 1; break;
            case 5 when lastByte: rgb[rgb.Length - 1] ^= 4; break;
            default: Paint(rng.Next(w) - w / 8, rng.Next(h) - h / 8, 1 + rng.Next(w / 2 + 1), 1 + rng.Next(h / 2 + 1)); break;
        }
        return rgb;
    }

    /// <summary>
    /// A plane made from the frame before and its plane (what ECHO does frame after frame: a still shot repeats most of
    /// the frame before) holds the same values and mean as a new one, to the bit: the same frame, a figure moving over a
    /// still frame, changes in the first and last columns and rows only, single bytes, a frame with nothing in common.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Planes_made_from_the_frame_before_equal_new_ones(int w, int h)
    {
        var rng = new Random(w * 31 + h);
        var previous = Frame(w, h, 5, 0, 0);
        var before = LumaPlane.FromRgb24(previous, w, h);
        LumaPlane? spare = null;
        for (int step = 0; step < 12; step++)
        {
            var rgb = Changed(previous, w, h, step, rng, () => Frame(w, h, 9, 3, 100), lastByte: false);
            var plane = LumaPlane.FromRgb24(rgb, w, h, spare, previous, before);
            var fresh = LumaPlane.FromRgb24(rgb, w, h);
            Assert.Equal(fresh.Data, plane.Data);
            Assert.Equal(fresh.Mean, plane.Mean);
            var (data, mean) = ReferenceLuma(rgb, w, h);
            Assert.Equal(mean, plane.Mean);
            Assert.Equal(data, plane.Data);
            (spare, before, previous) = (before, plane, rgb);
        }
    }

    /// <summary>
    /// A proxy made from the frame before and its proxy, and its Lab from the frame before's Lab (what the temporal checks
    /// do frame after frame), hold the same values as new ones, to the bit, at every factor: the same frame, changes in the
    /// first and last columns and rows only, single bytes, a frame with nothing in common, figures.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void Proxies_made_from_the_frame_before_equal_new_ones(int w, int h)
    {
        foreach (int factor in new[] { 2, 3, 4 })
        {
            if (w / factor < 1 || h / factor < 1) continue;
            var rng = new Random(w * 17 + h + factor);
            var previous = Frame(w, h, 6, 0, 0);
            var before = TemporalChecks.Proxy(previous, w, h, factor);
            var beforeLab = TemporalChecks.Labs(before);
            RgbaImage? spare = null;
            Lab[]? spareLab = null;
            for (int step = 0; step < 12; step++)
            {
                var rgb = Changed(previous, w, h, step, rng, () => Frame(w, h, 10, 2, 100), lastByte: false);
                var changed = new (int First, int Last)[h / factor];
                var proxy = TemporalChecks.Proxy(rgb, w, h, factor, spare, previous, before, changed);
                var fresh = TemporalChecks.Proxy(rgb, w, h, factor);
                Assert.Equal(fresh.R, proxy.R);
                Assert.Equal(fresh.G, proxy.G);
                Assert.Equal(fresh.B, proxy.B);
                Assert.All(proxy.A, a => Assert.Equal(1f, a));
                if (step == 0) Assert.All(changed, c => Assert.True(c.First > c.Last));
                var lab = TemporalChecks.Labs(proxy, spareLab, beforeLab, changed);
                Assert.Equal(TemporalChecks.Labs(fresh), lab);
                (spare, before, previous, spareLab, beforeLab) = (before, proxy, rgb, beforeLab, lab);
            }
        }
    }

    /// <summary>
    /// The frame difference's spans of changed bytes per row (<see cref="RowChanges"/>, from <see cref="QualityMeter.Measure(int, byte[], byte[], LumaPlane?, int, int, LumaPlane?, out LumaPlane, out RowChanges?)"/>)
    /// are the first and last differing byte of each row, byte by byte; the luma plane and the proxies (every factor) made
    /// from the frame before with those spans equal new ones, and the proxies' changed blocks equal those found by
    /// comparing the frames: the same frame, edges only, single bytes, nothing in common, figures.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_frame_differences_spans_serve_the_plane_and_the_proxies(int w, int h)
    {
        var rng = new Random(w * 7 + h);
        var previous = Frame(w, h, 4, 0, 0);
        var plane = LumaPlane.FromRgb24(previous, w, h);
        var factors = new[] { 2, 3, 4 }.Where(f => w / f >= 1 && h / f >= 1).ToArray();
        var proxies = factors.Select(f => TemporalChecks.Proxy(previous, w, h, f)).ToArray();
        for (int step = 0; step < 12; step++)
        {
            var rgb = Changed(previous, w, h, step, rng, () => Frame(w, h, 8, 2, 100), lastByte: true);
            var m = QualityMeter.Measure(1, rgb, previous, plane, w, h, null, out var next, out var rows);
            Assert.NotNull(rows);
            for (int y = 0; y < h; y++)
            {
                int first = -1, last = -1;
                for (int k = 0; k < w * 3; k++)
                    if (rgb[y * w * 3 + k] != previous[y * w * 3 + k]) { if (first < 0) first = k; last = k; }
                if (first < 0) Assert.True(rows!.First[y] > rows.Last[y], $"row {y} is the same");
                else Assert.Equal((first, last), (rows!.First[y], rows.Last[y]));
            }
            var fresh = LumaPlane.FromRgb24(rgb, w, h);
            Assert.Equal(fresh.Data, next.Data);
            Assert.Equal(fresh.Mean, next.Mean);
            Assert.Equal(ReferenceDifference(rgb, previous, w, h), (m.DiffFromPrevious, m.ChangedFraction));
            for (int k = 0; k < factors.Length; k++)
            {
                int f = factors[k];
                var (withRows, compared) = (new (int, int)[h / f], new (int, int)[h / f]);
                var proxy = TemporalChecks.Proxy(rgb, w, h, f, null, previous, proxies[k], withRows, rows);
                var byComparing = TemporalChecks.Proxy(rgb, w, h, f, null, previous, proxies[k], compared);
                var made = TemporalChecks.Proxy(rgb, w, h, f);
                Assert.Equal(made.R, proxy.R);
                Assert.Equal(made.G, proxy.G);
                Assert.Equal(made.B, proxy.B);
                Assert.Equal(compared, withRows);
                proxies[k] = proxy;
            }
            (previous, plane) = (rgb, next);
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void DifferenceAndMotionAreThePlainLoops(int w, int h)
    {
        var a = Frame(w, h, 3, 0, 0);
        foreach (var (shift, nudges) in new[] { (0, 0), (0, 40), (2, 0), (5, 300) })
        {
            var b = Frame(w, h, 3, shift, nudges);
            var m = QualityMeter.Measure(1, b, a, w, h);
            var (diff, changed) = ReferenceDifference(b, a, w, h);
            Assert.Equal(diff, m.DiffFromPrevious);
            Assert.Equal(changed, m.ChangedFraction);

            var (pa, pb) = (LumaPlane.FromRgb24(a, w, h), LumaPlane.FromRgb24(b, w, h));
            var field = MotionEstimator.Estimate(pa, pb);
            var (dx, dy, residual) = ReferenceMotion(pa, pb);
            Assert.Equal(dx, field.Dx);
            Assert.Equal(dy, field.Dy);
            Assert.Equal(residual, field.Residual);
            if (shift > 0 && w >= 256) Assert.Contains(field.Dx, d => d != 0); // the motion is found, not only matched
        }
    }

    // ---- the loops before vectors (ECHO's stage version 1)

    static (float[] Data, float Mean) ReferenceLuma(byte[] rgb, int width, int height)
    {
        const int F = LumaPlane.Factor;
        int qw = Math.Max(1, width / F), qh = Math.Max(1, height / F);
        var data = new float[qw * qh];
        var rowSums = new double[height];
        for (int qy = 0; qy < qh; qy++)
        {
            int y0 = qy * F, y1 = qy == qh - 1 ? height : y0 + F;
            var acc = new float[qw];
            for (int y = y0; y < y1; y++)
            {
                int o = y * width * 3;
                double rowSum = 0;
                for (int x = 0; x < width; x++, o += 3)
                {
                    float l = 0.2126f * Linear[rgb[o]] + 0.7152f * Linear[rgb[o + 1]] + 0.0722f * Linear[rgb[o + 2]];
                    rowSum += l;
                    if (y < y0 + F) acc[Math.Min(x / F, qw - 1)] += l;
                }
                rowSums[y] = rowSum;
            }
            int ry = Math.Min(F, height), rx = Math.Min(F, width);
            for (int qx = 0; qx < qw; qx++)
            {
                int cols = qx == qw - 1 ? width - qx * F : rx;
                data[qy * qw + qx] = acc[qx] / (cols * ry);
            }
        }
        double total = 0;
        for (int y = 0; y < height; y++) total += rowSums[y];
        return (data, (float)(total / ((double)width * height)));
    }

    static (float[] R, float[] G, float[] B) ReferenceProxy(byte[] rgb, int width, int height, int factor)
    {
        int pw = width / factor, ph = height / factor;
        var (rr, gg, bb) = (new float[pw * ph], new float[pw * ph], new float[pw * ph]);
        float inv = 1f / (factor * factor);
        for (int py = 0; py < ph; py++)
            for (int px = 0; px < pw; px++)
            {
                float r = 0, g = 0, b = 0;
                for (int dy = 0; dy < factor; dy++)
                    for (int dx = 0, o = ((py * factor + dy) * width + px * factor) * 3; dx < factor; dx++, o += 3)
                    {
                        r += Linear[rgb[o]]; g += Linear[rgb[o + 1]]; b += Linear[rgb[o + 2]];
                    }
                int i = py * pw + px;
                rr[i] = r * inv; gg[i] = g * inv; bb[i] = b * inv;
            }
        return (rr, gg, bb);
    }

    static (float Mean, float Changed) ReferenceDifference(byte[] a, byte[] b, int width, int rows)
    {
        long total = 0, pixels = 0;
        for (int o = 0; o < a.Length; o += 3)
        {
            int dr = Math.Abs(a[o] - b[o]), dg = Math.Abs(a[o + 1] - b[o + 1]), db = Math.Abs(a[o + 2] - b[o + 2]);
            total += dr + dg + db;
            if (Math.Max(dr, Math.Max(dg, db)) > 2) pixels++;
        }
        return ((float)(total / (255.0 * a.Length)), (float)((double)pixels / ((long)width * rows)));
    }

    static (int[] Dx, int[] Dy, float[] Residual) ReferenceMotion(LumaPlane previous, LumaPlane current)
    {
        const int Search = MotionEstimator.Search;
        int w = current.Width, h = current.Height;
        int bs = Math.Min(MotionEstimator.Block, Math.Min(w, h));
        int bx = Math.Max(1, w / bs), by = Math.Max(1, h / bs);
        int s = w + 1;
        var t = new double[s * (h + 1)];
        for (int y = 0; y < h; y++)
        {
            double row = 0;
            for (int x = 0; x < w; x++)
            {
                row += previous.Data[y * w + x];
                t[(y + 1) * s + x + 1] = t[y * s + x + 1] + row;
            }
        }
        float BlockSum(int x, int y) => (float)(t[(y + bs) * s + x + bs] - t[y * s + x + bs] - t[(y + bs) * s + x] + t[y * s + x]);
        var (dxs, dys, residual) = (new int[bx * by], new int[bx * by], new float[bx * by]);
        var prev = previous.Data;
        var cur = current.Data;
        float inv = 1f / (bs * bs);
        var block = new float[bs * bs];
        for (int j = 0; j < by; j++)
            for (int i = 0; i < bx; i++)
            {
                int x0 = i * bs, y0 = j * bs;
                float sum = 0;
                for (int y = 0; y < bs; y++)
                    for (int x = 0; x < bs; x++) sum += block[y * bs + x] = cur[(y0 + y) * w + x0 + x];
                float mean = sum * inv;
                for (int k = 0; k < block.Length; k++) block[k] -= mean;
                float bestCost = float.MaxValue, bestMean = mean;
                int bestDx = 0, bestDy = 0;
                for (int dy = -Search; dy <= Search; dy++)
                {
                    int py = y0 + dy;
                    if (py < 0 || py + bs > h) continue;
                    for (int dx = -Search; dx <= Search; dx++)
                    {
                        int px = x0 + dx;
                        if (px < 0 || px + bs > w) continue;
                        float pm = BlockSum(px, py) * inv;
                        float sad = 0;
                        for (int y = 0; y < bs; y++)
                        {
                            int row = (py + y) * w + px, b = y * bs;
                            for (int x = 0; x < bs; x++) sad += MathF.Abs(block[b + x] - (prev[row + x] - pm));
                        }
                        float cost = sad * (1f + 0.02f * (Math.Abs(dx) + Math.Abs(dy))) + 1e-6f * (Math.Abs(dx) + Math.Abs(dy));
                        if (cost < bestCost) { bestCost = cost; bestDx = dx; bestDy = dy; bestMean = pm; }
                    }
                }
                int n = j * bx + i;
                dxs[n] = bestDx; dys[n] = bestDy;
                residual[n] = mean - bestMean;
            }
        return (dxs, dys, residual);
    }

    /// <summary>
    /// The warping error and line stability along given flows, rows eight pixels at a time, against pixel by pixel: the
    /// same floats, on an odd width (row tails), with flows that leave the frame, fail the consistency test and pass it.
    /// </summary>
    [Theory]
    [InlineData(83, 37, 1)]
    [InlineData(64, 21, 2)]
    [InlineData(7, 9, 3)] // narrower than eight: the scalar loop alone
    public void The_pair_measures_eight_pixels_at_a_time_are_the_pixel_by_pixel_ones(int w, int h, int seed)
    {
        var rng = new Random(seed);
        RgbaImage Image()
        {
            var img = new RgbaImage(w, h);
            for (int i = 0; i < w * h; i++)
            {
                bool flat = (i / 5) % 3 == 0; // runs of repeated paint (the sRGB memo's repeats)
                img.R[i] = flat ? 0.25f : rng.NextSingle();
                img.G[i] = flat ? 0.5f : rng.NextSingle() * 1.2f - 0.1f; // outside 0..1 too (clamped)
                img.B[i] = rng.NextSingle();
            }
            return img;
        }
        var (a, b) = (Image(), Image());
        var fwd = new Talos.Gpu.Flux.FlowField(w, h);
        var bwd = new Talos.Gpu.Flux.FlowField(w, h);
        for (int i = 0; i < w * h; i++)
        {
            int kind = rng.Next(4);
            float u = 2.3f + rng.NextSingle() - 0.5f, v = -1.1f + rng.NextSingle() - 0.5f;
            if (kind == 3) (u, v) = (rng.NextSingle() * 30 - 15, rng.NextSingle() * 30 - 15); // often out of the frame
            fwd.U[i] = u; fwd.V[i] = v;
            // mostly the way back (consistent), sometimes not
            bwd.U[i] = kind == 2 ? rng.NextSingle() * 8 - 4 : -2.3f + 0.05f * rng.NextSingle();
            bwd.V[i] = kind == 2 ? rng.NextSingle() * 8 - 4 : 1.1f - 0.05f * rng.NextSingle();
        }
        var linesA = Enumerable.Range(0, w * h).Select(_ => rng.Next(3) == 0).ToArray();
        var linesB = Enumerable.Range(0, w * h).Select(_ => rng.Next(3) == 0).ToArray();
        var expected = TemporalChecks.MeasureAlong(a, b, fwd, bwd, linesA, linesB, 1, 1f, vector: false);
        var actual = TemporalChecks.MeasureAlong(a, b, fwd, bwd, linesA, linesB, 1, 1f);
        Assert.True(expected.WarpError > 0f && expected.LineStability is > 0f and < 1f, $"measures {expected}");
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.WarpError), BitConverter.SingleToInt32Bits(actual.WarpError));
        Assert.Equal(expected.LineStability, actual.LineStability);
        var withoutLines = TemporalChecks.MeasureAlong(a, b, fwd, bwd, null, null, 1, 1f);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.WarpError), BitConverter.SingleToInt32Bits(withoutLines.WarpError));
        Assert.Null(withoutLines.LineStability);
    }
}
