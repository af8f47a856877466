using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>The backdrop under the scenery: sky (or wall) and ground (or floor) gradients, lit from the key's side.</summary>
static class BasePainter
{
    public static void SkyAndGround(in SceneFrame f, Row row)
    {
        int y = row.Y;
        float groundCover = Math.Clamp(y + 1 - f.GroundY, 0f, 1f);
        Rgb sky = SkyColour(f, y), ground = GroundColour(f, y);
        var rim = f.Light.KeyColour * (f.Light.KeyIntensity * 0.22f);
        var (u0, us) = f.Columns(0f);
        float dv = f.V(y, 0f) - f.SunV;
        for (int x = 0; x < f.W; x++)
        {
            float r = sky.R, g = sky.G, b = sky.B;
            if (groundCover < 1f)
            {
                // Soft light from the key: the sky is brighter around where the light comes from.
                float du = u0 + x * us - f.SunU;
                float glow = SceneFrame.Bump(du * du + dv * dv, 1.2f);
                r += rim.R * glow; g += rim.G * glow; b += rim.B * glow;
            }
            if (groundCover > 0f)
            {
                float side = 1f + 0.12f * Side(f, x);
                r += (ground.R * side - r) * groundCover;
                g += (ground.G * side - g) * groundCover;
                b += (ground.B * side - b) * groundCover;
            }
            row.R[x] = r; row.G[x] = g; row.B[x] = b;
        }
    }

    /// <summary>-1 on the side away from the key, +1 on the key's side.</summary>
    public static float Side(in SceneFrame f, int x)
    {
        float kx = MathF.Sign(f.Light.KeyX);
        return kx * ((x + 0.5f) / f.W * 2f - 1f);
    }

    static Rgb SkyColour(in SceneFrame f, int y)
    {
        float t = Math.Clamp((f.GroundY - (y + 0.5f)) / MathF.Max(1f, f.GroundY), 0f, 1f);
        return SceneFrame.Lerp(f.Preset.SkyHorizon, f.Preset.SkyTop, MathF.Pow(t, 0.7f));
    }

    static Rgb GroundColour(in SceneFrame f, int y)
    {
        float depth = MathF.Max(1f, f.H - f.GroundY);
        float t = Math.Clamp((y + 0.5f - f.GroundY) / depth, 0f, 1f);
        var c = SceneFrame.Lerp(f.Preset.GroundFar, f.Preset.GroundNear, MathF.Pow(t, 0.8f));
        // Aerial perspective: the far ground fades into the horizon.
        float haze = MathF.Pow(1f - t, 8f) * 0.35f;
        return SceneFrame.Lerp(c, f.Preset.SkyHorizon, haze);
    }

    /// <summary>A studio sweep: the wall gradient turns into the floor over the sweep band, with no horizon line.</summary>
    public static void Cyclorama(in SceneFrame f, Row row)
    {
        var p = f.Preset;
        var cy = (Cyclorama)p.Scenery.First(s => s is Cyclorama);
        int y = row.Y;
        float sweep = cy.Sweep * f.H * (1f + (f.Zoom - 1f) * cy.Depth);
        float yy = y + 0.5f;
        float wallT = Math.Clamp(yy / MathF.Max(1f, f.GroundY), 0f, 1f);
        var wall = SceneFrame.Lerp(p.SkyTop, p.SkyHorizon, MathF.Pow(wallT, 0.8f));
        float floorT = Math.Clamp((yy - f.GroundY) / MathF.Max(1f, f.H - f.GroundY), 0f, 1f);
        var floor = SceneFrame.Lerp(p.GroundFar, p.GroundNear, floorT);
        float k = SceneFrame.Smooth(f.GroundY - sweep * 0.5f, f.GroundY + sweep * 0.5f, yy);
        var c = SceneFrame.Lerp(wall, floor, k);
        var key = f.Light.KeyColour * (f.Light.KeyIntensity * 0.18f);
        var (u0, us) = f.Columns(0f);
        float dv = f.V(y, 0f) - f.SunV * 0.5f;
        for (int x = 0; x < f.W; x++)
        {
            // A soft pool of key light on the backdrop.
            float du = u0 + x * us - f.SunU * 0.8f;
            float pool = SceneFrame.Bump(du * du * 1.6f + dv * dv * 3f, 4f);
            row.R[x] = c.R + key.R * pool; row.G[x] = c.G + key.G * pool; row.B[x] = c.B + key.B * pool;
        }
    }

    public static void Vignette(in SceneFrame f, Cyclorama cy, Row row)
    {
        float ny = (row.Y + 0.5f) / f.H * 2f - 1f;
        for (int x = 0; x < f.W; x++)
        {
            float nx = (x + 0.5f) / f.W * 2f - 1f;
            float k = 1f - cy.Vignette * 0.5f * (nx * nx * 0.7f + ny * ny);
            row.R[x] *= k; row.G[x] *= k; row.B[x] *= k;
        }
    }
}
