using System.Buffers;
using System.Numerics;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>RAYGEN lighting: cast shadows on the ground and 2.5D shading of flat character layers.</summary>
public static partial class Lighting
{
    /// <summary>
    /// Darkens <paramref name="background"/> in place with the character's shadow on the ground. Each character pixel
    /// at height h = groundY − y maps to the ground point (x + s·L·h, groundY + Q·h): s points away from the key,
    /// L = <see cref="LightRig.ShadowLength"/>, Q = <see cref="LightRig.ShadowSquash"/> (a flat, sheared copy lying in
    /// front of the feet). Higher parts cast lighter shadow; a tight contact shadow under the feet is added; the result
    /// is box-blurred (softness from the rig) and multiplies the background by (1 − opacity·shadow), only from just
    /// above the ground line downwards. That is premultiplied black at alpha opacity·shadow laid "over" the background,
    /// alpha included: on an opaque one alpha stays 1, on a transparent one (background <c>none</c>) the shadow remains as
    /// semi-transparent black coverage, which over any plate darkens it exactly as the painted ground is darkened.
    /// </summary>
    /// <param name="receiverDepth">the background's parallax depth per pixel (a plate's depth map, docs/plates.md), or null:
    /// then the shadow falls only on what lies near the characters' plane — it fades from full at depth
    /// <see cref="ShadowReceiverDepth"/> to nothing 0.3 further back (a far valley painted below the ground line takes none).</param>
    public static void CastShadow(RgbaImage background, RgbaImage characterLayer, LightRig light, float groundY, float[]? receiverDepth = null)
    {
        ArgumentNullException.ThrowIfNull(characterLayer);
        CastShadow(background, characterLayer, light, groundY, receiverDepth, AlphaBounds.Find(characterLayer, out var src) ? src : null, out _);
    }

    /// <summary>
    /// <see cref="CastShadow(RgbaImage, RgbaImage, LightRig, float, float[])"/> with the character's alpha box already
    /// found (<see cref="AlphaBounds.Find"/>; null: nothing to cast). <paramref name="darkened"/> holds every pixel of the
    /// background it may have changed (empty when none).
    /// </summary>
    public static void CastShadow(RgbaImage background, RgbaImage characterLayer, LightRig light, float groundY, float[]? receiverDepth,
        AlphaBounds? alphaBox, out AlphaBounds darkened)
    {
        darkened = default;
        ArgumentNullException.ThrowIfNull(background);
        ArgumentNullException.ThrowIfNull(characterLayer);
        ArgumentNullException.ThrowIfNull(light);
        if (characterLayer.Width != background.Width || characterLayer.Height != background.Height)
            throw new ArgumentException("character layer and background differ in size", nameof(characterLayer));
        if (receiverDepth is not null && receiverDepth.Length != background.PixelCount)
            throw new ArgumentException($"receiver depth holds {receiverDepth.Length} pixels, the background {background.PixelCount}", nameof(receiverDepth));
        if (!float.IsFinite(groundY) || alphaBox is not { } src) return;

        int w = background.Width, h = background.Height;
        float len = MathF.Sqrt(light.KeyX * light.KeyX + light.KeyY * light.KeyY);
        float shear = (len > 0f ? -light.KeyX / len : 0f) * light.ShadowLength;
        float squash = Math.Clamp(light.ShadowSquash, 0f, 1f);
        float tallest = MathF.Max(1f, groundY - src.Y0);
        int radius = Math.Max(1, (int)MathF.Round(light.ShadowSoftness * h));
        int contactRadius = Math.Max(1, radius / 3);
        float contactBand = MathF.Max(3f, tallest * 0.03f);

        // Destination rectangle: the projected silhouette plus the blur reach.
        float hMax = MathF.Max(0f, tallest);
        int margin = 2 * radius + 2;
        int dx0 = (int)MathF.Floor(src.X0 + MathF.Min(0f, shear * hMax)) - margin;
        int dx1 = (int)MathF.Ceiling(src.X1 + MathF.Max(0f, shear * hMax)) + margin;
        int dy0 = (int)MathF.Floor(MathF.Min(groundY, src.Y0 > groundY ? src.Y0 : groundY)) - margin;
        int dy1 = (int)MathF.Ceiling(MathF.Max(groundY + squash * hMax, src.Y1)) + margin;
        var dst = new AlphaBounds(Math.Max(0, dx0), Math.Max(0, dy0), Math.Min(w, dx1), Math.Min(h, dy1));
        if (dst.Width <= 0 || dst.Height <= 0) return;
        darkened = dst;

        int dw = dst.Width, dh = dst.Height, n = dw * dh;
        var cast = ArrayPool<float>.Shared.Rent(n);
        var contact = ArrayPool<float>.Shared.Rent(n);
        try
        {
            Array.Clear(cast, 0, n);
            Array.Clear(contact, 0, n);
            Splat(characterLayer, src, dst, groundY, shear, squash, tallest, contactBand, contactRadius, cast, contact);
            BoxBlur.Blur(cast, dw, dh, radius, 2);
            BoxBlur.Blur(contact, dw, dh, contactRadius, 2);

            float opacity = Math.Clamp(light.ShadowOpacity, 0f, 1f);
            float fadeFrom = groundY - radius * 1.5f;
            Parallel.For(0, dh, j =>
            {
                int y = dst.Y0 + j;
                float below = SceneFrame.Smooth(fadeFrom, groundY + 0.5f, y + 0.5f);
                if (below <= 0f) return;
                int i = 0;
                if (receiverDepth is null) i = DarkenVectors(background, cast, contact, j * dw, y * w + dst.X0, dw, opacity, below);
                for (; i < dw; i++)
                {
                    float s = MathF.Min(1f, cast[j * dw + i] + 0.7f * contact[j * dw + i]);
                    if (s <= 0f) continue;
                    int p = y * w + dst.X0 + i;
                    if (receiverDepth is not null) s *= SceneFrame.Smooth(ShadowReceiverDepth - 0.3f, ShadowReceiverDepth, receiverDepth[p]);
                    float k = 1f - opacity * s * below;
                    background.R[p] *= k; background.G[p] *= k; background.B[p] *= k;
                    background.A[p] = 1f - (1f - background.A[p]) * k;
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(cast);
            ArrayPool<float>.Shared.Return(contact);
        }
    }

    /// <summary>
    /// The darkening of <see cref="CastShadow(RgbaImage, RgbaImage, LightRig, float, float[], AlphaBounds?, out AlphaBounds)"/>
    /// without a receiver depth, a vector of pixels at a time along a row of the shadow's box (from <paramref name="c0"/> in
    /// its planes, <paramref name="p0"/> in the background's), each lane the scalar pixel's operations in their order
    /// (<see cref="MathF.Min(float, float)"/> as <see cref="ShadeVectors.MinOf"/>; a pixel whose shadow is at or below zero
    /// kept): the same bits. Returns how many pixels it did (whole vectors); the caller does the rest one by one.
    /// </summary>
    static int DarkenVectors(RgbaImage background, float[] cast, float[] contact, int c0, int p0, int n, float opacity, float below)
    {
        int lanes = Vector<float>.Count, i = 0;
        if (!Vector.IsHardwareAccelerated) return 0;
        var one = Vector<float>.One;
        var share = new Vector<float>(0.7f);
        var vOpacity = new Vector<float>(opacity);
        var vBelow = new Vector<float>(below);
        for (; i + lanes <= n; i += lanes)
        {
            int c = c0 + i, p = p0 + i;
            var s = ShadeVectors.MinOf(1f, new Vector<float>(cast, c) + share * new Vector<float>(contact, c));
            var on = ~Vector.LessThanOrEqual(s, Vector<float>.Zero); // a NaN darkens, as the scalar pixel does
            if (on == Vector<int>.Zero) continue;
            var k = one - vOpacity * s * vBelow;
            var r = new Vector<float>(background.R, p); var g = new Vector<float>(background.G, p); var b = new Vector<float>(background.B, p);
            var a = new Vector<float>(background.A, p);
            Vector.ConditionalSelect(on, r * k, r).CopyTo(background.R, p);
            Vector.ConditionalSelect(on, g * k, g).CopyTo(background.G, p);
            Vector.ConditionalSelect(on, b * k, b).CopyTo(background.B, p);
            Vector.ConditionalSelect(on, one - (one - a) * k, a).CopyTo(background.A, p);
        }
        return i;
    }

    /// <summary>The parallax depth from which a background with a depth map takes the characters' full cast shadow.</summary>
    public const float ShadowReceiverDepth = 0.9f;

    /// <summary>Projects the alpha onto the ground (max-splat, so order does not matter) and marks the feet.</summary>
    static void Splat(RgbaImage layer, AlphaBounds src, AlphaBounds dst, float groundY, float shear, float squash,
        float tallest, float contactBand, int contactRadius, float[] cast, float[] contact)
    {
        int w = layer.Width, dw = dst.Width;
        int g = (int)MathF.Floor(groundY) - dst.Y0;
        int cy0 = Math.Max(0, g - contactRadius), cy1 = Math.Min(dst.Height - 1, g + contactRadius);
        for (int y = src.Y0; y < src.Y1; y++)
        {
            float height = groundY - (y + 0.5f);
            int ty;
            float offset;
            if (height > 0f) { ty = (int)MathF.Floor(groundY + squash * height); offset = shear * height; }
            else { ty = y; offset = 0f; height = 0f; }
            int j = ty - dst.Y0;
            if (j < 0 || j >= dst.Height) continue;
            float fade = 1f - 0.5f * Math.Clamp(height / tallest, 0f, 1f);
            int shift = (int)MathF.Round(offset);
            bool feet = height < contactBand;
            for (int x = src.X0; x < src.X1; x++)
            {
                float a = layer.A[y * w + x];
                if (a <= 0f) continue;
                int i = x + shift - dst.X0;
                if (i >= 0 && i < dw)
                {
                    ref float c = ref cast[j * dw + i];
                    c = MathF.Max(c, Math.Min(a, 1f) * fade);
                }
                int ci = x - dst.X0;
                if (feet && ci >= 0 && ci < dw)
                    for (int cy = cy0; cy <= cy1; cy++)
                    {
                        ref float k = ref contact[cy * dw + ci];
                        k = MathF.Max(k, Math.Min(a, 1f));
                    }
            }
        }
    }
}
