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
            // Rows a vector of them at a time (each lane one row, read across into tmp), each lane the scalar row's
            // operations in the same order (the same bits); the rows past the last whole vector one by one.
            int rowGroups = Vector.IsHardwareAccelerated ? h / lanes : 0;
            Parallel.For(0, rowGroups + (h - rowGroups * lanes), () => new float[Math.Max(w, w * lanes)], (g, _, tmp) =>
            {
                if (g < rowGroups) Rows(plane, g * lanes, w, radius, tmp);
                else Line(plane, (rowGroups * lanes + (g - rowGroups)) * w, 1, w, radius, tmp);
                return tmp;
            }, _ => { });
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

    /// <summary>
    /// <see cref="Line"/> of the rows y0 … y0 + lanes − 1 (n samples each), one per vector lane: tmp holds them across
    /// (sample i of row y0 + k at i·lanes + k), and each output vector is written back a lane to each row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Rows(float[] plane, int y0, int n, int r, float[] tmp)
    {
        int lanes = Vector<float>.Count;
        for (int k = 0; k < lanes; k++)
        {
            var row = plane.AsSpan((y0 + k) * n, n);
            for (int i = 0, t = k; i < n; i++, t += lanes) tmp[t] = row[i];
        }
        Span<float> lane = stackalloc float[lanes];
        var inv = new Vector<float>(1f / (2 * r + 1));
        var sum = new Vector<float>(tmp, 0) * new Vector<float>(r + 1);
        for (int i = 1; i <= r; i++) sum += new Vector<float>(tmp, Math.Min(i, n - 1) * lanes);
        for (int i = 0; i < n; i++)
        {
            (sum * inv).CopyTo(lane);
            for (int k = 0, p = y0 * n + i; k < lanes; k++, p += n) plane[p] = lane[k];
            sum += new Vector<float>(tmp, Math.Min(i + r + 1, n - 1) * lanes) - new Vector<float>(tmp, Math.Max(i - r, 0) * lanes);
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
