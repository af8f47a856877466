using ILGPU;
using ILGPU.Algorithms;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Raygen;

/// <summary>Frame size and the sample budget of a depth-of-field gather (plain fields, so ILGPU kernels take it).</summary>
public struct BokehShape
{
    public int W, H, N, Samples;
}

/// <summary>
/// RAYGEN's depth-of-field gather, once per pixel: the CPU rows (<see cref="DepthOfField"/>) and the ILGPU kernel
/// (<see cref="IlgpuDepthOfField"/>) both call <see cref="Gather"/>. No System.Math inside (ILGPU compiles it).
/// </summary>
public static class BokehCells
{
    /// <summary>Most samples of the disc per pixel.</summary>
    public const int MaxSamples = 96;

    /// <summary>
    /// The bokeh kernel: <see cref="MaxSamples"/> points filling the unit disc evenly (a golden-angle spiral, r = √((i+½)/n)),
    /// interleaved x, y. A pixel with n samples uses the first n (the spiral of n points is the first n of the longer one up
    /// to a radial stretch, so the disc stays filled). A circular aperture: out-of-focus points become even discs.
    /// </summary>
    public static float[] Disc(int samples)
    {
        var d = new float[2 * samples];
        double golden = Math.PI * (3 - Math.Sqrt(5));
        for (int i = 0; i < samples; i++)
        {
            double r = Math.Sqrt((i + 0.5) / samples), a = i * golden;
            d[2 * i] = (float)(r * Math.Cos(a));
            d[2 * i + 1] = (float)(r * Math.Sin(a));
        }
        return d;
    }

    /// <summary>
    /// Premultiplied RGBA at (x, y) gathered over a disc of radius coc(x, y): sample q counts when its own circle of
    /// confusion reaches this pixel (coc(q) ≥ distance − ½), so a sharp edge does not smear into a blurred neighbour and a
    /// blurred background does not spill over something in focus. The centre always counts. Planes packed R, G, B, A
    /// (n each); <paramref name="disc"/> is <see cref="Disc"/>(<see cref="BokehShape.Samples"/>).
    /// </summary>
    public static Anima.Px Gather<TF>(int x, int y, TF planes, TF coc, TF disc, BokehShape s) where TF : struct, Kernels.IField
    {
        int p = y * s.W + x;
        float r = coc[p];
        if (r < 0.5f) return new Anima.Px(planes[p], planes[p + s.N], planes[p + 2 * s.N], planes[p + 3 * s.N]);
        int n = (int)(r * r * 1.5f) + 8;
        if (n > s.Samples) n = s.Samples;
        // Point i of an n-point spiral sits at radius √((i+½)/n); the table holds the longest spiral, so its first n
        // points are stretched by √(Samples/n) to fill the disc.
        float stretch = XMath.Sqrt((float)s.Samples / n) * r;
        float sr = planes[p], sg = planes[p + s.N], sb = planes[p + 2 * s.N], sa = planes[p + 3 * s.N], wsum = 1f;
        for (int i = 0; i < n; i++)
        {
            float dx = disc[2 * i] * stretch, dy = disc[2 * i + 1] * stretch;
            int qx = IntrinsicMath.Clamp(x + NearestPixel.Round(dx), 0, s.W - 1), qy = IntrinsicMath.Clamp(y + NearestPixel.Round(dy), 0, s.H - 1);
            int q = qy * s.W + qx;
            float wq = IntrinsicMath.Clamp(coc[q] - XMath.Sqrt(dx * dx + dy * dy) + 0.5f, 0f, 1f);
            sr += planes[q] * wq; sg += planes[q + s.N] * wq; sb += planes[q + 2 * s.N] * wq; sa += planes[q + 3 * s.N] * wq;
            wsum += wq;
        }
        float inv = 1f / wsum;
        return new Anima.Px(sr * inv, sg * inv, sb * inv, sa * inv);
    }
}
