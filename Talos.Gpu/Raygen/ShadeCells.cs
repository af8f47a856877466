using ILGPU;
using ILGPU.Algorithms;

namespace Talos.Gpu.Raygen;

/// <summary>The light a 2.5D-shaded pixel receives, per colour channel (multiplies the premultiplied paint).</summary>
public struct Light3
{
    public float R, G, B;
    public Light3(float r, float g, float b) { R = r; G = g; B = b; }
}

/// <summary>A light rig reduced to the numbers the shading kernel needs (plain fields, so ILGPU kernels take it).</summary>
public struct ShadeRig
{
    public float Lx, Ly, Lz, Rx, Ry, Fx, Fy, Fz, AoReach, AoFloor;
    public float AmbR, AmbG, AmbB, KeyR, KeyG, KeyB, RimR, RimG, RimB, FillR, FillG, FillB;
}

/// <summary>
/// RAYGEN's per-pixel shading, once: the CPU path (<see cref="Lighting.LightLayer"/>) and the ILGPU kernel
/// (<see cref="IlgpuLighting"/>) both call <see cref="Shade"/>. No System.Math inside (ILGPU compiles it).
/// </summary>
public static class ShadeCells
{
    /// <summary>Wrap of the diffuse term: surfaces turned up to this far past the terminator still catch some key.</summary>
    public const float Wrap = 0.4f;

    static float SmoothStep(float e0, float e1, float x)
    {
        float t = IntrinsicMath.Min(1f, IntrinsicMath.Max(0f, (x - e0) / (e1 - e0)));
        return t * t * (3f - 2f * t);
    }

    /// <summary>
    /// Light at a pixel of the bevelled height field (slope (gx, gy) in pixels per pixel), <paramref name="crease"/> pixels
    /// from the nearest crease: normal n = (−gx, −gy, 1)/‖·‖; wrapped Lambert from the key and from the fill; a rim on
    /// edges that face the key; ambient and fill scaled by ambient occlusion, which falls to <see cref="ShadeRig.AoFloor"/>
    /// in the creases where regions meet and is 1 from <see cref="ShadeRig.AoReach"/> pixels away.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // the CPU rows pass the rig without a copy per pixel
    public static Light3 Shade(float gx, float gy, float crease, ShadeRig rig)
    {
        float nx = -gx, ny = -gy;
        float inv = 1f / XMath.Sqrt(nx * nx + ny * ny + 1f);
        nx *= inv; ny *= inv;
        float nz = inv;
        float diffuse = IntrinsicMath.Max(0f, (nx * rig.Lx + ny * rig.Ly + nz * rig.Lz + Wrap) / (1f + Wrap));
        float fill = IntrinsicMath.Max(0f, (nx * rig.Fx + ny * rig.Fy + nz * rig.Fz + Wrap) / (1f + Wrap));
        float edge = SmoothStep(0.15f, 0.55f, 1f - nz);
        float facing = IntrinsicMath.Max(0f, nx * rig.Rx + ny * rig.Ry) / IntrinsicMath.Max(1e-4f, XMath.Sqrt(nx * nx + ny * ny));
        float r = edge * facing;
        float ao = rig.AoFloor + (1f - rig.AoFloor) * SmoothStep(0f, 1f, crease / rig.AoReach);
        return new Light3(
            (rig.AmbR + rig.FillR * fill) * ao + rig.KeyR * diffuse + rig.RimR * r,
            (rig.AmbG + rig.FillG * fill) * ao + rig.KeyG * diffuse + rig.RimG * r,
            (rig.AmbB + rig.FillB * fill) * ao + rig.KeyB * diffuse + rig.RimB * r);
    }

    /// <summary>A central difference of the height field from its two neighbours along one axis.</summary>
    public static float GradX(float before, float after) => (after - before) * 0.5f;
}
