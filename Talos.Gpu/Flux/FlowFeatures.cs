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
        var mask = new bool[w * h];
        for (int i = 0; i < mask.Length; i++) mask[i] = ink.Data[i] > 0.35f;
        return Build(w, h, Blur(ink.Data, w, h), mask, []);
    }

    /// <summary>Features of a colour frame: its ink-like darkness (1 − luma, gamma-encoded), colour differences, and the distance to its edges.</summary>
    public static FlowFeatures FromRgba(RgbaImage img)
    {
        int w = img.Width, h = img.Height, n = w * h;
        var dark = new float[n];
        var rg = new float[n];
        var by = new float[n];
        for (int i = 0; i < n; i++)
        {
            float r = Encode(img.R[i]), g = Encode(img.G[i]), b = Encode(img.B[i]);
            float l = 0.2126f * r + 0.7152f * g + 0.0722f * b;
            dark[i] = 1f - l; rg[i] = 0.5f * (r - g); by[i] = 0.5f * (0.5f * (r + g) - b);
        }
        var mask = new bool[n];
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                int i = y * w + x;
                float gx = dark[i + 1] - dark[i - 1], gy = dark[i + w] - dark[i - w];
                mask[i] = gx * gx + gy * gy > 0.04f || dark[i] > 0.65f;
            }
        return Build(w, h, Blur(dark, w, h), mask, [Blur(rg, w, h), Blur(by, w, h)]);
    }

    static float Encode(float linear) => ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f));

    static FlowFeatures Build(int w, int h, float[] ink, bool[] lines, float[][] extra)
    {
        float scale = DistanceScale * h / 360f;
        var dist = DistanceTransform.Compute(lines, w, h, 8 * scale);
        for (int i = 0; i < dist.Length; i++) dist[i] /= scale;
        return new FlowFeatures(w, h, [ink, dist, .. extra]);
    }

    /// <summary>Separable [1 4 6 4 1]/16 blur with clamped borders.</summary>
    internal static float[] Blur(float[] src, int w, int h)
    {
        var tmp = new float[src.Length];
        var dst = new float[src.Length];
        Parallel.For(0, h, y =>
        {
            int row = y * w;
            for (int x = 0; x < w; x++)
            {
                float s = 6 * src[row + x]
                          + 4 * (src[row + Math.Max(0, x - 1)] + src[row + Math.Min(w - 1, x + 1)])
                          + src[row + Math.Max(0, x - 2)] + src[row + Math.Min(w - 1, x + 2)];
                tmp[row + x] = s / 16f;
            }
        });
        Parallel.For(0, h, y =>
        {
            int r0 = y * w, m1 = Math.Max(0, y - 1) * w, p1 = Math.Min(h - 1, y + 1) * w, m2 = Math.Max(0, y - 2) * w, p2 = Math.Min(h - 1, y + 2) * w;
            for (int x = 0; x < w; x++)
                dst[r0 + x] = (6 * tmp[r0 + x] + 4 * (tmp[m1 + x] + tmp[p1 + x]) + tmp[m2 + x] + tmp[p2 + x]) / 16f;
        });
        return dst;
    }
}
