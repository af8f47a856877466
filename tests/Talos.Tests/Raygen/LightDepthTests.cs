using Talos.Tests.Support;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Gpu.Kernels;
using Talos.Gpu.Raygen;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>
/// RAYGEN's light with depth, at small sizes: region-shaped normals give a luminance gradient across a lit shape, creases
/// between regions are occluded, the fill lifts the shadow side, cast shadows darken the ground, and depth of field blurs
/// the layer out of focus while the one in focus stays sharp (CPU rows and the ILGPU kernel agree).
/// </summary>
public sealed class LightDepthTests
{
    const int W = 320, H = 180;

    /// <summary>A flat-painted rectangle split by a vertical ink line into two regions (a sleeve against a coat), ink outline.</summary>
    static RgbaImage TwoRegions()
    {
        var img = new RgbaImage(W, H);
        for (int y = 40; y < 140; y++)
            for (int x = 100; x < 220; x++)
            {
                int p = y * W + x;
                bool ink = x < 102 || x >= 218 || y < 42 || y >= 138 || (x >= 159 && x < 161);
                var (r, g, b) = ink ? (0.01f, 0.008f, 0.012f) : (0.55f, 0.35f, 0.25f);
                (img.R[p], img.G[p], img.B[p], img.A[p]) = (r, g, b, 1f);
            }
        return img;
    }

    static float Luma(RgbaImage img, int x, int y) { int p = y * img.Width + x; return ColorMath.Luma(img.R[p], img.G[p], img.B[p]); }

    [Fact]
    public void A_lit_shape_has_a_luminance_gradient_towards_the_key_in_each_region()
    {
        var lit = Lighting.LightLayer(TwoRegions(), AetherPresets.Lighting("key-left"));
        // Across each region the light falls from the side facing the key (left) to the side away from it.
        foreach (var (x0, x1) in new[] { (106, 154), (166, 214) })
        {
            var row = Enumerable.Range(x0, x1 - x0 + 1).Select(x => Luma(lit, x, 90)).ToList();
            Assert.True(row[0] > row[^1] * 1.25f, $"region {x0}..{x1}: left {row[0]} right {row[^1]}");
            Assert.True(row.Max() - row.Min() > 0.05f, "a visible gradient, not a flat fill");
        }
        // Each region is rounded on its own: just right of the middle ink line the light rises again (a new bulge facing the key).
        Assert.True(Luma(lit, 165, 90) > Luma(lit, 154, 90) * 1.2f, $"{Luma(lit, 165, 90)} vs {Luma(lit, 154, 90)}");
    }

    [Fact]
    public void Creases_are_occluded_and_the_fill_lifts_the_shadow_side()
    {
        var rig = AetherPresets.Lighting("key-left");
        var map = Lighting.LightMap(TwoRegions(), rig);
        var noFill = Lighting.LightMap(TwoRegions(), rig with { FillIntensity = 0f });
        float Lm(RgbaImage m, int x, int y) => ColorMath.Luma(m.R[y * W + x], m.G[y * W + x], m.B[y * W + x]);
        // Away from the key (right side of the right region) the fill adds light.
        Assert.True(Lm(map, 212, 90) > Lm(noFill, 212, 90) + 0.02f, $"{Lm(map, 212, 90)} vs {Lm(noFill, 212, 90)}");
        // Ambient occlusion: with no key and no rim the light is ambient + fill, lowest in the crease at the ink line.
        var flat = rig with { KeyIntensity = 0f, RimIntensity = 0f, FillIntensity = 0f };
        var amb = Lighting.LightMap(TwoRegions(), flat);
        Assert.True(Lm(amb, 160, 90) < Lm(amb, 140, 90) * 0.7f, $"crease {Lm(amb, 160, 90)} vs open {Lm(amb, 140, 90)}");
        Assert.True(Lm(amb, 157, 90) < Lm(amb, 140, 90) * 0.97f, $"beside the crease {Lm(amb, 157, 90)} vs open {Lm(amb, 140, 90)}");
        Assert.Equal(ColorMath.Luma(rig.Ambient.R, rig.Ambient.G, rig.Ambient.B), Lm(amb, 130, 90), 3);
        Assert.Equal(0f, map.A[10]); // the map carries the layer's alpha
        Assert.Equal(1f, map.A[90 * W + 130]);
    }

    [Fact]
    public void The_cast_shadow_region_is_darker_than_the_lit_ground_beside_it()
    {
        const float ground = 150f;
        var rig = AetherPresets.Lighting("key-left");
        var bg = Backgrounds.Render(AetherPresets.Background("day"), rig, CameraState.Wide, W, H, ground);
        var before = bg.Clone();
        var figure = new RgbaImage(W, H);
        for (int y = 60; y < 150; y++)
            for (int x = 150; x < 170; x++) { int p = y * W + x; (figure.R[p], figure.G[p], figure.B[p], figure.A[p]) = (0.5f, 0.3f, 0.2f, 1f); }
        Lighting.CastShadow(bg, figure, rig, ground);
        // Key from the left: the shadow lies on the ground to the right of the feet.
        float Mean(RgbaImage img, int x0, int x1) =>
            Enumerable.Range(x0, x1 - x0).SelectMany(x => Enumerable.Range(152, 6).Select(y => Luma(img, x, y))).Average();
        Assert.True(Mean(bg, 175, 200) < Mean(before, 175, 200) * 0.8f, "shadow right of the figure");
        Assert.True(Mean(bg, 175, 200) < Mean(bg, 100, 125) * 0.8f, "darker than the lit ground on the key side");
        Assert.Equal(Mean(before, 40, 60), Mean(bg, 40, 60), 5);
    }

    static double Sharpness(RgbaImage img, int x0, int y0, int x1, int y1)
    {
        double s = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1 - 1; x++) s += Math.Pow(Luma(img, x + 1, y) - Luma(img, x, y), 2); // gradient energy (a blur keeps total variation)
        return s;
    }

    [Fact]
    public void Depth_of_field_blurs_the_layer_out_of_focus_and_keeps_the_focused_one_sharp()
    {
        var rig = AetherPresets.Lighting("key-left");
        const int ground = 140;
        var pinhole = new CameraState(1, 0);
        var onCharacters = new CameraState(1, 0, Focus: 1.0, Aperture: 0.05);
        var onSky = new CameraState(1, 0, Focus: 0.0, Aperture: 0.03);

        var depth = new float[W * H];
        var bg = Backgrounds.Render(AetherPresets.Background("dusk"), rig, onCharacters, W, H, ground, depth);
        Assert.Equal(bg.R, Backgrounds.Render(AetherPresets.Background("dusk"), rig, onCharacters, W, H, ground).R); // depth is a by-product
        Assert.Equal(0f, depth[5 * W + 5]);                           // sky at infinity
        Assert.Equal(1f, depth[(int)ground * W + 5], 1);              // the ground line is the characters' plane
        Assert.Contains(depth, d => d > 0.3f && d < 0.5f);            // the skyline's own depth (0.4)

        // Focused on the characters: the far skyline blurs, the ground at their feet keeps its detail.
        var blurred = DepthOfField.Layer(bg, depth, onCharacters);
        var sharp = DepthOfField.Layer(bg, depth, pinhole);
        Assert.Same(bg, sharp);
        double far0 = Sharpness(bg, 0, 60, W, ground - 10), far1 = Sharpness(blurred, 0, 60, W, ground - 10);
        Assert.True(far1 < far0 * 0.6, $"skyline sharpness {far0} -> {far1}");
        for (int x = 0; x < W; x++) Assert.Equal(bg.R[(ground + 1) * W + x], blurred.R[(ground + 1) * W + x]); // the ground at their feet: in focus

        // Focused on the sky: the character layer (depth 1) blurs and its edge turns semi-transparent; on the characters it stays.
        var layer = Lighting.LightLayer(TwoRegions(), rig);
        var soft = DepthOfField.Layer(layer, 1f, onSky);
        Assert.Same(layer, DepthOfField.Layer(layer, 1f, onCharacters));
        Assert.True(Sharpness(soft, 90, 60, 230, 120) < Sharpness(layer, 90, 60, 230, 120) * 0.5);
        Assert.InRange(soft.A[90 * W + 100], 0.2f, 0.8f);
        Assert.Equal(layer.A.Sum(), soft.A.Sum(), 0.03 * layer.A.Sum()); // blur moves coverage, it does not make or lose much
        var pixel = DepthOfField.Coc(1f, onSky, H);
        Assert.Equal(0.03f * H, pixel, 3);
    }

    [Fact]
    public void Cpu_and_ilgpu_depth_of_field_agree()
    {
        const int w = 40, h = 28;
        var img = new RgbaImage(w, h);
        var coc = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                bool inside = x > 10 && x < 26 && y > 6 && y < 20;
                (img.R[p], img.G[p], img.B[p], img.A[p]) = inside ? (0.9f, 0.4f, 2.5f, 1f) : ((x / 7 + y / 5) % 2 * 0.3f, 0.1f, 0.05f, 1f);
                coc[p] = x < 20 ? 0f : (x - 20) * 0.35f; // sharp on the left, growing blur to the right
            }
        var cpu = DepthOfField.ApplyCpu(img, coc);
        var (context, accelerator) = ParityDevice.Create();
        using (context)
        using (accelerator)
        {
            var gpu = IlgpuDepthOfField.Apply(accelerator, img, coc);
            double max = 0;
            foreach (var (a, b) in new[] { (cpu.R, gpu.R), (cpu.G, gpu.G), (cpu.B, gpu.B), (cpu.A, gpu.A) })
                for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            Assert.True(max < 1e-5, $"max abs difference {max}");
        }
        Assert.Equal(img.R[10 * w + 5], cpu.R[10 * w + 5]);     // coc 0: untouched
        Assert.NotEqual(img.R[10 * w + 36], cpu.R[10 * w + 36]); // blurred
    }

    [Fact]
    public void Pictures_for_eyes()
    {
        const int w = 640, h = 360;
        var rig = AetherPresets.Lighting("sunset");
        var cam = new CameraState(1, 0, Focus: 1.0, Aperture: 0.025);
        var depth = new float[w * h];
        float ground = h * 0.82f;
        var bg = Backgrounds.Render(AetherPresets.Background("dusk"), rig, cam, w, h, ground, depth);
        var figure = Gallery.FigureAt(w, h, w * 0.45f, ground, 190);
        Lighting.CastShadow(bg, figure, rig, ground);
        var frame = Compositor.Composite(w, h, [new Layer(DepthOfField.Layer(bg, depth, cam)), new Layer(Lighting.LightLayer(figure, rig))]);
        var rgb = Compositor.ToSrgb8(frame, 1f);
        using var fs = File.Create(Path.Combine(Path.GetTempPath(), "raygen-dof-dusk.png"));
        new StbImageWriteSharp.ImageWriter().WritePng(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
        Assert.True(fs.Length > 0);
    }
}
