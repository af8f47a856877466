using Talos.Tests.Cuttura;

namespace Talos.Tests.Support;

/// <summary>Measures of real frame content (8-bit RGB24), for tests that look at what was rendered.</summary>
public static class FrameGrab
{
    public static Task<List<byte[]>> DecodeAsync(string mp4, int w, int h) => Task.Run(() => CutturaTestMedia.DecodeRgb24(mp4, w, h));

    static float Luma(byte[] f, int i) => (0.2126f * f[i * 3] + 0.7152f * f[i * 3 + 1] + 0.0722f * f[i * 3 + 2]) / 255f;

    /// <summary>Fraction of pixels whose luma gradient (central differences) exceeds 0.1: drawn lines and shape edges.</summary>
    public static double EdgeDensity(byte[] f, int w, int h)
    {
        int edges = 0;
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                int i = y * w + x;
                float gx = Luma(f, i + 1) - Luma(f, i - 1), gy = Luma(f, i + w) - Luma(f, i - w);
                if (MathF.Sqrt(gx * gx + gy * gy) > 0.1f) edges++;
            }
        return (double)edges / ((w - 2) * (h - 2));
    }

    public static int DistinctColours(byte[] f)
    {
        var set = new HashSet<int>();
        for (int i = 0; i + 2 < f.Length; i += 3) set.Add(f[i] << 16 | f[i + 1] << 8 | f[i + 2]);
        return set.Count;
    }

    public static double MeanLuma(byte[] f)
    {
        double s = 0;
        int n = f.Length / 3;
        for (int i = 0; i < n; i++) s += Luma(f, i);
        return s / n;
    }

    public static double MeanAbsDiff(byte[] a, byte[] b)
    {
        long s = 0;
        for (int i = 0; i < a.Length; i++) s += Math.Abs(a[i] - b[i]);
        return s / (255.0 * a.Length);
    }

    public static void SavePng(byte[] rgb, int w, int h, string path)
    {
        using var fs = File.Create(path);
        new StbImageWriteSharp.ImageWriter().WritePng(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
    }
}
