using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>A town silhouette: one building per slot of the skyline's width, hashed height and insets, lit windows.</summary>
static class SkylinePainter
{
    const float WindowW = 0.016f, WindowH = 0.022f, WindowPitchX = 0.032f, WindowPitchY = 0.045f;

    public static void Paint(in SceneFrame f, Skyline s, Row row)
    {
        float scale = f.Scale(s.Depth);
        float v = f.V(row.Y, s.Depth);
        float px = 1f / scale; // one pixel in world units
        if (v > s.MaxHeight + px || v < -px) return;
        var colour = SceneFrame.Lerp(s.Colour, f.Preset.SkyHorizon, s.Haze);
        var unlit = colour * 1.35f;
        var (u0, us) = f.Columns(s.Depth);
        int lastSlot = int.MinValue;
        float left = 0f, right = 0f, top = 0f;
        for (int x = 0; x < f.W; x++)
        {
            float u = u0 + x * us;
            int slot = (int)MathF.Floor(u / s.Width);
            float local = u - slot * s.Width;
            if (slot != lastSlot)
            {
                lastSlot = slot;
                left = s.Width * 0.12f * Hash.Unit(s.Seed, slot, 1);
                right = s.Width * (1f - 0.12f * Hash.Unit(s.Seed, slot, 2));
                top = s.MinHeight + (s.MaxHeight - s.MinHeight) * Hash.Unit(s.Seed, slot, 0);
            }
            float a = Cover(local - left, scale) * Cover(right - local, scale) * Cover(top - v, scale) * Cover(v, scale);
            if (a <= 0f) continue;
            var c = colour;
            // Windows on a grid inside the building, away from its edges and roof.
            float wx = local - left - WindowPitchX * 0.6f, wy = v - 0.03f;
            int col = (int)MathF.Floor(wx / WindowPitchX), rowIndex = (int)MathF.Floor(wy / WindowPitchY);
            // Only whole windows: the window's far edge must clear the wall's side and the roof.
            bool fits = wx > 0f && wy > 0f
                && left + WindowPitchX * 0.6f + col * WindowPitchX + WindowW < right - WindowPitchX * 0.35f
                && 0.03f + rowIndex * WindowPitchY + WindowH < top - WindowPitchY * 0.5f;
            if (fits)
            {
                float fx = wx - col * WindowPitchX, fy = wy - rowIndex * WindowPitchY;
                float win = Cover(fx, scale) * Cover(WindowW - fx, scale) * Cover(fy, scale) * Cover(WindowH - fy, scale);
                if (win > 0f)
                {
                    bool lit = Hash.Unit(s.Seed ^ 0x5bd1e995U, slot * 64 + col, rowIndex) < s.LitWindows;
                    c = SceneFrame.Lerp(c, lit ? s.WindowColour : unlit, win);
                }
            }
            row.Over(x, c, a);
        }
    }

    /// <summary>Anti-aliased coverage of a half-plane whose signed inside distance is d (world units).</summary>
    static float Cover(float d, float scale) => Math.Clamp(d * scale + 0.5f, 0f, 1f);
}
