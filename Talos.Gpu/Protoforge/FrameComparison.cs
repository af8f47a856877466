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

    /// <summary>The mean and the largest <see cref="MeanAbsDifference"/> between consecutive frames (0, 0 for fewer than two).</summary>
    public static (double Mean, double Max) Smoothness(IReadOnlyList<float[]> frames)
    {
        if (frames.Count < 2) return (0, 0);
        var steps = Enumerable.Range(1, frames.Count - 1).Select(i => MeanAbsDifference(frames[i - 1], frames[i])).ToList();
        return (steps.Average(), steps.Max());
    }
}
