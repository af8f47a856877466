using Talos.Gpu.Aether;
using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>
/// RAYGEN's painted plates through the multiplane camera (docs/plates.md). World units are frame heights, as for the
/// AETHER presets (<see cref="SceneFrame"/>): u right from the frame centre, v up from the ground line. Every layer of a
/// plate shares one world height <see cref="WorldHeight"/> (its image rows span it, whatever its pixel size) and stands with
/// the plate's ground line on v = 0, the line characters stand on; its width follows its aspect. A layer at parallax depth d
/// sees the camera's pan and zoom scaled by d, exactly as a preset's scenery does: at zoom 1 a pan of p frame widths moves it
/// p·d·width pixels. Layers are composited back to front, premultiplied, sampled bilinearly; outside its image the back
/// layer repeats its edge pixels and the others are transparent. Painted plates are shown as painted: the light rig lights
/// the characters and casts their shadows, it does not regrade the plate.
/// </summary>
public static class PlatePainter
{
    /// <summary>
    /// World height (frame heights) of every layer of <paramref name="plate"/> in a <paramref name="width"/>×<paramref name="height"/>
    /// frame: the smallest at which the back layer covers the frame at zoom 1 with no pan, its ground line on the
    /// characters' (<see cref="LineArt.GroundFraction"/> of the frame height).
    /// </summary>
    public static float WorldHeight(Plate plate, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plate);
        float g = plate.GroundLine, ground = LineArt.GroundFraction;
        if (plate.Layers.Count == 0) return 1f; // procedural layers only: no image to fit
        var back = plate.Layers[0].Image;
        float aspect = (float)back.Width / back.Height;
        return MathF.Max(MathF.Max(ground / g, (1f - ground) / (1f - g)), (float)width / height / aspect);
    }

    /// <summary>
    /// The plate through <paramref name="camera"/>, its ground line on <paramref name="groundY"/>; also fills
    /// <paramref name="depth"/> (width × height, when given) with each pixel's parallax depth: the nearest layer covering it
    /// (alpha ≥ ½) gives its depth map's value there, or its own depth. A plate's procedural layers (<see cref="Plate.Backdrop"/>)
    /// are painted first under <paramref name="light"/>, as a preset is (<see cref="Backgrounds"/>); the images go over them,
    /// every one transparent outside itself.
    /// </summary>
    public static RgbaImage Render(Plate plate, CameraState camera, int width, int height, float groundY, float[]? depth, LightRig? light = null)
    {
        ArgumentNullException.ThrowIfNull(plate);
        if (depth is not null && depth.Length != width * height) throw new ArgumentException($"depth map holds {depth.Length} pixels, the frame {width * height}", nameof(depth));
        if (!float.IsFinite(groundY)) groundY = height * LineArt.GroundFraction;
        var img = plate.Backdrop is { } backdrop
            ? Backgrounds.Render(backdrop, light ?? throw new ArgumentNullException(nameof(light), "a plate with procedural layers is painted under a light rig"), camera, width, height, groundY, depth)
            : new RgbaImage(width, height);
        var f = new SceneFrame(camera, width, height, groundY);
        float world = WorldHeight(plate, width, height);
        Parallel.For(0, height, y =>
        {
            int row = y * width;
            if (depth is not null && plate.Backdrop is null) depth.AsSpan(row, width).Fill(plate.Layers[0].Depth);
            for (int l = 0; l < plate.Layers.Count; l++)
            {
                var layer = plate.Layers[l];
                var src = layer.Image;
                float perWorld = src.Height / world; // layer pixels per world unit
                var (u0, step) = f.Columns(layer.Depth);
                float py = plate.GroundLine * src.Height - f.V(y, layer.Depth) * perWorld - 0.5f;
                bool back = l == 0 && plate.Backdrop is null;
                if (!back && (py < -0.5f || py > src.Height - 0.5f)) continue;
                for (int x = 0; x < width; x++)
                {
                    float px = (u0 + x * step) * perWorld + src.Width * 0.5f - 0.5f;
                    if (!back && (px < -0.5f || px > src.Width - 0.5f)) continue;
                    Sample(src, px, py, out float r, out float g, out float b, out float a);
                    int p = row + x;
                    if (back) { img.R[p] = r; img.G[p] = g; img.B[p] = b; img.A[p] = a; }
                    else
                    {
                        float k = 1f - a;
                        img.R[p] = r + img.R[p] * k; img.G[p] = g + img.G[p] * k; img.B[p] = b + img.B[p] * k; img.A[p] = a + img.A[p] * k;
                    }
                    if (depth is not null && (back || a >= 0.5f))
                        depth[p] = layer.DepthMap is { } dm ? dm[Nearest(py, src.Height) * src.Width + Nearest(px, src.Width)] : layer.Depth;
                }
            }
        });
        return img;
    }

    static int Nearest(float p, int n) => Math.Clamp((int)MathF.Round(p), 0, n - 1);

    /// <summary>Bilinear sample at pixel-centre coordinates (px, py), edges clamped.</summary>
    static void Sample(RgbaImage src, float px, float py, out float r, out float g, out float b, out float a)
    {
        int w = src.Width, h = src.Height;
        px = Math.Clamp(px, 0f, w - 1); py = Math.Clamp(py, 0f, h - 1);
        int x0 = (int)px, y0 = (int)py, x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        float fx = px - x0, fy = py - y0;
        int p00 = y0 * w + x0, p01 = y0 * w + x1, p10 = y1 * w + x0, p11 = y1 * w + x1;
        float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        r = src.R[p00] * w00 + src.R[p01] * w01 + src.R[p10] * w10 + src.R[p11] * w11;
        g = src.G[p00] * w00 + src.G[p01] * w01 + src.G[p10] * w10 + src.G[p11] * w11;
        b = src.B[p00] * w00 + src.B[p01] * w01 + src.B[p10] * w10 + src.B[p11] * w11;
        a = src.A[p00] * w00 + src.A[p01] * w01 + src.A[p10] * w10 + src.A[p11] * w11;
    }
}
