using Talos.Gpu.Imaging;

namespace Talos.Gpu.Protoforge;

/// <summary>
/// PROTOFORGE's measures for comparing renders (<c>talos experiment</c>): a rendered frame as 8-bit sRGB levels
/// (0..255, three per pixel, whatever its codec), the mean absolute difference of two frames, and a shot's temporal
/// smoothness, the mean and largest difference between consecutive frames (a pop or a flicker shows in the largest).
/// </summary>
public static class FrameComparison
{
    /// <summary>A Talos frame blob (<see cref="FrameCodec"/>) as interleaved sRGB levels 0..255 (RGB; grey repeated).</summary>
    public static float[] Levels(byte[] blob)
    {
        var (kind, w, h) = FrameCodec.ReadHeader(blob);
        int n = w * h;
        var levels = new float[3 * n];
        switch (kind)
        {
            case FrameCodec.Kind.Rgb24:
                var (rgb, _, _) = FrameCodec.DecodeRgb24(blob);
                for (int i = 0; i < rgb.Length; i++) levels[i] = rgb[i];
                break;
            case FrameCodec.Kind.Gray8:
                var gray = FrameCodec.DecodeGray(blob);
                for (int i = 0; i < n; i++) levels[3 * i] = levels[3 * i + 1] = levels[3 * i + 2] = 255f * gray.Data[i];
                break;
            default:
                var img = FrameCodec.DecodeRgba(blob);
                for (int i = 0; i < n; i++)
                {
                    levels[3 * i] = Srgb(img.R[i]);
                    levels[3 * i + 1] = Srgb(img.G[i]);
                    levels[3 * i + 2] = Srgb(img.B[i]);
                }
                break;
        }
        return levels;
    }

    static float Srgb(float linear) => 255f * ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f));

    /// <summary>The mean absolute difference of two frames of the same size, in 8-bit levels (0: identical).</summary>
    public static double MeanAbsDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException($"frames differ in size ({a.Length} vs {b.Length} samples)");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return sum / a.Length;
    }

    /// <summary>The PSNR of frame <paramref name="b"/> against the reference <paramref name="a"/>, in dB (8-bit levels, peak 255;
    /// identical frames are capped at 100 dB).</summary>
    public static double Psnr(float[] a, float[] b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException($"frames differ in size ({a.Length} vs {b.Length} samples)");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; sum += d * d; }
        return Db(sum, a.Length);
    }

    /// <summary>The same PSNR over two buffers of 8-bit samples (RGB24 frames, say).</summary>
    public static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException($"frames differ in size ({a.Length} vs {b.Length} samples)");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; sum += d * d; }
        return Db(sum, a.Length);
    }

    static double Db(double squaredError, int samples) => Math.Min(100, 10 * Math.Log10(255.0 * 255.0 / Math.Max(squaredError / samples, 1e-12)));

    /// <summary>The SSIM of frame <paramref name="b"/> against <paramref name="a"/> (levels of frames <paramref name="width"/>
    /// pixels wide): the mean over 8×8 windows (stride 4) of the luma (0.299 R + 0.587 G + 0.114 B), constants
    /// (0.01·255)² and (0.03·255)² (Wang et al. 2004, uniform windows). 1 for identical frames.</summary>
    public static double Ssim(float[] a, float[] b, int width)
    {
        if (a.Length != b.Length || width <= 0 || a.Length % (3 * width) != 0) throw new ArgumentException($"frames of {a.Length} and {b.Length} samples are not two frames {width} pixels wide");
        int h = a.Length / (3 * width);
        float L(float[] x, int i) => 0.299f * x[3 * i] + 0.587f * x[3 * i + 1] + 0.114f * x[3 * i + 2];
        const double c1 = 0.01 * 255 * 0.01 * 255, c2 = 0.03 * 255 * 0.03 * 255;
        double sum = 0;
        int n = 0;
        for (int y = 0; y + 8 <= h; y += 4)
            for (int x = 0; x + 8 <= width; x += 4)
            {
                double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;
                for (int dy = 0; dy < 8; dy++) for (int dx = 0; dx < 8; dx++) { int i = (y + dy) * width + x + dx; ma += L(a, i); mb += L(b, i); }
                ma /= 64; mb /= 64;
                for (int dy = 0; dy < 8; dy++)
                    for (int dx = 0; dx < 8; dx++)
                    {
                        int i = (y + dy) * width + x + dx;
                        double da = L(a, i) - ma, db = L(b, i) - mb;
                        va += da * da; vb += db * db; cov += da * db;
                    }
                va /= 63; vb /= 63; cov /= 63;
                sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                n++;
            }
        return n == 0 ? 1 : sum / n;
    }

    /// <summary>The mean and the largest <see cref="MeanAbsDifference"/> between consecutive frames (0, 0 for fewer than two).</summary>
    public static (double Mean, double Max) Smoothness(IReadOnlyList<float[]> frames)
    {
        if (frames.Count < 2) return (0, 0);
        var steps = Enumerable.Range(1, frames.Count - 1).Select(i => MeanAbsDifference(frames[i - 1], frames[i])).ToList();
        return (steps.Average(), steps.Max());
    }
}
