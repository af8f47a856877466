using System.Numerics;
using System.Runtime.CompilerServices;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Stokes;

/// <summary>
/// Turns the fluid fields into the VFX layer: each field is upsampled to the output size with separable Catmull-Rom
/// (smooth, no visible cells), then mapped to premultiplied linear RGBA per kind and layered back to front:
/// mist, smoke (lit from above with self-shadowing), fire (emissive, low alpha so it adds light), magic (glow + sparkles).
/// Buffers are kept between calls of the same size; an instance is not thread-safe.
/// </summary>
[SkipLocalsInit] // the per-row stack buffers are fully written before they are read
public sealed class EffectRenderer
{
    const int Fields = 6; // smoke, light through smoke, heat, magic, magic cyan, mist
    int _w, _h, _rows;
    int[] _xTap = [], _yTap = [];
    float[] _xWeight = [], _yWeight = [];
    float[][] _rowsUp = [];
    float[] _light = [];

    /// <summary>Renders with light from straight above (self-shadowing computed here on the host).</summary>
    public RgbaImage Render(FluidGrid g, int frame, int width, int height, uint seed)
    {
        Prepare(g, width, height);
        SmokeLight(g, _light);
        return Render(g, _light, frame, width, height, seed);
    }

    /// <summary>Renders with a given light-transmittance field (grid layout; see FluidOps.Light: self-shadowing toward the key light).</summary>
    public RgbaImage Render(FluidGrid g, float[] light, int frame, int width, int height, uint seed) =>
        Render(g, light, frame, width, height, seed, out _);

    /// <summary>
    /// <see cref="Render(FluidGrid, float[], int, int, int, uint)"/>, also giving a box outside which every pixel is zero
    /// (the whole frame on an accelerator), so the layer can be encoded without searching the whole frame.
    /// </summary>
    public RgbaImage Render(FluidGrid g, float[] light, int frame, int width, int height, uint seed, out FrameCodec.Box written)
    {
        if (Talos.Gpu.Kernels.ComputeDevice.Current.Accelerator is { } gpu)
        {
            written = new FrameCodec.Box(0, 0, width, height);
            return IlgpuEffectRenderer.Render(gpu, g, light, frame, width, height, seed);
        }
        return RenderCpu(g, light, frame, width, height, seed, out written);
    }

    /// <summary>The sparkle cell size (pixels) for an output height.</summary>
    internal static float SparkleCell(int height) => MathF.Max(2f, height / 90f);

    /// <summary>The CPU path: separable Catmull-Rom (rows, then vectorised columns) and <see cref="EffectCells.Shade"/> per pixel.</summary>
    public RgbaImage RenderCpu(FluidGrid g, float[] light, int frame, int width, int height, uint seed) =>
        RenderCpu(g, light, frame, width, height, seed, out _);

    /// <summary>
    /// The CPU path, also giving the box of the rows' shaded spans (every pixel outside it is zero). The image comes from
    /// <see cref="FramePool"/> (all zero, as a new one; the caller may return it). Per output row the four fields that
    /// decide whether a pixel is drawn (smoke, heat, magic, mist) are upsampled first, and only the span between the first
    /// and the last pixel where one of them reaches <see cref="EffectCells"/>' threshold (or is NaN) is shaded: outside it
    /// <see cref="EffectCells.Shade"/> returns a transparent pixel, which is never written — the same image as shading every pixel.
    /// </summary>
    public RgbaImage RenderCpu(FluidGrid g, float[] light, int frame, int width, int height, uint seed, out FrameCodec.Box written)
    {
        var img = FramePool.Rent(width, height);
        Prepare(g, width, height);
        var sources = new[] { g.Smoke, light, g.Heat, g.Magic, g.MagicCyan, g.Mist };
        int stride = g.Stride, rows = g.Ny + 2;
        // A field of stuff that is all zero (a fire has no mist) upsamples to zeros: it is neither upsampled nor blended,
        // its rows are zeros. Shade reads smoke, heat, magic and mist only through comparisons with its threshold (and
        // cyan only where magic passes it), so whether such a zero is +0 or −0 does not change a pixel. Light always runs.
        Span<bool> zero = stackalloc bool[Fields];
        for (int f = 0; f < Fields; f++) zero[f] = f != 1 && AllZero(sources[f]);
        var upsample = new List<int>(Fields);
        for (int f = 0; f < Fields; f++) if (!zero[f]) upsample.Add(f);

        // Only output pixels with a tap in the deciding fields' box of non-zero cells can be shaded: every other pixel
        // upsamples to ±0 in all four, below the threshold. So only the output rows and columns (whole vectors of them,
        // as the full rows were blended) tapping that box are upsampled and searched — the same values where computed.
        var spans = System.Buffers.ArrayPool<int>.Shared.Rent(2 * height); // per row [x0, x1) shaded; x0 == x1: none
        Array.Clear(spans, 0, 2 * height);
        var (ox0, ox1) = TappedRange(_xTap, width, NonZeroCells(sources, zero, stride, rows, columns: true));
        var (oy0, oy1) = TappedRange(_yTap, height, NonZeroCells(sources, zero, stride, rows, columns: false));
        if (ox0 < ox1 && oy0 < oy1)
        {
            int lanes = Vector<float>.Count;
            ox0 -= ox0 % lanes;
            ox1 = Math.Min(width, ox1 + (lanes - ox1 % lanes) % lanes);
            RenderRows(img, sources, zero, upsample, frame, width, height, seed, stride, ox0, ox1, oy0, oy1, spans);
        }
        int bx0 = width, bx1 = 0, by0 = height, by1 = 0;
        for (int y = 0; y < height; y++)
        {
            int x0 = spans[2 * y], x1 = spans[2 * y + 1];
            if (x0 >= x1) continue;
            (bx0, bx1) = (Math.Min(bx0, x0), Math.Max(bx1, x1));
            by0 = Math.Min(by0, y); by1 = y + 1;
        }
        System.Buffers.ArrayPool<int>.Shared.Return(spans);
        written = by1 > by0 ? new FrameCodec.Box(bx0, by0, bx1 - bx0, by1 - by0) : new FrameCodec.Box(0, 0, 0, 0);
        return img;
    }

    /// <summary>
    /// The inclusive range of grid columns (<paramref name="columns"/>) or rows (borders included) holding a cell that is
    /// not ±0 in a deciding field (NaN included); (1, 0) when there is none.
    /// </summary>
    static (int Lo, int Hi) NonZeroCells(float[][] sources, ReadOnlySpan<bool> zero, int stride, int rows, bool columns)
    {
        int lo = int.MaxValue, hi = -1;
        foreach (int f in Deciding)
        {
            if (zero[f]) continue;
            var cells = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(sources[f].AsSpan(0, stride * rows));
            for (int j = 0; j < rows; j++)
            {
                var row = cells.Slice(j * stride, stride);
                int first = row.IndexOfAnyExcept(0, int.MinValue);
                if (first < 0) continue;
                if (columns) (lo, hi) = (Math.Min(lo, first), Math.Max(hi, row.LastIndexOfAnyExcept(0, int.MinValue)));
                else (lo, hi) = (Math.Min(lo, j), Math.Max(hi, j));
            }
        }
        return hi < 0 ? (1, 0) : (lo, hi);
    }

    /// <summary>[first, last + 1) of the outputs with one of their four taps in the inclusive cell range; (0, 0) when none.</summary>
    static (int Lo, int Hi) TappedRange(int[] taps, int outputs, (int Lo, int Hi) cells)
    {
        int lo = -1, hi = -1;
        for (int o = 0; o < outputs; o++)
            for (int k = 0; k < 4; k++)
            {
                int t = taps[4 * o + k];
                if (t < cells.Lo || t > cells.Hi) continue;
                if (lo < 0) lo = o;
                hi = o;
                break;
            }
        return lo < 0 ? (0, 0) : (lo, hi + 1);
    }

    /// <summary>The two passes over output columns [<paramref name="ox0"/>, <paramref name="ox1"/>) and rows [<paramref name="oy0"/>, <paramref name="oy1"/>).</summary>
    void RenderRows(RgbaImage img, float[][] sources, ReadOnlySpan<bool> zeroFields, List<int> upsample, int frame, int width, int height, uint seed,
        int stride, int ox0, int ox1, int oy0, int oy1, int[] spans)
    {
        // horizontal pass: the grid rows (borders included) the output rows tap, to the output columns, per field
        int jr0 = _yTap[4 * oy0], jr1 = _yTap[4 * (oy1 - 1) + 3];
        Parallel.For(jr0, jr1 + 1, j =>
        {
            foreach (int f in upsample)
            {
                var src = sources[f];
                var dst = _rowsUp[f];
                int row = j * stride, o = j * width;
                for (int x = ox0; x < ox1; x++)
                {
                    int t = x * 4;
                    dst[o + x] = _xWeight[t] * src[row + _xTap[t]] + _xWeight[t + 1] * src[row + _xTap[t + 1]]
                               + _xWeight[t + 2] * src[row + _xTap[t + 2]] + _xWeight[t + 3] * src[row + _xTap[t + 3]];
                }
            }
        });

        // vertical pass (vectorised over the row) and colour mapping, one output row at a time
        float sparkleCell = SparkleCell(height);
        bool zeroSmoke = zeroFields[0], zeroHeat = zeroFields[2], zeroMagic = zeroFields[3], zeroCyan = zeroFields[4], zeroMist = zeroFields[5];
        int cols = ox1 - ox0;
        Parallel.For(oy0, oy1, y =>
        {
            Span<float> row = stackalloc float[Fields * width]; // only [ox0, ox1) of each field's row is written and read
            int t = y * 4;
            int r0 = _yTap[t] * width, r1 = _yTap[t + 1] * width, r2 = _yTap[t + 2] * width, r3 = _yTap[t + 3] * width;
            float w0 = _yWeight[t], w1 = _yWeight[t + 1], w2 = _yWeight[t + 2], w3 = _yWeight[t + 3];
            foreach (int f in Deciding)
            {
                if (f == 0 ? zeroSmoke : f == 2 ? zeroHeat : f == 3 ? zeroMagic : zeroMist) { row.Slice(f * width + ox0, cols).Clear(); continue; }
                var a = _rowsUp[f].AsSpan();
                BlendRows(a.Slice(r0 + ox0, cols), a.Slice(r1 + ox0, cols), a.Slice(r2 + ox0, cols), a.Slice(r3 + ox0, cols), w0, w1, w2, w3, row.Slice(f * width + ox0, cols));
            }
            var smokeRow = row[..width]; var lightRow = row.Slice(width, width); var heatRow = row.Slice(2 * width, width);
            var magicRow = row.Slice(3 * width, width); var cyanRow = row.Slice(4 * width, width); var mistRow = row.Slice(5 * width, width);
            var (x0, x1) = ShadedSpan(smokeRow.Slice(ox0, cols), heatRow.Slice(ox0, cols), magicRow.Slice(ox0, cols), mistRow.Slice(ox0, cols));
            if (x0 >= x1) return;
            (x0, x1) = (x0 + ox0, x1 + ox0);
            spans[2 * y] = x0; spans[2 * y + 1] = x1;
            // light and cyan are read only where a pixel is shaded: upsampled in the span alone (each element on its own)
            foreach (int f in (ReadOnlySpan<int>)[1, 4])
            {
                int n = x1 - x0;
                if (f == 4 && zeroCyan) { row.Slice(f * width + x0, n).Clear(); continue; }
                var a = _rowsUp[f].AsSpan();
                BlendRows(a.Slice(r0 + x0, n), a.Slice(r1 + x0, n), a.Slice(r2 + x0, n), a.Slice(r3 + x0, n), w0, w1, w2, w3, row.Slice(f * width + x0, n));
            }
            var ramp = EffectColours.Ramp;
            for (int x = x0; x < x1; x++)
            {
                float heat = heatRow[x];
                int ri = EffectCells.RampIndex(heat);
                var px = EffectCells.Shade(smokeRow[x], lightRow[x], heat, magicRow[x], cyanRow[x], mistRow[x],
                    ramp[3 * ri], ramp[3 * ri + 1], ramp[3 * ri + 2], x, y, frame, sparkleCell, seed);
                if (px.A == 0f && px.R == 0f && px.G == 0f && px.B == 0f) continue;
                int k = y * width + x;
                img.R[k] = px.R; img.G[k] = px.G; img.B[k] = px.B; img.A[k] = px.A;
            }
        });
    }

    /// <summary>Whether every element of a field is +0 or −0.</summary>
    static bool AllZero(float[] x) => System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(x.AsSpan()).IndexOfAnyExcept(0, int.MinValue) < 0;

    /// <summary>The fields <see cref="EffectCells.Shade"/> tests before drawing anything: smoke, heat, magic, mist.</summary>
    static ReadOnlySpan<int> Deciding => [0, 2, 3, 5];

    /// <summary>
    /// [x0, x1) from the first to the last pixel that <see cref="EffectCells.Shade"/> does not return at once as empty: some
    /// deciding field not below its threshold (NaN included, as Shade's comparisons see it); (0, 0) when there is none.
    /// </summary>
    static (int X0, int X1) ShadedSpan(ReadOnlySpan<float> smoke, ReadOnlySpan<float> heat, ReadOnlySpan<float> magic, ReadOnlySpan<float> mist)
    {
        int width = smoke.Length, n = Vector<float>.Count, x0 = -1, x1 = -1, v = 0, e = width;
        if (Vector.IsHardwareAccelerated)
            for (; v + n <= width; v += n)
                if (LiveAny(smoke, heat, magic, mist, v)) break;
        for (int x = v; x < width; x++) if (Live(smoke, heat, magic, mist, x)) { x0 = x; break; }
        if (x0 < 0) return (0, 0);
        if (Vector.IsHardwareAccelerated)
            for (; e - n >= x0; e -= n)
                if (LiveAny(smoke, heat, magic, mist, e - n)) break;
        for (int x = e - 1; x >= x0; x--) if (Live(smoke, heat, magic, mist, x)) { x1 = x + 1; break; }
        return (x0, x1);
    }

    /// <summary>Whether pixel x is not all below the threshold (a NaN compares false, so it counts as live).</summary>
    static bool Live(ReadOnlySpan<float> smoke, ReadOnlySpan<float> heat, ReadOnlySpan<float> magic, ReadOnlySpan<float> mist, int x) =>
        !(smoke[x] < EffectCells.Threshold && heat[x] < EffectCells.Threshold && magic[x] < EffectCells.Threshold && mist[x] < EffectCells.Threshold);

    /// <summary><see cref="Live"/> of any of the vector of pixels from x.</summary>
    static bool LiveAny(ReadOnlySpan<float> smoke, ReadOnlySpan<float> heat, ReadOnlySpan<float> magic, ReadOnlySpan<float> mist, int x)
    {
        var eps = new Vector<float>(EffectCells.Threshold);
        var empty = Vector.LessThan(new Vector<float>(smoke[x..]), eps) & Vector.LessThan(new Vector<float>(heat[x..]), eps)
            & Vector.LessThan(new Vector<float>(magic[x..]), eps) & Vector.LessThan(new Vector<float>(mist[x..]), eps);
        return !Vector.EqualsAll(empty, new Vector<int>(-1));
    }

    /// <summary>dst = w0·a + w1·b + w2·c + w3·d, clamped at 0 (Catmull-Rom overshoot), SIMD where available.</summary>
    static void BlendRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d,
        float w0, float w1, float w2, float w3, Span<float> dst)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int n = Vector<float>.Count;
            var zero = Vector<float>.Zero;
            for (; x <= dst.Length - n; x += n)
            {
                var v = new Vector<float>(a[x..]) * w0 + new Vector<float>(b[x..]) * w1 + new Vector<float>(c[x..]) * w2 + new Vector<float>(d[x..]) * w3;
                Vector.Max(v, zero).CopyTo(dst[x..]);
            }
        }
        for (; x < dst.Length; x++) dst[x] = MathF.Max(0f, w0 * a[x] + w1 * b[x] + w2 * c[x] + w3 * d[x]);
    }

    void Prepare(FluidGrid g, int width, int height)
    {
        if (_w == width && _h == height && _rows == g.Ny + 2 && _xTap.Length == width * 4 && _light.Length == g.Count) return;
        _w = width; _h = height; _rows = g.Ny + 2;
        (_xTap, _xWeight) = CatmullRomTaps(width, g.Nx);
        (_yTap, _yWeight) = CatmullRomTaps(height, g.Ny);
        _rowsUp = new float[Fields][];
        for (int f = 0; f < Fields; f++) _rowsUp[f] = new float[_rows * width];
        _light = new float[g.Count];
    }

    /// <summary>For each output sample, the four grid cells (border-indexed) and Catmull-Rom weights around its centre.</summary>
    internal static (int[] taps, float[] weights) CatmullRomTaps(int outSize, int cells)
    {
        var taps = new int[outSize * 4];
        var weights = new float[outSize * 4];
        for (int o = 0; o < outSize; o++)
        {
            float c = (o + 0.5f) * cells / outSize + 0.5f; // cell i's centre is at i
            int i = (int)MathF.Floor(c);
            float t = c - i, t2 = t * t, t3 = t2 * t;
            weights[o * 4] = 0.5f * (-t3 + 2f * t2 - t);
            weights[o * 4 + 1] = 0.5f * (3f * t3 - 5f * t2 + 2f);
            weights[o * 4 + 2] = 0.5f * (-3f * t3 + 4f * t2 + t);
            weights[o * 4 + 3] = 0.5f * (t3 - t2);
            for (int k = 0; k < 4; k++) taps[o * 4 + k] = Math.Clamp(i - 1 + k, 0, cells + 1);
        }
        return (taps, weights);
    }

    /// <summary>Light reaching each cell from above through the smoke: exp(−κ·∫ smoke) down each column.</summary>
    static void SmokeLight(FluidGrid g, float[] light)
    {
        const float Kappa = 0.35f;
        int s = g.Stride;
        for (int i = 0; i < s; i++)
        {
            float depth = 0f;
            for (int j = 0; j < g.Ny + 2; j++)
            {
                int k = i + s * j;
                light[k] = MathF.Exp(-Kappa * depth);
                depth += g.Smoke[k];
            }
        }
    }
}


/// <summary>The fire ramp and helpers of the effects' look (the per-pixel look itself is <see cref="EffectCells.Shade"/>).</summary>
public static class EffectColours
{
    const int RampSize = EffectCells.RampSize;
    const float RampMaxHeat = EffectCells.RampMaxHeat;
    /// <summary>The blackbody fire ramp, packed R, G, B per entry (what both renderers index with EffectCells.RampIndex).</summary>
    public static readonly float[] Ramp = BuildFireRamp();

    /// <summary>An HDR linear value for display: a soft shoulder (highlights roll off instead of clipping flat), then 8-bit sRGB.</summary>
    public static byte DisplayByte(float v)
    {
        v = MathF.Max(0f, v);
        v = v / (1f + 0.25f * v) * 1.25f;
        return (byte)Math.Clamp((int)MathF.Round(Talos.Gpu.Imaging.ColorMath.LinearToSrgb(MathF.Min(v, 1f)) * 255f), 0, 255);
    }

    static float[] BuildFireRamp()
    {
        var ramp = new float[3 * RampSize];
        for (int i = 0; i < RampSize; i++)
        {
            float heat = (i + 0.5f) * RampMaxHeat / RampSize;
            float kelvin = 700f + 1700f * (1f - ExpNeg(0.35f * heat));
            var (r, g, b) = Blackbody(kelvin);
            // radiance ∝ T⁴ (Stefan–Boltzmann), scaled so a 2000 K flame reaches about 1.5 in red
            float radiance = 1.5f * MathF.Pow(kelvin / 2000f, 4f) * (1f - ExpNeg(1.5f * heat));
            (ramp[3 * i], ramp[3 * i + 1], ramp[3 * i + 2]) = (r * radiance, g * radiance, b * radiance);
        }
        return ramp;
    }

    /// <summary>
    /// Colour of a black body at a temperature in kelvin: Planck's law sampled at representative red, green and blue
    /// wavelengths (610, 550, 465 nm), normalised so the largest channel is 1 (linear light).
    /// </summary>
    public static (float R, float G, float B) Blackbody(float kelvin)
    {
        static double Planck(double nm, double t)
        {
            const double C2 = 1.4388e7; // h·c/k in nm·K
            double l = nm;
            return 1.0 / (l * l * l * l * l * (Math.Exp(C2 / (l * t)) - 1.0));
        }
        double r = Planck(610, kelvin), g = Planck(550, kelvin), b = Planck(465, kelvin);
        double m = Math.Max(r, Math.Max(g, b));
        return ((float)(r / m), (float)(g / m), (float)(b / m));
    }

    /// <summary>e^(−x) for x ≥ 0 as (1 + x/4)^−4: within 0.04 of the true curve, monotone, and far cheaper per pixel.</summary>
    public static float ExpNeg(float x) => EffectCells.ExpNeg(x);

    /// <summary>
    /// Twinkling star field: one possible star per sparkle cell (hash-placed), fading in and out over a few frames.
    /// Returns 0..1 at pixel (x, y).
    /// </summary>
    public static float Sparkle(int x, int y, int frame, float cell, uint seed) => EffectCells.Sparkle(x, y, frame, cell, seed);
}
