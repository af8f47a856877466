using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Talos.Gpu.Flux;

/// <summary>Eight bilinear taps at once (<see cref="FlowGather.Tap"/>): the lanes' <see cref="BilinearTap"/>s.</summary>
internal readonly struct BilinearTap8
{
    public readonly Vector256<int> I00, I01, I10, I11;
    public readonly Vector256<float> Fx, Fy;

    public BilinearTap8(Vector256<int> i00, Vector256<int> i01, Vector256<int> i10, Vector256<int> i11, Vector256<float> fx, Vector256<float> fy)
    {
        I00 = i00; I01 = i01; I10 = i10; I11 = i11; Fx = fx; Fy = fy;
    }
}

/// <summary>
/// <see cref="FlowCells.Tap"/> and <see cref="FlowCells.Sample"/> for 8 points at once with AVX2 gathers (callers check
/// <see cref="Avx2.IsSupported"/>): per lane the same operations in the same order (clamp, truncate, the last pair of
/// columns/rows at most; no fused multiply–add), so every lane gives the scalar functions' bits. The CPU rows of the
/// linearisation, the occlusion masks, the hold-still patch costs and the inbetweener's final warp use it.
/// </summary>
internal static class FlowGather
{
    /// <summary>Lane indices 0 … 7.</summary>
    public static Vector256<int> Lanes => Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);

    /// <summary>The 8 pixels' x coordinates x … x + 7 as floats.</summary>
    public static Vector256<float> Xs(int x) => Avx.ConvertToVector256Single(Vector256.Create(x) + Lanes);

    /// <summary><see cref="FlowCells.Inside"/> per lane (all-ones where the point lies inside the w×h image).</summary>
    public static Vector256<float> Inside(Vector256<float> px, Vector256<float> py, int w, int h)
    {
        var zero = Vector256<float>.Zero;
        return Vector256.GreaterThanOrEqual(px, zero) & Vector256.GreaterThanOrEqual(py, zero)
               & Vector256.LessThanOrEqual(px, Vector256.Create((float)(w - 1))) & Vector256.LessThanOrEqual(py, Vector256.Create((float)(h - 1)));
    }

    /// <summary><see cref="FlowCells.Tap"/> of a w×h plane at the 8 points (px, py).</summary>
    public static BilinearTap8 Tap(int w, int h, Vector256<float> px, Vector256<float> py)
    {
        var zero = Vector256<float>.Zero;
        var cx = Vector256.Min(Vector256.Max(px, zero), Vector256.Create((float)(w - 1)));
        var cy = Vector256.Min(Vector256.Max(py, zero), Vector256.Create((float)(h - 1)));
        // A NaN coordinate truncates to int.MinValue here but to 0 in C#'s (int) cast: the Max gives the scalar's 0, and keeps
        // the gathers inside the plane (finite coordinates are clamped to ≥ 0 above, so their bits don't change).
        var x0 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32WithTruncation(cx), Vector256<int>.Zero), Vector256.Create(w - 2 < 0 ? 0 : w - 2));
        var y0 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32WithTruncation(cy), Vector256<int>.Zero), Vector256.Create(h - 2 < 0 ? 0 : h - 2));
        var x1 = Vector256.Min(x0 + Vector256<int>.One, Vector256.Create(w - 1));
        var y1 = Vector256.Min(y0 + Vector256<int>.One, Vector256.Create(h - 1));
        var wv = Vector256.Create(w);
        return new BilinearTap8(y0 * wv + x0, y0 * wv + x1, y1 * wv + x0, y1 * wv + x1,
            cx - Avx.ConvertToVector256Single(x0), cy - Avx.ConvertToVector256Single(y0));
    }

    /// <summary><see cref="FlowCells.Sample"/> of the plane at <paramref name="p"/> through the 8 taps.</summary>
    public static unsafe Vector256<float> Sample(float* p, in BilinearTap8 s)
    {
        Vector256<float> g00 = Avx2.GatherVector256(p, s.I00, 4), g01 = Avx2.GatherVector256(p, s.I01, 4);
        Vector256<float> g10 = Avx2.GatherVector256(p, s.I10, 4), g11 = Avx2.GatherVector256(p, s.I11, 4);
        var top = g00 + (g01 - g00) * s.Fx;
        var bot = g10 + (g11 - g10) * s.Fx;
        return top + (bot - top) * s.Fy;
    }
}
