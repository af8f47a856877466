using System.Buffers;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Flux;

/// <summary>
/// The signal the optical flow matches: a few planes of equal size. Line art is mostly blank paper, so a drawing is
/// matched on its slightly blurred ink and on a scaled distance to the nearest line, which gives every blank pixel a
/// slope that moves with the strokes around it (thin lines alone have almost nothing to lock onto).
/// </summary>
public sealed class FlowFeatures
{
    public int Width { get; }
    public int Height { get; }
    public float[][] Planes { get; }

    public FlowFeatures(int width, int height, float[][] planes)
    {
        if (planes.Length == 0 || planes.Any(p => p.Length != width * height)) throw new ArgumentException("feature planes must match the size");
        Width = width; Height = height; Planes = planes;
    }

    /// <summary>Pixels of distance that make one unit of the distance plane, per 360 rows of image.</summary>
    public const float DistanceScale = 12f;

    /// <summary>Features of ink coverage in [0, 1] (1 = line).</summary>
    public static FlowFeatures FromInk(GrayImage ink)
    {
        int w = ink.Width, h = ink.Height;
        var mask = ArrayPool<bool>.Shared.Rent(w * h);
        var data = ink.Data;
        try
        {
            Parallel.For(0, h, y =>
            {
                for (int i = y * w, end = i + w; i < end; i++) mask[i] = data[i] > 0.35f;
            });
            return Build(w, h, Blur(data, w, h), mask, []);
        }
        finally { ArrayPool<bool>.Shared.Return(mask); }
    }

    /// <summary>Features of a colour frame: its ink-like darkness (1 − luma, gamma-encoded), colour differences, and the distance to its edges.</summary>
    public static FlowFeatures FromRgba(RgbaImage img)
    {
        int w = img.Width, h = img.Height, n = w * h;
        // the colour planes and the edge mask are scratch (the features are their blurs and the mask's distances)
        var pool = ArrayPool<float>.Shared;
        float[] dark = pool.Rent(n), rg = pool.Rent(n), by = pool.Rent(n);
        var mask = ArrayPool<bool>.Shared.Rent(n);
        try
        {
            Parallel.For(0, h, () => new EncodeCache(), (y, _, cache) =>
            {
                for (int i = y * w, end = i + w; i < end; i++)
                {
                    float r = cache.Encode(img.R[i]), g = cache.Encode(img.G[i]), b = cache.Encode(img.B[i]);
                    float l = 0.2126f * r + 0.7152f * g + 0.0722f * b;
                    dark[i] = 1f - l; rg[i] = 0.5f * (r - g); by[i] = 0.5f * (0.5f * (r + g) - b);
                }
                return cache;
            }, _ => { });
            Array.Clear(mask, 0, n); // the border rows and columns stay unset
            Parallel.For(1, Math.Max(1, h - 1), y =>
            {
                for (int x = 1; x < w - 1; x++)
                {
                    int i = y * w + x;
                    float gx = dark[i + 1] - dark[i - 1], gy = dark[i + w] - dark[i - w];
                    mask[i] = gx * gx + gy * gy > 0.04f || dark[i] > 0.65f;
                }
            });
            return Build(w, h, Blur(dark, w, h), mask, [Blur(rg, w, h), Blur(by, w, h)]);
        }
        finally
        {
            pool.Return(dark); pool.Return(rg); pool.Return(by);
            ArrayPool<bool>.Shared.Return(mask);
        }
    }

    static float Encode(float linear) => ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f));

    /// <summary>
    /// <see cref="Encode"/> remembered per input bit pattern (one thread's, direct-mapped, 4096 entries): a frame that came
    /// through 8 bits has at most 256 values per channel, so the power function runs a few hundred times per frame
    /// instead of three times per pixel. An entry holds the exact input bits and the exact result: the same values.
    /// </summary>
    sealed class EncodeCache
    {
        const int Bits = 12;
        readonly uint[] _keys = new uint[1 << Bits];
        readonly float[] _values = new float[1 << Bits];

        public EncodeCache()
        {
            // every slot holds a real entry from the start: the key 0xFFFFFFFF (a NaN pattern) with its own encoding
            Array.Fill(_keys, uint.MaxValue);
            Array.Fill(_values, FlowFeatures.Encode(BitConverter.UInt32BitsToSingle(uint.MaxValue)));
        }

        public float Encode(float linear)
        {
            uint bits = BitConverter.SingleToUInt32Bits(linear);
            int slot = (int)((bits * 2654435761u) >> (32 - Bits));
            if (_keys[slot] == bits) return _values[slot];
            float e = FlowFeatures.Encode(linear);
            _keys[slot] = bits; _values[slot] = e;
            return e;
        }
    }

    /// <summary>The features: the blurred planes and the distance plane of <paramref name="lines"/> (its first w·h pixels), every plane from <see cref="FramePool"/>.</summary>
    static FlowFeatures Build(int w, int h, float[] ink, bool[] lines, float[][] extra)
    {
        float scale = DistanceScale * h / 360f;
        var dist = FramePool.RentPlane(w * h);
        DistanceTransform.Compute(lines.AsSpan(0, w * h), w, h, 8 * scale, scale, dist);
        return new FlowFeatures(w, h, [ink, dist, .. extra]);
    }

    /// <summary>
    /// Gives the planes to <see cref="FramePool"/> (the features made by <see cref="FromInk"/> and <see cref="FromRgba"/>
    /// take theirs from it): for an owner that made these features and no longer reads them, so that the next frame's
    /// features reuse planes already faulted in. The features must not be used afterwards.
    /// </summary>
    internal void Release()
    {
        foreach (var p in Planes) FramePool.Return(p);
    }

    /// <summary>Separable [1 4 6 4 1]/16 blur with clamped borders (vectors inside, the same sums per pixel as at the borders).</summary>
    internal static float[] Blur(float[] src, int w, int h)
    {
        // src may be longer than w·h (a pooled scratch plane); the blur, from FramePool, is exactly w·h
        var tmp = System.Buffers.ArrayPool<float>.Shared.Rent(w * h);
        var dst = FramePool.RentPlane(w * h);
        int vn = System.Numerics.Vector<float>.Count;
        Parallel.For(0, h, y =>
        {
            int row = y * w;
            var s6 = new System.Numerics.Vector<float>(6f);
            var s4 = new System.Numerics.Vector<float>(4f);
            var s16 = new System.Numerics.Vector<float>(16f);
            var sr = src.AsSpan(row, w);
            var tr = tmp.AsSpan(row, w);
            int x = 0;
            for (; x < Math.Min(2, w); x++) tr[x] = BlurX(sr, w, x);
            for (; x + vn <= w - 2; x += vn)
            {
                var s = s6 * new System.Numerics.Vector<float>(sr[x..])
                        + s4 * (new System.Numerics.Vector<float>(sr[(x - 1)..]) + new System.Numerics.Vector<float>(sr[(x + 1)..]))
                        + new System.Numerics.Vector<float>(sr[(x - 2)..]) + new System.Numerics.Vector<float>(sr[(x + 2)..]);
                (s / s16).CopyTo(tr[x..]);
            }
            for (; x < w; x++) tr[x] = BlurX(sr, w, x);
        });
        Parallel.For(0, h, y =>
        {
            int r0 = y * w, m1 = Math.Max(0, y - 1) * w, p1 = Math.Min(h - 1, y + 1) * w, m2 = Math.Max(0, y - 2) * w, p2 = Math.Min(h - 1, y + 2) * w;
            var s6 = new System.Numerics.Vector<float>(6f);
            var s4 = new System.Numerics.Vector<float>(4f);
            var s16 = new System.Numerics.Vector<float>(16f);
            int x = 0;
            for (; x + vn <= w; x += vn)
            {
                var s = s6 * new System.Numerics.Vector<float>(tmp, r0 + x)
                        + s4 * (new System.Numerics.Vector<float>(tmp, m1 + x) + new System.Numerics.Vector<float>(tmp, p1 + x))
                        + new System.Numerics.Vector<float>(tmp, m2 + x) + new System.Numerics.Vector<float>(tmp, p2 + x);
                (s / s16).CopyTo(dst, r0 + x);
            }
            for (; x < w; x++)
                dst[r0 + x] = (6 * tmp[r0 + x] + 4 * (tmp[m1 + x] + tmp[p1 + x]) + tmp[m2 + x] + tmp[p2 + x]) / 16f;
        });
        System.Buffers.ArrayPool<float>.Shared.Return(tmp);
        return dst;
    }

    /// <summary>The horizontal [1 4 6 4 1]/16 tap at x of one row, clamped at its ends.</summary>
    static float BlurX(ReadOnlySpan<float> r, int w, int x)
    {
        float s = 6 * r[x] + 4 * (r[Math.Max(0, x - 1)] + r[Math.Min(w - 1, x + 1)]) + r[Math.Max(0, x - 2)] + r[Math.Min(w - 1, x + 2)];
        return s / 16f;
    }
}
