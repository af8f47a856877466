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
    public float Lx, Ly, Lz, Rx, Ry, Bulge, AmbR, AmbG, AmbB, KeyR, KeyG, KeyB, RimR, RimG, RimB;
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
    /// Light at a pixel whose blurred-alpha gradient is (gx, gy): a pseudo-normal bulging away from the silhouette,
    /// wrapped Lambert from the key, ambient, and a rim on edges that face the key.
    /// </summary>
    public static Light3 Shade(float gx, float gy, ShadeRig rig)
    {
        float nx = -gx * rig.Bulge, ny = -gy * rig.Bulge;
        float inv = 1f / XMath.Sqrt(nx * nx + ny * ny + 1f);
        nx *= inv; ny *= inv;
        float nz = inv;
        float ndl = nx * rig.Lx + ny * rig.Ly + nz * rig.Lz;
        float diffuse = IntrinsicMath.Max(0f, (ndl + Wrap) / (1f + Wrap));
        float edge = SmoothStep(0.15f, 0.55f, 1f - nz);
        float facing = IntrinsicMath.Max(0f, nx * rig.Rx + ny * rig.Ry) / IntrinsicMath.Max(1e-4f, XMath.Sqrt(nx * nx + ny * ny));
        float r = edge * facing;
        return new Light3(rig.AmbR + rig.KeyR * diffuse + rig.RimR * r, rig.AmbG + rig.KeyG * diffuse + rig.RimG * r,
            rig.AmbB + rig.KeyB * diffuse + rig.RimB * r);
    }

    /// <summary>A central difference of the blurred alpha from its two neighbours along one axis.</summary>
    public static float GradX(float before, float after) => (after - before) * 0.5f;
}
