using System.Buffers;
using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>
/// RAYGEN backgrounds: an AETHER preset painted under a light rig, seen through the camera. Every pixel comes from
/// closed-form shapes (gradients, discs, sums of sines, hashed grids), rows in parallel; scratch is pooled.
/// Output is opaque linear light.
/// </summary>
public static class Backgrounds
{
    public static RgbaImage Render(BackgroundPreset bg, LightRig light, CameraState camera, int width, int height, float groundY)
    {
        ArgumentNullException.ThrowIfNull(bg);
        ArgumentNullException.ThrowIfNull(light);
        var img = new RgbaImage(width, height);
        if (!float.IsFinite(groundY)) groundY = height * 0.82f;
        var f = new SceneFrame(bg, light, camera, width, height, groundY);
        var grade = Grade(light);
        bool cyclorama = bg.Scenery.Any(s => s is Cyclorama);
        var ridgeTops = RidgePainter.Prepare(f, out int ridgeCount);
        try
        {
            Parallel.For(0, height, y =>
            {
                var row = new Row(img, y);
                if (cyclorama) BasePainter.Cyclorama(f, row); else BasePainter.SkyAndGround(f, row);
                int ridge = 0;
                foreach (var s in bg.Scenery)
                {
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
                var rowA = img.A.AsSpan(y * width, width);
                for (int x = 0; x < width; x++)
                {
                    row.R[x] *= grade.R; row.G[x] *= grade.G; row.B[x] *= grade.B;
                    rowA[x] = 1f;
                }
            });
        }
        finally
        {
            if (ridgeCount > 0) ArrayPool<float>.Shared.Return(ridgeTops);
        }
        return img;
    }

    /// <summary>
    /// The rig's overall colour cast and level on the backdrop: a quarter of the way towards the hue of
    /// (ambient + half the key), and darker for rigs with less light than a neutral key-left.
    /// </summary>
    static Rgb Grade(LightRig light)
    {
        var mix = light.Ambient + light.KeyColour * (light.KeyIntensity * 0.5f);
        float luma = MathF.Max(1e-4f, ColorMath.Luma(mix.R, mix.G, mix.B));
        var hue = mix * (1f / luma);
        var cast = SceneFrame.Lerp(new Rgb(1f, 1f, 1f), hue, 0.25f);
        float level = 1f + (MathF.Min(luma / 0.9f, 1.15f) - 1f) * 0.5f;
        return cast * level;
    }
}
