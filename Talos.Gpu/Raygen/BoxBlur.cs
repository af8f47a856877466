namespace Talos.Gpu.Raygen;

/// <summary>
/// Separable box blur of a float plane (w×h, row-major) in place, edges clamped. Each row (then each column) is
/// summed in a fixed order by one thread, so the result does not depend on scheduling.
/// </summary>
static class BoxBlur
{
    public static void Blur(float[] plane, int w, int h, int radius, int passes)
    {
        if (radius <= 0) return;
        for (int p = 0; p < passes; p++)
        {
            Parallel.For(0, h, () => new float[w], (y, _, tmp) => { Line(plane, y * w, 1, w, radius, tmp); return tmp; }, _ => { });
            Parallel.For(0, w, () => new float[h], (x, _, tmp) => { Line(plane, x, w, h, radius, tmp); return tmp; }, _ => { });
        }
    }

    /// <summary>Box-filters n samples starting at start with the given stride, using tmp as a copy of the line.</summary>
    static void Line(float[] plane, int start, int stride, int n, int r, float[] tmp)
    {
        for (int i = 0; i < n; i++) tmp[i] = plane[start + i * stride];
        float inv = 1f / (2 * r + 1);
        float sum = tmp[0] * (r + 1);
        for (int i = 1; i <= r; i++) sum += tmp[Math.Min(i, n - 1)];
        for (int i = 0; i < n; i++)
        {
            plane[start + i * stride] = sum * inv;
            sum += tmp[Math.Min(i + r + 1, n - 1)] - tmp[Math.Max(i - r, 0)];
        }
    }
}
