using ILGPU.Algorithms;

namespace Talos.Gpu.Kernels;

/// <summary>
/// The nearest whole pixel of a sample offset, the same on the CPU path and in ILGPU kernels. It is round half to even
/// (what <c>MathF.Round</c> and ILGPU's <c>XMath.Round</c> give on the CPU), written out with exact operations only — a
/// floor, an add of ½ and compares — because on CUDA <c>XMath.Round</c> broke ties the other way (ANIMA's motion blur
/// differed by up to 0.35 at half-pixel offsets on an H200, docs/KERNELS.md), and nothing here lets ptxas fuse the
/// product that made the offset into an add.
/// </summary>
public static class NearestPixel
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // the CPU gathers' inner loops
    public static int Round(float v)
    {
        float f = XMath.Floor(v);
        float half = f + 0.5f;
        int i = (int)f;
        return v > half ? i + 1 : v < half ? i : i + (i & 1);
    }
}
