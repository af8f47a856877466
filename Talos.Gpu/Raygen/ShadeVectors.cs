using System.Numerics;
using System.Runtime.CompilerServices;

namespace Talos.Gpu.Raygen;

/// <summary>
/// <see cref="ShadeCells.Shade"/> a vector of pixels at a time, for the CPU rows of the light map
/// (<see cref="Lighting.ShadeRow"/>). Each lane runs the scalar pixel's operations in the same order (no fused
/// multiply-adds, a correctly rounded √ and division, <see cref="Math.Max(float, float)"/>'s and
/// <see cref="Math.Min(float, float)"/>'s choice of a zero's sign and of NaN), so every lane is the scalar result to the bit
/// (<c>ShadeVectorTests</c>). The ILGPU kernel keeps calling <see cref="ShadeCells.Shade"/>.
/// </summary>
public static class ShadeVectors
{
    /// <summary>The light at a vector of pixels: lane k is <c>ShadeCells.Shade(gx[k], gy[k], crease[k], rig)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Shade(Vector<float> gx, Vector<float> gy, Vector<float> crease, in ShadeRig rig,
        out Vector<float> r, out Vector<float> g, out Vector<float> b)
    {
        var one = Vector<float>.One;
        Vector<float> nx = Negate(gx), ny = Negate(gy);
        var inv = one / Vector.SquareRoot(nx * nx + ny * ny + one);
        nx *= inv; ny *= inv;
        var nz = inv;
        var wrap = new Vector<float>(ShadeCells.Wrap);
        var wrapped = new Vector<float>(1f + ShadeCells.Wrap);
        var diffuse = MaxOf(0f, (nx * new Vector<float>(rig.Lx) + ny * new Vector<float>(rig.Ly) + nz * new Vector<float>(rig.Lz) + wrap) / wrapped);
        var fill = MaxOf(0f, (nx * new Vector<float>(rig.Fx) + ny * new Vector<float>(rig.Fy) + nz * new Vector<float>(rig.Fz) + wrap) / wrapped);
        var edge = SmoothStep(0.15f, 0.55f, one - nz);
        var facing = MaxOf(0f, nx * new Vector<float>(rig.Rx) + ny * new Vector<float>(rig.Ry)) / MaxOf(1e-4f, Vector.SquareRoot(nx * nx + ny * ny));
        var rim = edge * facing;
        var ao = new Vector<float>(rig.AoFloor) + new Vector<float>(1f - rig.AoFloor) * SmoothStep(0f, 1f, crease / new Vector<float>(rig.AoReach));
        r = (new Vector<float>(rig.AmbR) + new Vector<float>(rig.FillR) * fill) * ao + new Vector<float>(rig.KeyR) * diffuse + new Vector<float>(rig.RimR) * rim;
        g = (new Vector<float>(rig.AmbG) + new Vector<float>(rig.FillG) * fill) * ao + new Vector<float>(rig.KeyG) * diffuse + new Vector<float>(rig.RimG) * rim;
        b = (new Vector<float>(rig.AmbB) + new Vector<float>(rig.FillB) * fill) * ao + new Vector<float>(rig.KeyB) * diffuse + new Vector<float>(rig.RimB) * rim;
    }

    /// <summary>ShadeCells' smooth step, lane by lane: t = min(1, max(0, (x − e0)/(e1 − e0))), t·t·(3 − 2t).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<float> SmoothStep(float e0, float e1, Vector<float> x)
    {
        var t = MinOf(1f, MaxOf(0f, (x - new Vector<float>(e0)) / new Vector<float>(e1 - e0)));
        return t * t * (new Vector<float>(3f) - new Vector<float>(2f) * t);
    }

    /// <summary>−v by its sign bit, as the scalar negation (a subtraction from zero would turn −(+0) into +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<float> Negate(Vector<float> v) => Vector.AsVectorSingle(Vector.AsVectorUInt32(v) ^ new Vector<uint>(0x8000_0000u));

    /// <summary>
    /// Math.Max(c, v) lane by lane for a constant c that is neither NaN nor −0: v where v &gt; c or v is NaN, else c
    /// (v = c gives c's value either way; for c = +0 and v = −0, +0 as Math.Max gives).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> MaxOf(float c, Vector<float> v)
    {
        var k = new Vector<float>(c);
        return Vector.ConditionalSelect(Vector.GreaterThan(v, k) | ~Vector.Equals(v, v), v, k);
    }

    /// <summary>Math.Min(c, v) lane by lane for a constant c that is neither NaN nor a zero: v where v &lt; c or v is NaN, else c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> MinOf(float c, Vector<float> v)
    {
        var k = new Vector<float>(c);
        return Vector.ConditionalSelect(Vector.LessThan(v, k) | ~Vector.Equals(v, v), v, k);
    }
}
