using ILGPU;

namespace Talos.Gpu.Anima;

/// <summary>A premultiplied linear-light pixel (plain fields, so ILGPU kernels can use it).</summary>
public struct Px
{
    public float R, G, B, A;
    public Px(float r, float g, float b, float a) { R = r; G = g; B = b; A = a; }
}

/// <summary>
/// The blend maths of ANIMA, once, per pixel: the CPU rows (<see cref="BlendRow"/>) and the ILGPU kernels
/// (<see cref="IlgpuCompositor"/>) both call these. <paramref name="op"/> is the layer's opacity.
/// </summary>
public static class BlendPixel
{
    /// <summary>Porter–Duff "over" for premultiplied colour.</summary>
    public static Px Over(Px d, Px s, float op)
    {
        float a = s.A * op, k = 1f - a;
        return new Px(s.R * op + d.R * k, s.G * op + d.G * k, s.B * op + d.B * k, a + d.A * k);
    }

    /// <summary>Light added (fire, magic): colour sums, coverage as "over".</summary>
    public static Px Add(Px d, Px s, float op)
    {
        float a = s.A * op;
        return new Px(d.R + s.R * op, d.G + s.G * op, d.B + s.B * op, a + d.A * (1f - a));
    }

    /// <summary>Multiply for premultiplied colour (the W3C compositing form: s·d + s·(1−αd) + d·(1−αs)).</summary>
    public static Px Multiply(Px d, Px s, float op)
    {
        float a = s.A * op, r = s.R * op, g = s.G * op, b = s.B * op;
        float ks = 1f - d.A, kd = 1f - a;
        return new Px(r * d.R + r * ks + d.R * kd, g * d.G + g * ks + d.G * kd, b * d.B + b * ks + d.B * kd, a + d.A * kd);
    }

    /// <summary>
    /// Screen for premultiplied colour: s + d − s·d per channel (lightens, never darker than either). In linear HDR a
    /// channel above 1 is left as the larger of the two (screen is only defined on [0, 1]), so highlights are kept.
    /// </summary>
    public static Px Screen(Px d, Px s, float op)
    {
        float a = s.A * op;
        return new Px(ScreenC(d.R, s.R * op), ScreenC(d.G, s.G * op), ScreenC(d.B, s.B * op), a + d.A * (1f - a));
    }

    static float ScreenC(float d, float s) => d >= 1f || s >= 1f ? IntrinsicMath.Max(d, s) : s + d - s * d;

    public static Px Blend(int mode, Px d, Px s, float op) =>
        mode == (int)BlendMode.Add ? Add(d, s, op) : mode == (int)BlendMode.Multiply ? Multiply(d, s, op)
        : mode == (int)BlendMode.Screen ? Screen(d, s, op) : Over(d, s, op);
}
