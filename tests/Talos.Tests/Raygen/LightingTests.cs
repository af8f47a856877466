using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Xunit;

namespace Talos.Tests.Raygen;

public sealed class LightingTests
{
    const int W = 1280, H = 720;
    const float Ground = H * 0.82f;
    static readonly RgbaImage Figure = Gallery.Figure(W * 0.5f, 380);

    static RgbaImage Day(string light) =>
        Backgrounds.Render(AetherPresets.Background("day"), AetherPresets.Lighting(light), CameraState.Wide, W, H, Ground);

    static float[] Darkening(string light)
    {
        var before = Day(light);
        var after = before.Clone();
        Lighting.CastShadow(after, Figure, AetherPresets.Lighting(light), Ground);
        var d = new float[before.PixelCount];
        for (int i = 0; i < d.Length; i++)
            d[i] = ColorMath.Luma(before.R[i], before.G[i], before.B[i]) - ColorMath.Luma(after.R[i], after.G[i], after.B[i]);
        return d;
    }

    [Fact]
    public void Shadow_only_darkens_near_and_below_the_ground_line()
    {
        var d = Darkening("key-left");
        int darkened = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                float v = d[y * W + x];
                Assert.True(v >= 0f, "a shadow never brightens");
                if (v > 0f)
                {
                    Assert.True(y > Ground - 20, $"darkened ({x},{y}) far above the ground line");
                    darkened++;
                }
            }
        Assert.True(darkened > 2000, $"only {darkened} pixels in shadow");
    }

    [Theory]
    [InlineData("key-left", 1)]
    [InlineData("key-right", -1)]
    [InlineData("sunset", -1)]
    public void Shadow_falls_away_from_the_light(string light, int side)
    {
        var d = Darkening(light);
        double left = 0, right = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (x < W / 2) left += d[y * W + x]; else right += d[y * W + x];
        if (side > 0) Assert.True(right > 2 * left, $"right {right} left {left}");
        else Assert.True(left > 2 * right, $"left {left} right {right}");
    }

    [Fact]
    public void Contact_shadow_under_the_feet_is_darkest()
    {
        var before = Day("key-left");
        var d = Darkening("key-left");
        int best = 0;
        for (int i = 0; i < d.Length; i++)
        {
            float rel = d[i] / MathF.Max(1e-6f, ColorMath.Luma(before.R[i], before.G[i], before.B[i]));
            float relBest = d[best] / MathF.Max(1e-6f, ColorMath.Luma(before.R[best], before.G[best], before.B[best]));
            if (rel > relBest) best = i;
        }
        int bx = best % W, by = best / W;
        Assert.InRange(by, (int)Ground - 3, (int)Ground + 12);
        Assert.InRange(bx, W / 2 - 60, W / 2 + 60); // under the legs
    }

    static RgbaImage Disc(float inkRing)
    {
        var img = new RgbaImage(400, 400);
        var fill = Rgb.FromHex("#c0a080");
        var ink = Rgb.FromHex("#1b1620");
        for (int y = 0; y < 400; y++)
            for (int x = 0; x < 400; x++)
            {
                float d = MathF.Sqrt((x + 0.5f - 200) * (x + 0.5f - 200) + (y + 0.5f - 200) * (y + 0.5f - 200));
                float a = Math.Clamp(120.5f - d, 0f, 1f);
                var c = d > 120 - inkRing ? ink : fill;
                int i = y * 400 + x;
                img.R[i] = c.R * a; img.G[i] = c.G * a; img.B[i] = c.B * a; img.A[i] = a;
            }
        return img;
    }

    [Fact]
    public void Light_layer_brightens_the_lit_side_keeps_alpha_and_keeps_ink_dark()
    {
        var disc = Disc(3);
        var lit = Lighting.LightLayer(disc, AetherPresets.Lighting("key-left"));
        Assert.Equal(disc.A, lit.A);
        // Just inside the outline on the left vs the right.
        int y = 200;
        float left = ColorMath.Luma(lit.R[y * 400 + 90], lit.G[y * 400 + 90], lit.B[y * 400 + 90]);
        float right = ColorMath.Luma(lit.R[y * 400 + 310], lit.G[y * 400 + 310], lit.B[y * 400 + 310]);
        Assert.True(left > right * 1.2f, $"left {left} right {right}");
        // Ink on the outline (lit side included) stays dark.
        for (int x = 80; x < 83; x++)
            Assert.True(ColorMath.Luma(lit.R[y * 400 + x], lit.G[y * 400 + x], lit.B[y * 400 + x]) < 0.05f);
        // Transparent pixels stay transparent and black.
        Assert.Equal(0f, lit.R[0]);
        var again = Lighting.LightLayer(disc, AetherPresets.Lighting("key-left"));
        Assert.Equal(lit.R, again.R);
    }

    [Fact]
    public void Empty_layers_are_handled()
    {
        var empty = new RgbaImage(32, 32);
        var bg = Day("noon");
        var copy = bg.Clone();
        var smallBg = new RgbaImage(32, 32);
        Lighting.CastShadow(smallBg, empty, AetherPresets.Lighting("noon"), 28);
        Assert.All(Lighting.LightLayer(empty, AetherPresets.Lighting("noon")).A, a => Assert.Equal(0f, a));
        Assert.Equal(copy.R, bg.R);
    }
}
