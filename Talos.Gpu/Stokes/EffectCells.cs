using ILGPU;
using ILGPU.Algorithms;
using Talos.Gpu.Kernels;

namespace Talos.Gpu.Stokes;

/// <summary>A premultiplied linear VFX pixel (plain fields, so ILGPU kernels can use it); RGB may exceed A (emission).</summary>
public struct VfxPx
{
    public float R, G, B, A;

    /// <summary>Layers c over this pixel (back to front).</summary>
    public void Over(float r, float g, float b, float a)
    {
        float k = 1f - a;
        R = r + R * k; G = g + G * k; B = b + B * k; A = a + A * k;
    }
}

/// <summary>
/// The look of the effects per pixel, once: the CPU renderer (<see cref="EffectRenderer"/>) and the ILGPU renderer
/// (<see cref="IlgpuEffectRenderer"/>) both call <see cref="Shade"/>. No System.Math inside (ILGPU compiles it); the
/// blackbody fire ramp is a table each path holds and indexes with <see cref="RampIndex"/>.
/// </summary>
public static class EffectCells
{
    public const int RampSize = 512;
    public const float RampMaxHeat = 8f;
    const float Eps = 1e-3f;
    /// <summary>Below this in smoke, heat, magic and mist alike a pixel is empty (<see cref="Shade"/> returns at once).</summary>
    public const float Threshold = Eps;

    /// <summary>e^(−x) for x ≥ 0 as (1 + x/4)^−4: within 0.04 of the true curve, monotone, and far cheaper per pixel.</summary>
    public static float ExpNeg(float x)
    {
        float t = 1f + 0.25f * PortableMath.Keep(x), t2 = t * t; // callers pass c·field: keep ILGPU from folding 0.25·c
        return 1f / (t2 * t2);
    }

    /// <summary>The fire ramp entry for a heat value.</summary>
    public static int RampIndex(float heat) => (int)IntrinsicMath.Min(RampSize - 1, heat * (RampSize / RampMaxHeat));

    /// <summary>
    /// One output pixel from the upsampled fields: mist, smoke (lit by the light field), fire (ramp colour, low alpha),
    /// magic (violet-to-cyan glow with sparkles), back to front. (rampR, rampG, rampB) is the ramp at RampIndex(heat).
    /// </summary>
    public static VfxPx Shade(float smoke, float light, float heat, float magic, float cyanField, float mist,
        float rampR, float rampG, float rampB, int x, int y, int frame, float sparkleCell, uint seed)
    {
        var px = new VfxPx();
        if (smoke < Eps && mist < Eps && heat < Eps && magic < Eps) return px;
        if (mist >= Eps)
        {
            float a = PortableMath.Keep(0.6f * (1f - ExpNeg(0.9f * mist))); // 0.62·a below: not 0.372·(…) on CUDA
            px.Over(0.62f * a, 0.66f * a, 0.72f * a, a);
        }
        if (smoke >= Eps)
        {
            float a = 1f - ExpNeg(1.3f * smoke);
            float shade = 0.10f + 0.32f * IntrinsicMath.Min(1f, IntrinsicMath.Max(0f, light));
            px.Over(shade * a, shade * a, shade * 1.04f * a, a);
        }
        if (heat >= Eps)
        {
            float k = 1f - ExpNeg(0.5f * heat);
            px.Over(rampR, rampG, rampB, 0.2f * k);
        }
        if (magic >= Eps)
        {
            float cyan = IntrinsicMath.Min(1f, IntrinsicMath.Max(0f, cyanField / magic));
            float sparkle = magic > 0.03f ? Sparkle(x, y, frame, sparkleCell, seed) : 0f;
            float glow = 1f - ExpNeg(1.2f * magic);
            float r = 0.55f + (0.10f - 0.55f) * cyan, gg = 0.12f + (0.80f - 0.12f) * cyan, b = 1f;
            float sp = sparkle * IntrinsicMath.Min(1f, 3f * glow);
            float e = 1.3f * glow;
            px.Over(r * e + 1.5f * sp, gg * e + 1.6f * sp, b * e + 1.8f * sp, 0.15f * glow);
        }
        return px;
    }

    /// <summary>
    /// Twinkling star field: one possible star per sparkle cell (hash-placed), fading in and out over a few frames.
    /// Returns 0..1 at pixel (x, y).
    /// </summary>
    public static float Sparkle(int x, int y, int frame, float cell, uint seed)
    {
        int cx = (int)(x / cell), cy = (int)(y / cell);
        uint h = Noise.Hash(cx, cy, 0, seed);
        if (Noise.Unit(h) > 0.12f) return 0f;
        float sx = (cx + 0.3f + 0.4f * Noise.Unit(Noise.Hash(cx, cy, 1, seed))) * cell;
        float sy = (cy + 0.3f + 0.4f * Noise.Unit(Noise.Hash(cx, cy, 2, seed))) * cell;
        float dx = (x + 0.5f - sx) / cell, dy = (y + 0.5f - sy) / cell;
        float twinkle = PortableMath.Sin(frame * 0.45f + 6.2832f * Noise.Unit(Noise.Hash(cx, cy, 3, seed)));
        if (twinkle <= 0f) return 0f;
        float core = PortableMath.Exp(-(dx * dx + dy * dy) * 40f);
        float cross = PortableMath.Exp(-IntrinsicMath.Abs(dx) * 30f - dy * dy * 300f) + PortableMath.Exp(-IntrinsicMath.Abs(dy) * 30f - dx * dx * 300f);
        return twinkle * twinkle * (core + 0.5f * cross);
    }
}
