using System.Numerics;
using System.Runtime.CompilerServices;

namespace Talos.Gpu.Raygen;

/// <summary>
/// Separable box blur of a float plane (w×h, row-major) in place, edges clamped. Each row (then each column) is
/// summed in a fixed order by one thread, so the result does not depend on scheduling.
/// </summary>
public static class BoxBlur
{
    public static void Blur(float[] plane, int w, int h, int radius, int passes)
    {
        if (radius <= 0) return;
        int lanes = Vector<float>.Count, groups = Vector.IsHardwareAccelerated ? w / lanes : 0;
        for (int p = 0; p < passes; p++)
        {
            Parallel.For(0, h, () => new float[w], (y, _, tmp) => { Line(plane, y * w, 1, w, radius, tmp); return tmp; }, _ => { });
            // Columns a vector of them at a time (rows read whole, not one strided sample per column), each lane the
            // scalar column's operations in the same order (the same bits); the columns past the last whole vector one by one.
            Parallel.For(0, groups + (w - groups * lanes), () => new float[Math.Max(h, h * lanes)], (g, _, tmp) =>
            {
                if (g < groups) Columns(plane, g * lanes, w, h, radius, tmp);
                else Line(plane, groups * lanes + (g - groups), w, h, radius, tmp);
                return tmp;
            }, _ => { });
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

    /// <summary><see cref="Line"/> of the columns x0 … x0 + lanes − 1 (h samples each), one per vector lane; tmp holds h·lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Columns(float[] plane, int x0, int w, int n, int r, float[] tmp)
    {
        int lanes = Vector<float>.Count;
        for (int i = 0; i < n; i++) new Vector<float>(plane, i * w + x0).CopyTo(tmp, i * lanes);
        var inv = new Vector<float>(1f / (2 * r + 1));
        var sum = new Vector<float>(tmp, 0) * new Vector<float>(r + 1);
        for (int i = 1; i <= r; i++) sum += new Vector<float>(tmp, Math.Min(i, n - 1) * lanes);
        for (int i = 0; i < n; i++)
        {
            (sum * inv).CopyTo(plane, i * w + x0);
            sum += new Vector<float>(tmp, Math.Min(i + r + 1, n - 1) * lanes) - new Vector<float>(tmp, Math.Max(i - r, 0) * lanes);
        }
    }
}
