using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            Parallel.For(0, rowGroups + (h - rowGroups * lanes), () => new float[Math.Max(w, 2 * w * lanes)], (g, _, tmp) =>
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
    /// <remarks>With AVX and 8 lanes the rows go across and back 8×8 samples at a time by register shuffles (the outputs
    /// first into tmp's second half, n·lanes on), instead of a sample at a time: only where the values sit changes, not
    /// one operation on them. tmp then holds 2·n·lanes.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Rows(float[] plane, int y0, int n, int r, float[] tmp)
    {
        int lanes = Vector<float>.Count;
        bool shuffle = Avx.IsSupported && lanes == 8;
        int blocks = shuffle ? n / 8 * 8 : 0; // samples moved 8×8 at a time; the rest one by one
        for (int i = 0; i < blocks; i += 8) Transpose(plane, y0 * n + i, n, tmp, i * 8, 8);
        for (int k = 0; k < lanes; k++)
        {
            var row = plane.AsSpan((y0 + k) * n, n);
            for (int i = blocks, t = blocks * lanes + k; i < n; i++, t += lanes) tmp[t] = row[i];
        }
        var inv = new Vector<float>(1f / (2 * r + 1));
        var sum = new Vector<float>(tmp, 0) * new Vector<float>(r + 1);
        for (int i = 1; i <= r; i++) sum += new Vector<float>(tmp, Math.Min(i, n - 1) * lanes);
        if (shuffle)
        {
            int o = n * lanes;
            for (int i = 0; i < n; i++)
            {
                (sum * inv).CopyTo(tmp, o + i * lanes);
                sum += new Vector<float>(tmp, Math.Min(i + r + 1, n - 1) * lanes) - new Vector<float>(tmp, Math.Max(i - r, 0) * lanes);
            }
            for (int i = 0; i < blocks; i += 8) Transpose(tmp, o + i * 8, 8, plane, y0 * n + i, n);
            for (int i = blocks; i < n; i++)
                for (int k = 0, p = y0 * n + i; k < lanes; k++, p += n) plane[p] = tmp[o + i * lanes + k];
            return;
        }
        Span<float> lane = stackalloc float[lanes];
        for (int i = 0; i < n; i++)
        {
            (sum * inv).CopyTo(lane);
            for (int k = 0, p = y0 * n + i; k < lanes; k++, p += n) plane[p] = lane[k];
            sum += new Vector<float>(tmp, Math.Min(i + r + 1, n - 1) * lanes) - new Vector<float>(tmp, Math.Max(i - r, 0) * lanes);
        }
    }

    /// <summary>
    /// Copies the 8×8 block whose row k starts at <paramref name="src"/>[s + k·<paramref name="srcStride"/>] into
    /// <paramref name="dst"/> transposed: its column j becomes the row starting at d + j·<paramref name="dstStride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose(float[] src, int s, int srcStride, float[] dst, int d, int dstStride)
    {
        var r0 = Vector256.Create<float>(src.AsSpan(s, 8)); var r1 = Vector256.Create<float>(src.AsSpan(s + srcStride, 8));
        var r2 = Vector256.Create<float>(src.AsSpan(s + 2 * srcStride, 8)); var r3 = Vector256.Create<float>(src.AsSpan(s + 3 * srcStride, 8));
        var r4 = Vector256.Create<float>(src.AsSpan(s + 4 * srcStride, 8)); var r5 = Vector256.Create<float>(src.AsSpan(s + 5 * srcStride, 8));
        var r6 = Vector256.Create<float>(src.AsSpan(s + 6 * srcStride, 8)); var r7 = Vector256.Create<float>(src.AsSpan(s + 7 * srcStride, 8));
        // pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped into place
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).CopyTo(dst.AsSpan(d, 8));
        Avx.Permute2x128(u1, u5, 0x20).CopyTo(dst.AsSpan(d + dstStride, 8));
        Avx.Permute2x128(u2, u6, 0x20).CopyTo(dst.AsSpan(d + 2 * dstStride, 8));
        Avx.Permute2x128(u3, u7, 0x20).CopyTo(dst.AsSpan(d + 3 * dstStride, 8));
        Avx.Permute2x128(u0, u4, 0x31).CopyTo(dst.AsSpan(d + 4 * dstStride, 8));
        Avx.Permute2x128(u1, u5, 0x31).CopyTo(dst.AsSpan(d + 5 * dstStride, 8));
        Avx.Permute2x128(u2, u6, 0x31).CopyTo(dst.AsSpan(d + 6 * dstStride, 8));
        Avx.Permute2x128(u3, u7, 0x31).CopyTo(dst.AsSpan(d + 7 * dstStride, 8));
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
