using ILGPU;
using ILGPU.Algorithms;

namespace Talos.Gpu.Kernels;

/// <summary>
/// <c>exp</c> and <c>sin</c> built from adds, multiplies, a floor and an exponent bit pattern only, so the CPU path and
/// an ILGPU kernel on CUDA compute them with the same IEEE operations and get the same bits (KernelLoader keeps ptxas
/// from fusing them). <c>XMath.Exp</c>/<c>XMath.Sin</c> do not: on an H200 STOKES's sparkles came out 2.4e-6 off the CPU
/// (docs/KERNELS.md). Accuracy: relative error of <see cref="Exp"/> and absolute error of <see cref="Sin"/> about 1e-7
/// on the ranges the kernels use (PortableMathTests) — for pictures, not for science.
/// </summary>
public static class PortableMath
{
    const float Log2E = 1.44269504f;
    const float Ln2Hi = 0.693145752f;      // ln 2 to 16 bits: n × Ln2Hi is exact for the n that occur
    const float Ln2Lo = 1.42860677e-6f;    // ln 2 − Ln2Hi
    const float TwoPiHi = 6.28125f;        // 2π to 9 bits
    const float TwoPiLo = 1.93530718e-3f;  // 2π − TwoPiHi
    const float InvTwoPi = 0.159154943f;
    const float Pi = 3.14159274f, HalfPi = 1.57079637f;

    /// <summary>
    /// <paramref name="v"/> itself, as an operation ILGPU cannot fold constants through. ILGPU's IR builder rewrites
    /// <c>(x·c1)·c2</c> into <c>x·(c1·c2)</c> (and the same for + and −) for floats too: one rounding where the C# — and
    /// so the CPU path — has two, which left STOKES's VFX layer an ulp off on CUDA (docs/KERNELS.md). Where kernel
    /// maths applies a constant to a product or sum that already has one, wrap the inner value in this. It is
    /// max(v, −∞): v for every v but NaN, on both paths.
    /// </summary>
    public static float Keep(float v) => IntrinsicMath.Max(v, float.NegativeInfinity);

    /// <summary>e^x; 0 below −87.3 (under the smallest normal float), e^88 at most.</summary>
    public static float Exp(float x)
    {
        if (x < -87.3f) return 0f;
        if (x > 88f) x = 88f;
        float n = XMath.Floor(x * Log2E + 0.5f);
        float r = x - n * Ln2Hi;
        r -= n * Ln2Lo;
        // e^r for |r| <= ln2/2 (Taylor to r^7: error under 6e-9)
        float p = 1f + r * (1f + r * (0.5f + r * (1f / 6f + r * (1f / 24f + r * (1f / 120f + r * (1f / 720f + r * (1f / 5040f)))))));
        return p * Interop.IntAsFloat((uint)((int)n + 127) << 23);
    }

    /// <summary>sin x, for |x| up to about 10^4 (one turn removed exactly, then folded to [−π/2, π/2]).</summary>
    public static float Sin(float x)
    {
        float k = XMath.Floor(x * InvTwoPi + 0.5f);
        float r = x - k * TwoPiHi;
        r -= k * TwoPiLo;
        if (r > HalfPi) r = Pi - r;
        else if (r < -HalfPi) r = -Pi - r;
        float r2 = r * r;
        // Taylor to r^11 on |r| <= π/2: error under 6e-8
        return r * (1f + r2 * (-1f / 6f + r2 * (1f / 120f + r2 * (-1f / 5040f + r2 * (1f / 362880f + r2 * (-1f / 39916800f))))));
    }
}
