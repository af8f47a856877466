using System.Buffers;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>Hills and mountains: a ridge line from three seeded sines, filled down to the ground line.</summary>
static class RidgePainter
{
    /// <summary>Pixel row of each ridge's top for every column (pooled; ridges in scenery order).</summary>
    public static float[] Prepare(in SceneFrame f, out int count)
    {
        count = f.Preset.Scenery.Count(s => s is Ridge);
        if (count == 0) return [];
        var tops = ArrayPool<float>.Shared.Rent(count * f.W);
        int k = 0;
        foreach (var s in f.Preset.Scenery)
        {
            if (s is not Ridge r) continue;
            float scale = f.Scale(r.Depth);
            float p1 = Hash.Unit(r.Seed, 1) * 6.2832f, p2 = Hash.Unit(r.Seed, 2) * 6.2832f, p3 = Hash.Unit(r.Seed, 3) * 6.2832f;
            float w = 6.2832f / MathF.Max(0.01f, r.Wavelength);
            var (u0, us) = f.Columns(r.Depth);
            for (int x = 0; x < f.W; x++)
            {
                float u = u0 + x * us;
                float wave = 0.62f * MathF.Sin(u * w + p1) + 0.28f * MathF.Sin(u * w * 2.3f + p2) + 0.1f * MathF.Sin(u * w * 5.1f + p3);
                tops[k * f.W + x] = f.GroundY - (r.Height + r.Amplitude * wave) * scale;
            }
            k++;
        }
        return tops;
    }

    public static void Paint(in SceneFrame f, Ridge r, ReadOnlySpan<float> tops, Row row)
    {
        float yc = row.Y + 0.5f;
        float sky = 1f - Math.Clamp(row.Y + 1 - f.GroundY, 0f, 1f);
        if (sky <= 0f) return;
        var colour = SceneFrame.Lerp(r.Colour, f.Preset.SkyHorizon, r.Haze);
        float height = MathF.Max(1f, (r.Height + r.Amplitude) * f.Scale(r.Depth));
        var lit = f.Light.KeyColour * (f.Light.KeyIntensity * 0.12f);
        for (int x = 0; x < f.W; x++)
        {
            float a = Math.Clamp(yc - tops[x] + 0.5f, 0f, 1f) * sky;
            if (a <= 0f) continue;
            // Lighter towards the top of the range, a touch lighter still on the key's side.
            float below = Math.Clamp((yc - (f.GroundY - height)) / height, 0f, 1f);
            float shade = 1.08f - 0.16f * below + 0.05f * BasePainter.Side(f, x);
            var c = colour * shade + lit * (1f - below);
            row.Over(x, c, a);
        }
    }
}
