using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>A window in the back wall: sky and a far hill behind a frame with a cross mullion and a sill.</summary>
static class WindowPainter
{
    const float FrameT = 0.014f;

    public static void Paint(in SceneFrame f, Window w, Row row)
    {
        float scale = f.Scale(w.Depth);
        float v = f.V(row.Y, w.Depth);
        if (v < w.Bottom - 0.04f || v > w.Top + FrameT * 2f) return;
        float centre = w.CentreX * f.W / f.H, period = w.Repeat * f.W / f.H;
        float u0 = centre - w.Width * 0.5f, u1 = u0 + w.Width;
        float midU = (u0 + u1) * 0.5f, midV = w.Bottom + (w.Top - w.Bottom) * 0.55f;
        float skyT = Math.Clamp((v - w.Bottom) / (w.Top - w.Bottom), 0f, 1f);
        var sky = SceneFrame.Lerp(w.SkyBottom, w.SkyTop, skyT) + f.Light.KeyColour * (0.15f * f.Light.KeyIntensity);
        var hill = SceneFrame.Lerp(new Rgb(0.2f, 0.42f, 0.13f), w.SkyBottom, 0.4f);
        var sill = w.Frame * 0.85f;
        var shade = new Rgb(0.8f, 0.8f, 0.82f);
        var (uStart, uStep) = f.Columns(w.Depth);
        for (int x = 0; x < f.W; x++)
        {
            float u = uStart + x * uStep;
            // Fold u into the period around the first window.
            if (period > 0f) u -= MathF.Floor((u - centre) / period + 0.5f) * period;
            // Soft contact shade of the frame on the wall, then sill, frame, glass.
            float outer = Box(u, v, u0 - FrameT, u1 + FrameT, w.Bottom - FrameT, w.Top + FrameT, scale);
            float near = Box(u, v, u0 - FrameT * 2.2f, u1 + FrameT * 2.2f, w.Bottom - FrameT * 3f, w.Top + FrameT * 1.6f, scale * 0.15f);
            if (near > 0f) { var k = SceneFrame.Lerp(new Rgb(1f, 1f, 1f), shade, near * 0.35f); row.R[x] *= k.R; row.G[x] *= k.G; row.B[x] *= k.B; }
            float sillA = Box(u, v, u0 - FrameT * 2.5f, u1 + FrameT * 2.5f, w.Bottom - FrameT * 2.2f, w.Bottom - FrameT * 0.5f, scale);
            if (outer <= 0f && sillA <= 0f) continue;
            row.Over(x, w.Frame, outer);
            float glass = Box(u, v, u0, u1, w.Bottom, w.Top, scale);
            if (glass > 0f)
            {
                float hillTop = w.Bottom + 0.06f + 0.03f * MathF.Sin((u - u0) * 9f + 1.3f);
                var view = SceneFrame.Lerp(sky, hill, Math.Clamp((hillTop - v) * scale + 0.5f, 0f, 1f));
                float bars = MathF.Max(Box(u, v, midU - FrameT * 0.35f, midU + FrameT * 0.35f, w.Bottom, w.Top, scale),
                    Box(u, v, u0, u1, midV - FrameT * 0.35f, midV + FrameT * 0.35f, scale));
                row.Over(x, SceneFrame.Lerp(view, w.Frame, bars), glass);
            }
            row.Over(x, sill, sillA);
        }
    }

    /// <summary>Anti-aliased coverage of an axis-aligned box (world units, scale = pixels per unit).</summary>
    public static float Box(float u, float v, float u0, float u1, float v0, float v1, float scale) =>
        Math.Clamp((u - u0) * scale + 0.5f, 0f, 1f) * Math.Clamp((u1 - u) * scale + 0.5f, 0f, 1f) *
        Math.Clamp((v - v0) * scale + 0.5f, 0f, 1f) * Math.Clamp((v1 - v) * scale + 0.5f, 0f, 1f);
}

/// <summary>
/// A wooden floor in perspective: plank seams converge on the ground line, so near boards slide faster than far ones
/// when the camera pans; a skirting board runs along the foot of the wall.
/// </summary>
static class PlanksPainter
{
    const float Skirting = 0.035f;

    public static void Paint(in SceneFrame f, Planks p, Row row)
    {
        float scale = f.Scale(p.Depth);
        float yc = row.Y + 0.5f;
        float dy = yc - f.GroundY;
        if (dy < -Skirting * scale - 1f) return;
        if (dy < 0.5f)
        {
            // Skirting board with a light top edge.
            float a = Math.Clamp(-dy + 0.5f, 0f, 1f) * Math.Clamp(Skirting * scale + dy + 0.5f, 0f, 1f);
            bool lip = -dy > Skirting * scale - 2.5f;
            var c = lip ? f.Preset.GroundFar * 1.25f : f.Preset.GroundNear * 1.1f;
            for (int x = 0; x < f.W; x++) row.Over(x, c, a);
            return;
        }
        float reference = 0.18f * scale;             // the row where one floor unit is one frame height
        float perRow = dy / reference;               // floor units → frame heights at this row
        float pitch = p.PlankWidth * perRow * scale; // seam spacing in pixels
        float pan = f.PanX * p.Depth * f.W / f.H;
        for (int x = 0; x < f.W; x++)
        {
            float floorU = pan + (x + 0.5f - f.W * 0.5f) / (scale * perRow);
            float k = floorU / p.PlankWidth;
            int plank = (int)MathF.Floor(k);
            float tone = 0.92f + 0.16f * Hash.Unit(p.Seed, plank);
            // Seams run towards the vanishing point: measure across them, not along the row.
            float across = dy / MathF.Sqrt(dy * dy + (x + 0.5f - f.W * 0.5f) * (x + 0.5f - f.W * 0.5f));
            float fade = SceneFrame.Smooth(4f, 10f, pitch * across);
            float seamPx = MathF.Min(k - plank, plank + 1 - k) * pitch * across;
            float seam = Math.Clamp(1.1f - seamPx, 0f, 1f) * fade;
            float t = 1f + (tone - 1f) * fade;
            row.R[x] *= t; row.G[x] *= t; row.B[x] *= t;
            if (seam > 0f) row.Over(x, p.Seam, seam);
        }
    }
}
