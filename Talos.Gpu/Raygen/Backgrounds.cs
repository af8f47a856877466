using System.Buffers;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>
/// RAYGEN backgrounds: an AETHER preset painted under a light rig, seen through the camera. Every pixel comes from
/// closed-form shapes (gradients, discs, sums of sines, hashed grids), rows in parallel; scratch is pooled.
/// Output is opaque linear light; the background <see cref="None"/> is fully transparent instead.
/// </summary>
public static class Backgrounds
{
    /// <summary>The background name for "nothing behind the characters": a transparent layer, alpha carried to delivery.</summary>
    public const string None = "none";

    /// <summary>
    /// The spec's background by name: an AETHER preset painted (<see cref="Render(BackgroundPreset, LightRig, CameraState, int, int, float, float[])"/>),
    /// or for <see cref="None"/> a transparent layer (all zero) whose depth map is the ground's and the sky's as a
    /// painted one would have, so cast shadows on the absent ground are blurred as they would be on a painted one.
    /// </summary>
    public static RgbaImage Render(string name, LightRig light, CameraState camera, int width, int height, float groundY, float[]? depth)
    {
        if (name != None) return Render(AetherPresets.Background(name), light, camera, width, height, groundY, depth);
        CheckDepth(depth, width, height);
        if (!float.IsFinite(groundY)) groundY = height * 0.82f;
        if (depth is not null)
            for (int y = 0; y < height; y++) FillDepth(depth.AsSpan(y * width, width), y, height, groundY, 0f);
        return new RgbaImage(width, height);
    }

    public static RgbaImage Render(BackgroundPreset bg, LightRig light, CameraState camera, int width, int height, float groundY) =>
        Render(bg, light, camera, width, height, groundY, null);

    /// <summary>
    /// As <see cref="Render(BackgroundPreset, LightRig, CameraState, int, int, float)"/>, also filling
    /// <paramref name="depth"/> (width × height, when given) with each pixel's parallax depth: the sky 0 (an interior's
    /// wall <see cref="WallDepth"/>), the ground 1 at the ground line rising to 1.5 at the bottom edge, scenery its own.
    /// </summary>
    public static RgbaImage Render(BackgroundPreset bg, LightRig light, CameraState camera, int width, int height, float groundY, float[]? depth)
    {
        CheckDepth(depth, width, height);
        ArgumentNullException.ThrowIfNull(bg);
        ArgumentNullException.ThrowIfNull(light);
        var img = FramePool.Rent(width, height); // every pixel written below; planes already faulted in (a caller may give them back)
        if (!float.IsFinite(groundY)) groundY = height * 0.82f;
        var f = new SceneFrame(bg, light, camera, width, height, groundY);
        var grade = Grade(light);
        bool cyclorama = bg.Scenery.Any(s => s is Cyclorama);
        float far = bg.Scenery.Any(s => s is Cyclorama or Window or Planks) ? WallDepth : 0f;
        var ridgeTops = RidgePainter.Prepare(f, out int ridgeCount);
        try
        {
            Parallel.For(0, height, y =>
            {
                var d = depth is null ? Span<float>.Empty : depth.AsSpan(y * width, width);
                FillDepth(d, y, height, f.GroundY, far);
                var row = new Row(img, y, d);
                if (cyclorama) BasePainter.Cyclorama(f, row); else BasePainter.SkyAndGround(f, row);
                int ridge = 0;
                foreach (var s in bg.Scenery)
                {
                    row = row.At(s.Depth);
                    switch (s)
                    {
                        case Ridge r: RidgePainter.Paint(f, r, ridgeTops.AsSpan(ridge++ * width, width), row); break;
                        case Skyline k: SkylinePainter.Paint(f, k, row); break;
                        case Celestial c: CelestialPainter.Paint(f, c, row); break;
                        case Stars st: StarsPainter.Paint(f, st, row); break;
                        case Clouds cl: CloudsPainter.Paint(f, cl, row); break;
                        case Window wn: WindowPainter.Paint(f, wn, row); break;
                        case Planks p: PlanksPainter.Paint(f, p, row); break;
                        case Cyclorama cy: BasePainter.Vignette(f, cy, row); break;
                    }
                }
                // the grade, each sample times its channel's factor (a vector at a time: the same products)
                System.Numerics.Tensors.TensorPrimitives.Multiply(row.R, grade.R, row.R);
                System.Numerics.Tensors.TensorPrimitives.Multiply(row.G, grade.G, row.G);
                System.Numerics.Tensors.TensorPrimitives.Multiply(row.B, grade.B, row.B);
                img.A.AsSpan(y * width, width).Fill(1f);
            });
        }
        finally
        {
            if (ridgeCount > 0) ArrayPool<float>.Shared.Return(ridgeTops);
        }
        return img;
    }

    static void CheckDepth(float[]? depth, int width, int height)
    {
        if (depth is not null && depth.Length != width * height) throw new ArgumentException($"depth map holds {depth.Length} pixels, the frame {width * height}", nameof(depth));
    }

    /// <summary>Row y's depth before scenery: the ground 1 at the ground line to 1.5 at the bottom edge, above it <paramref name="far"/>.</summary>
    static void FillDepth(Span<float> d, int y, int height, float groundY, float far)
    {
        if (d.IsEmpty) return;
        float below = y + 0.5f - groundY;
        d.Fill(below >= 0f ? 1f + 0.5f * below / MathF.Max(1f, height - groundY) : far);
    }

    /// <summary>Parallax depth of an interior's wall or a studio's cyclorama (behind the characters, not at infinity).</summary>
    public const float WallDepth = 0.7f;

    /// <summary>
    /// The rig's overall colour cast and level on the backdrop: a quarter of the way towards the hue of
    /// (ambient + half the key), and darker for rigs with less light than a neutral key-left.
    /// </summary>
    static Rgb Grade(LightRig light)
    {
        var mix = light.Ambient + light.FillColour * (light.FillIntensity * 0.5f) + light.KeyColour * (light.KeyIntensity * 0.5f);
        float luma = MathF.Max(1e-4f, ColorMath.Luma(mix.R, mix.G, mix.B));
        var hue = mix * (1f / luma);
        var cast = SceneFrame.Lerp(new Rgb(1f, 1f, 1f), hue, 0.25f);
        float level = 1f + (MathF.Min(luma / 0.9f, 1.15f) - 1f) * 0.5f;
        return cast * level;
    }
}
