using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>The sun or moon: an anti-aliased disc on the key light's side with a halo around it.</summary>
static class CelestialPainter
{
    public static void Paint(in SceneFrame f, Celestial c, Row row)
    {
        float scale = f.Scale(c.Depth);
        float v = f.V(row.Y, c.Depth);
        float dv = v - f.SunV;
        float reach = c.Radius * 7f;
        if (MathF.Abs(dv) > reach || v < 0f) return;
        float halo2 = c.Radius * c.Radius * 36f;
        var (u0, us) = f.Columns(c.Depth);
        for (int x = 0; x < f.W; x++)
        {
            float du = u0 + x * us - f.SunU;
            float d2 = du * du + dv * dv;
            if (d2 > reach * reach) continue;
            row.Add(x, c.Colour, c.Glow * 0.35f * SceneFrame.Bump(d2, halo2));
            float d = MathF.Sqrt(d2);
            float a = Math.Clamp((c.Radius - d) * scale + 0.5f, 0f, 1f);
            if (a > 0f) row.Over(x, c.Colour, a);
        }
    }
}

/// <summary>Stars: at most one per cell of a hashed grid, a one-pixel point with a soft falloff, fading near the horizon.</summary>
static class StarsPainter
{
    public static void Paint(in SceneFrame f, Stars s, Row row)
    {
        float scale = f.Scale(s.Depth);
        float v = f.V(row.Y, s.Depth);
        float fade = SceneFrame.Smooth(0.04f, 0.3f, v);
        if (fade <= 0f) return;
        int j = (int)MathF.Floor(v / s.Cell);
        var white = new Rgb(0.9f, 0.93f, 1f);
        var (u0, us) = f.Columns(s.Depth);
        for (int x = 0; x < f.W; x++)
        {
            float u = u0 + x * us;
            int i = (int)MathF.Floor(u / s.Cell);
            if (Hash.Unit(s.Seed, i, j) >= s.Density) continue;
            float su = (i + 0.15f + 0.7f * Hash.Unit(s.Seed + 1, i, j)) * s.Cell;
            float sv = (j + 0.15f + 0.7f * Hash.Unit(s.Seed + 2, i, j)) * s.Cell;
            float du = (u - su) * scale, dv = (v - sv) * scale;
            float d2 = du * du + dv * dv;
            if (d2 > 6f) continue;
            float b = Hash.Unit(s.Seed + 3, i, j);
            row.Add(x, white, s.Brightness * fade * (0.15f + 0.85f * b * b) * SceneFrame.Bump(d2, 3f));
        }
    }
}

/// <summary>Cartoon clouds: a few overlapping puffs per slot with a flat base, lit on top by the key.</summary>
static class CloudsPainter
{
    const int Puffs = 4;

    public static void Paint(in SceneFrame f, Clouds c, Row row)
    {
        float scale = f.Scale(c.Depth);
        float v = f.V(row.Y, c.Depth);
        if (v < c.Height - 0.05f || v > c.Height + 0.05f + c.Size * 1.4f) return;
        var lit = SceneFrame.Lerp(c.Colour, c.Colour * f.Light.KeyColour, 0.5f);
        var shadow = c.Colour * SceneFrame.Lerp(f.Light.Ambient, new Rgb(1f, 1f, 1f), 0.55f);
        var (u0, us) = f.Columns(c.Depth);
        for (int x = 0; x < f.W; x++)
        {
            float u = u0 + x * us;
            int slot = (int)MathF.Floor(u / c.Spacing);
            if (Hash.Unit(c.Seed, slot, 9) < 0.2f) continue; // clear sky in this slot
            float local = u - slot * c.Spacing;
            float size = c.Size * (0.7f + 0.6f * Hash.Unit(c.Seed, slot, 1));
            float cx = c.Spacing * (0.3f + 0.4f * Hash.Unit(c.Seed, slot, 2));
            float baseV = c.Height + 0.08f * (Hash.Unit(c.Seed, slot, 3) - 0.5f);
            float a = 0f;
            for (int k = 0; k < Puffs; k++)
            {
                float r = size * (k is 1 or 2 ? 0.6f : 0.42f) * (0.8f + 0.4f * Hash.Unit(c.Seed, slot, 10 + k));
                float pu = cx + (k - 1.5f) * 0.55f * size, pv = baseV + r * 0.4f;
                float du = local - pu, dv = v - pv;
                float d = MathF.Sqrt(du * du + dv * dv);
                a = MathF.Max(a, Math.Clamp((r - d) * scale + 0.5f, 0f, 1f));
            }
            a *= Math.Clamp((v - baseV) * scale + 0.5f, 0f, 1f);
            if (a <= 0f) continue;
            float up = Math.Clamp((v - baseV) / size, 0f, 1f);
            row.Over(x, SceneFrame.Lerp(shadow, lit, SceneFrame.Smooth(0.05f, 0.6f, up)), a);
        }
    }
}
