using Talos.Gpu.Aether;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Xunit;

namespace Talos.Tests.Raygen;

public sealed class BackgroundTests
{
    const int W = 640, H = 360;
    const float Ground = H * 0.82f;

    static RgbaImage Render(string bg, string light = "key-left", CameraState? cam = null) =>
        Backgrounds.Render(AetherPresets.Background(bg), AetherPresets.Lighting(light), cam ?? CameraState.Wide, W, H, Ground);

    static float MeanLuma(RgbaImage img, int y0, int y1)
    {
        double sum = 0;
        for (int y = y0; y < y1; y++)
            for (int x = 0; x < img.Width; x++)
            {
                int i = y * img.Width + x;
                sum += ColorMath.Luma(img.R[i], img.G[i], img.B[i]);
            }
        return (float)(sum / ((y1 - y0) * img.Width));
    }

    [Fact]
    public void Every_background_is_opaque_finite_and_not_flat()
    {
        foreach (var name in AetherPresets.BackgroundNames)
            foreach (var light in AetherPresets.LightingNames)
            {
                var img = Render(name, light);
                Assert.All(img.A, a => Assert.Equal(1f, a));
                Assert.All(img.R, v => Assert.True(float.IsFinite(v) && v >= 0f));
                var colours = new HashSet<int>();
                for (int i = 0; i < img.PixelCount; i++)
                    colours.Add((int)(MathF.Sqrt(img.R[i]) * 63) << 12 | (int)(MathF.Sqrt(img.G[i]) * 63) << 6 | (int)(MathF.Sqrt(img.B[i]) * 63));
                Assert.True(colours.Count > 80, $"{name}/{light}: only {colours.Count} distinct colours");
                float mean = MeanLuma(img, 0, H);
                Assert.InRange(mean, 0.005f, 1.2f);
            }
    }

    [Fact]
    public void Night_is_darker_than_day_and_dusk_in_between()
    {
        float day = MeanLuma(Render("day"), 0, H), dusk = MeanLuma(Render("dusk"), 0, H), night = MeanLuma(Render("night"), 0, H);
        Assert.True(night * 4f < day, $"night {night} vs day {day}");
        Assert.True(night < dusk && dusk < day, $"night {night}, dusk {dusk}, day {day}");
    }

    [Fact]
    public void Sky_differs_from_ground()
    {
        foreach (var name in new[] { "day", "dusk", "night", "interior" })
        {
            var img = Render(name);
            int sky = 10 * W + W / 2, ground = (H - 10) * W + W / 2;
            float d = MathF.Abs(img.R[sky] - img.R[ground]) + MathF.Abs(img.G[sky] - img.G[ground]) + MathF.Abs(img.B[sky] - img.B[ground]);
            Assert.True(d > 0.05f, $"{name}: sky and ground too alike ({d})");
        }
    }

    [Fact]
    public void The_sky_is_brighter_on_the_key_lights_side()
    {
        var left = Render("day", "key-left");
        int y = (int)(Ground * 0.45f);
        float l = left.B[y * W + W / 8] + left.G[y * W + W / 8], r = left.B[y * W + 7 * W / 8] + left.G[y * W + 7 * W / 8];
        Assert.True(l > r, $"left {l} right {r}");
    }

    [Fact]
    public void Camera_pan_moves_the_scenery_but_not_the_sky_gradient()
    {
        var still = Render("day");
        var panned = Render("day", cam: new CameraState(1, 0.25));
        Assert.Equal(still.R.AsSpan(0, W).ToArray(), panned.R.AsSpan(0, W).ToArray()); // top row: sky only
        int band = (int)(Ground - 0.09f * H), changed = 0; // crosses the near hills' outline
        for (int x = 0; x < W; x++) if (still.G[band * W + x] != panned.G[band * W + x]) changed++;
        Assert.True(changed > W / 20, $"only {changed} pixels of the hills changed");
    }

    [Fact]
    public void Near_layers_move_more_than_far_layers()
    {
        // Hills (depth 0.35) shift further than the distant range (depth 0.12): compare where each row band's pixels match a shifted copy.
        var still = Render("day");
        var panned = Render("day", cam: new CameraState(1, 0.1));
        int nearRow = (int)(Ground - 0.09f * H), farRow = (int)(Ground - 0.22f * H);
        int near = BestShift(still, panned, nearRow), far = BestShift(still, panned, farRow);
        Assert.True(near > far && far > 0, $"near shift {near}, far shift {far}");
    }

    /// <summary>The leftward shift (pixels) that best aligns a row of the panned frame with the still one.</summary>
    static int BestShift(RgbaImage a, RgbaImage b, int y)
    {
        int best = 0;
        double bestErr = double.MaxValue;
        for (int s = 0; s < W / 4; s++)
        {
            double err = 0;
            for (int x = 0; x < W - s - W / 4; x++) err += MathF.Abs(a.G[y * W + x + s] - b.G[y * W + x]);
            if (err < bestErr) { bestErr = err; best = s; }
        }
        return best;
    }

    [Fact]
    public void Render_is_bit_identical_across_runs()
    {
        foreach (var name in AetherPresets.BackgroundNames)
        {
            var cam = new CameraState(1.2, 0.37);
            var a = Render(name, "sunset", cam);
            var b = Render(name, "sunset", cam);
            Assert.Equal(FrameCodec.EncodeRgba(a), FrameCodec.EncodeRgba(b));
            Assert.Equal(a.R, b.R);
        }
    }

    [Fact]
    public void Unknown_preset_names_are_rejected_with_the_known_list()
    {
        var bg = Assert.Throws<ArgumentException>(() => AetherPresets.Background("mars"));
        Assert.Contains("mars", bg.Message);
        Assert.Contains("interior", bg.Message);
        var light = Assert.Throws<ArgumentException>(() => AetherPresets.Lighting("disco"));
        Assert.Contains("disco", light.Message);
        Assert.Contains("key-left", light.Message);
        Assert.Equal(5, AetherPresets.BackgroundNames.Count);
        Assert.Equal(5, AetherPresets.LightingNames.Count);
        foreach (var n in AetherPresets.LightingNames) Assert.Equal(n, AetherPresets.Lighting(n).Name);
        foreach (var n in AetherPresets.BackgroundNames) Assert.Equal(n, AetherPresets.Background(n).Name);
    }
}
