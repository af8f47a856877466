using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Chroma;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Tests.Chroma;
using Xunit;

namespace Talos.Tests.Raygen;

/// <summary>Renders every background under a couple of rigs and a lit figure with its shadow to /tmp/chroma-*.png, for eyes.</summary>
public sealed class Gallery
{
    const int W = 1280, H = 720;
    const float Ground = H * 0.82f;
    static readonly Rgb Ink = Rgb.FromHex("#1b1620");

    static void Save(string name, RgbaImage img)
    {
        var rgb = Compositor.ToSrgb8(img, 1f);
        using var fs = File.Create(Path.Combine(Path.GetTempPath(), $"chroma-{name}.png"));
        new StbImageWriteSharp.ImageWriter().WritePng(rgb, img.Width, img.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, fs);
    }

    public static RgbaImage Figure(float cx, float height) => FigureAt(W, H, cx, Ground, height);

    public static RgbaImage FigureAt(int w, int h, float cx, float ground, float height)
    {
        var (lines, seeds) = LineArt.Figure(w, h, cx, ground, height);
        var palette = new Dictionary<string, Rgb>
        {
            ["skin"] = Rgb.FromHex("#f2c6a0"), ["shirt"] = Rgb.FromHex("#d9534f"), ["trousers"] = Rgb.FromHex("#3b5b92"),
        };
        return ChromaFill.Fill(lines, seeds, palette, Ink, out _);
    }

    [Fact]
    public void Writes_background_and_lighting_pictures()
    {
        foreach (var bg in AetherPresets.BackgroundNames)
            foreach (var rig in new[] { "key-left", bg == "night" ? "moody" : "sunset" })
                Save($"bg-{bg}-{rig}", Backgrounds.Render(AetherPresets.Background(bg), AetherPresets.Lighting(rig), CameraState.Wide, W, H, Ground));

        foreach (var bg in new[] { "day", "interior" })
            Save($"pan-{bg}", Backgrounds.Render(AetherPresets.Background(bg), AetherPresets.Lighting("key-left"), new CameraState(1.4, 0.6), W, H, H * 0.5f + 0.32f * H * 1.4f));
        var figure = Figure(W * 0.45f, 380);
        foreach (var (bg, rig) in new[] { ("day", "key-left"), ("dusk", "sunset"), ("night", "moody"), ("interior", "key-right"), ("studio", "noon") })
        {
            var light = AetherPresets.Lighting(rig);
            var back = Backgrounds.Render(AetherPresets.Background(bg), light, new CameraState(1.0, 0.0), W, H, Ground);
            Lighting.CastShadow(back, figure, light, Ground);
            var lit = Lighting.LightLayer(figure, light);
            Save($"shot-{bg}-{rig}", Compositor.Composite(W, H, [new Layer(back), new Layer(lit)]));
        }
        Assert.True(File.Exists(Path.Combine(Path.GetTempPath(), "chroma-shot-day-key-left.png")));
    }
}
