using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>
/// Geometry of one background frame. World units are frame heights; u runs right from the frame centre (at zero pan),
/// v runs up from the ground line. A layer at parallax depth d sees the camera's zoom and pan scaled by d.
/// </summary>
readonly struct SceneFrame
{
    public readonly int W, H;
    public readonly float GroundY;
    public readonly float Zoom, PanX;
    public readonly LightRig Light;
    public readonly BackgroundPreset Preset;
    /// <summary>Where the key light sits in the sky, in world units of a layer at depth 0.</summary>
    public readonly float SunU, SunV;

    public SceneFrame(BackgroundPreset preset, LightRig light, CameraState camera, int w, int h, float groundY) : this(camera, w, h, groundY)
    {
        Preset = preset; Light = light;
        float len = MathF.Sqrt(light.KeyX * light.KeyX + light.KeyY * light.KeyY);
        float kx = len > 0f ? light.KeyX / len : 0f;
        SunU = kx * 0.36f * w / h;
        SunV = 0.14f + 0.42f * MathF.Sin(Math.Clamp(light.KeyElevation, 0f, MathF.PI / 2));
    }

    /// <summary>The camera's geometry alone (a plate's layers: no preset, no light).</summary>
    public SceneFrame(CameraState camera, int w, int h, float groundY)
    {
        Preset = null!; Light = null!; W = w; H = h; GroundY = groundY;
        Zoom = (float)Math.Clamp(double.IsFinite(camera.Zoom) ? camera.Zoom : 1.0, 0.05, 50.0);
        PanX = (float)(double.IsFinite(camera.PanX) ? camera.PanX : 0.0);
    }

    /// <summary>Pixels per world unit for a layer at depth d.</summary>
    public float Scale(float depth) => H * (1f + (Zoom - 1f) * depth);

    /// <summary>World u of the centre of pixel column x, for a layer at depth d.</summary>
    public float U(int x, float depth) => (x + 0.5f - W * 0.5f) / Scale(depth) + PanX * depth * W / H;

    /// <summary>u of column x is <c>U0 + x·Step</c> for a layer at depth d (hoists the division out of pixel loops).</summary>
    public (float U0, float Step) Columns(float depth) => (U(0, depth), 1f / Scale(depth));

    /// <summary>A smooth bump: 1 at d²=0 falling to 0 at d²=r² (a cheap stand-in for a Gaussian).</summary>
    public static float Bump(float d2, float r2)
    {
        float t = 1f - d2 / r2;
        return t > 0f ? t * t * t : 0f;
    }

    /// <summary>World v of the centre of pixel row y, for a layer at depth d.</summary>
    public float V(int y, float depth) => (GroundY - (y + 0.5f)) / Scale(depth);

    public static float Smooth(float e0, float e1, float x)
    {
        float t = Math.Clamp((x - e0) / (e1 - e0), 0f, 1f);
        return t * t * (3f - 2f * t);
    }

    public static Rgb Lerp(Rgb a, Rgb b, float t) => new(a.R + (b.R - a.R) * t, a.G + (b.G - a.G) * t, a.B + (b.B - a.B) * t);
}

/// <summary>
/// One row of the background being painted (linear RGB, opaque), and its parallax depth: whatever is painted over a pixel
/// at coverage ≥ ½ sets that pixel's depth to the depth of the scenery being painted (for depth of field).
/// </summary>
readonly ref struct Row
{
    public readonly Span<float> R, G, B, D;
    public readonly int Y;
    public readonly float Depth;
    public Row(RgbaImage img, int y, Span<float> depth)
    {
        Y = y;
        R = img.R.AsSpan(y * img.Width, img.Width);
        G = img.G.AsSpan(y * img.Width, img.Width);
        B = img.B.AsSpan(y * img.Width, img.Width);
        D = depth;
    }

    Row(Row row, float depth)
    {
        R = row.R; G = row.G; B = row.B; D = row.D; Y = row.Y;
        Depth = depth;
    }

    /// <summary>The same row, painting scenery at parallax depth <paramref name="depth"/>.</summary>
    public Row At(float depth) => new(this, depth);

    /// <summary>Blend colour c over pixel x with coverage a.</summary>
    public void Over(int x, Rgb c, float a)
    {
        R[x] += (c.R - R[x]) * a; G[x] += (c.G - G[x]) * a; B[x] += (c.B - B[x]) * a;
        if (a >= 0.5f && !D.IsEmpty) D[x] = Depth;
    }

    public void Add(int x, Rgb c, float k)
    {
        R[x] += c.R * k; G[x] += c.G * k; B[x] += c.B * k;
    }
}
