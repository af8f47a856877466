using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>Background <c>none</c> (issue 18): a transparent layer whose cast shadows are black coverage.</summary>
public sealed class TransparentBackgroundTests
{
    const int W = 320, H = 180;
    const float Ground = H * 0.82f;
    static readonly LightRig Light = AetherPresets.Lighting("key-left");

    [Fact]
    public void None_is_transparent_and_keeps_the_ground_depths_a_painted_background_has()
    {
        var camera = new CameraState(1.2, 0.1, 0.0, 0.02);
        float[] painted = new float[W * H], none = new float[W * H];
        Backgrounds.Render("day", Light, camera, W, H, Ground, painted);
        var clear = Backgrounds.Render(Backgrounds.None, Light, camera, W, H, Ground, none);
        Assert.All(new[] { clear.R, clear.G, clear.B, clear.A }, plane => Assert.All(plane, v => Assert.Equal(0f, v)));
        for (int y = (int)Ground + 1; y < H; y++) Assert.Equal(painted[y * W + 5], none[y * W + 5]);
        Assert.Equal(0f, none[0]);
    }

    [Fact]
    public void A_shadow_cast_on_nothing_composited_over_the_painted_background_is_the_shadow_cast_on_it()
    {
        var figure = Gallery.FigureAt(W, H, W * 0.5f, Ground, 100);
        var painted = Backgrounds.Render(AetherPresets.Background("dusk"), Light, CameraState.Wide, W, H, Ground);
        var plate = painted.Clone();
        var clear = Backgrounds.Render(Backgrounds.None, Light, CameraState.Wide, W, H, Ground, null);
        foreach (var bg in new[] { painted, clear })
        {
            Lighting.CastShadow(bg, figure, Light, Ground);
            Lighting.CastShadow(bg, Gallery.FigureAt(W, H, W * 0.3f, Ground, 70), Light, Ground); // two shadows overlap
        }
        Assert.True(clear.A.Count(a => a > 0.05f) > 200, "the shadows leave coverage");
        Assert.All(clear.R, v => Assert.Equal(0f, v));
        Assert.All(painted.A, a => Assert.Equal(1f, a));
        var over = Compositor.CompositeCpu(W, H, [new Layer(plate), new Layer(clear)]);
        for (int p = 0; p < W * H; p++)
        {
            Assert.Equal(painted.R[p], over.R[p], 1e-5f);
            Assert.Equal(painted.B[p], over.B[p], 1e-5f);
            Assert.Equal(1f, over.A[p], 1e-6f);
        }
    }
}
