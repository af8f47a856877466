using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Anima;

/// <summary><see cref="RenderPasses"/> on hand-made layers, and the <c>layers</c> field of a shot spec.</summary>
public sealed class RenderPassFunctionTests
{
    const int W = 24, H = 16;

    static RgbaImage Box(int x0, int x1, float r, float g, float b, float a)
    {
        var img = new RgbaImage(W, H);
        for (int y = 4; y < 14; y++)
            for (int x = x0; x < x1; x++) { int p = y * W + x; img.R[p] = r * a; img.G[p] = g * a; img.B[p] = b * a; img.A[p] = a; }
        return img;
    }

    static RenderPass Pass(IReadOnlyList<RenderPass> passes, string name) => passes.Single(p => p.Name == name);

    [Fact]
    public void The_stack_recomposites_to_beauty_under_exposure_and_data_passes_place_depth_and_forward_motion()
    {
        var bg = Box(0, W, 0.2f, 0.4f, 0.9f, 1f);
        var parallax = Enumerable.Range(0, W * H).Select(p => p / W >= 12 ? 1.25f : 0f).ToArray();
        var hero = Box(4, 10, 1f, 0.5f, 0.2f, 1f);
        var lines = new GrayImage(W, H);
        lines.Data[6 * W + 5] = 1f;
        var heroIn = new CharacterPassInput("char-hero", hero, hero, hero, lines, Box(4, 10, 0.8f, 0.8f, 0.8f, 1f),
            [(7f, 9f, 3f, 2f)], 14f);
        var ghost = Box(8, 16, 0.1f, 1f, 0.3f, 0.5f); // half covering, in front of the hero
        var ghostIn = new CharacterPassInput("char-ghost", ghost, ghost, ghost, new GrayImage(W, H), ghost, null, 14f);
        var fire = Box(14, 20, 3f, 1f, 0.1f, 0.6f);

        var passes = RenderPasses.Frame(bg, parallax, [heroIn, ghostIn], fire, AetherPresets.Lighting("key-left"), 0.75f);
        Assert.Equal(["beauty", "background", "char-hero", "char-ghost", "effects", "shadow", "line", "colour", "light", "depth", "motion"], passes.Select(p => p.Name));
        Assert.Equal(["background", "char-hero", "char-ghost", "effects"], RenderPasses.StackOrder(["char-hero", "char-ghost"], true));

        float[] C(string pass, string ch) => Pass(passes, pass).Channels.Single(c => c.Name == ch).Data;
        string[] rgba = ["R", "G", "B", "A"];
        var acc = ExrProbe.Over(RenderPasses.StackOrder(["char-hero", "char-ghost"], true).Select(n => rgba.Select(c => C(n, c)).ToArray()), W * H);
        for (int c = 0; c < 4; c++)
            for (int p = 0; p < W * H; p++) Assert.Equal(C("beauty", rgba[c])[p], acc[c][p], 1e-5f);
        // Exposure scales colour, not coverage.
        Assert.Equal(0.2f * 0.75f, C("background", "R")[6 * W], 1e-6f);
        Assert.Equal(1f, C("background", "A")[6 * W]);

        var z = C("depth", "Z");
        Assert.Equal(RenderPasses.SkyDepth, z[0]);               // sky
        Assert.Equal(0.8f, z[13 * W + 22], 1e-6f);               // ground at parallax 1.25
        Assert.Equal(1f, z[6 * W + 5]);                         // the hero
        Assert.Equal(1f, z[6 * W + 12]);                        // the ghost, half covering, still owns it
        var (mx, my) = (C("motion", "R"), C("motion", "G"));
        Assert.Equal((3f, -2f), (mx[6 * W + 5], my[6 * W + 5])); // forward, y up
        Assert.Equal((0f, 0f), (mx[6 * W + 12], my[6 * W + 12])); // the still ghost in front hides the hero's motion
        Assert.Equal(1f, C("line", "A")[6 * W + 5]);
        Assert.Equal(0f, C("line", "R")[6 * W + 5]);
        Assert.True(C("shadow", "A").Max() > 0.05f, "the characters cast shadows below their feet");
        Assert.Equal(0.8f, C("light", "R")[6 * W + 5], 1e-6f);
    }

    [Fact]
    public void Forward_motion_looks_ahead_and_at_the_last_frame_keeps_going()
    {
        RegionSeed[] now = [new(10, 10, "head")], next = [new(13, 9, "head")], before = [new(8, 11, "head")];
        Assert.Equal([(10f, 10f, 3f, -1f)], RenderPasses.ForwardMotion(now, next, before)!);
        Assert.Equal([(10f, 10f, 2f, -1f)], RenderPasses.ForwardMotion(now, null, before)!);
        Assert.Null(RenderPasses.ForwardMotion(now, null, null));
    }

    [Fact]
    public void Character_passes_are_named_from_the_cast_and_repeats_numbered()
    {
        Assert.Equal(["char-mara", "char-old-tom", "char-x", "char-ann-4", "char-ann-5"], RenderPasses.CharacterPasses(["MARA", "Old Tom", "!!", "Ann", "ann"]));
    }

    [Fact]
    public void A_spec_asks_for_exr_layers_and_nothing_else()
    {
        const string spec = """{ "id": "s", "durationSeconds": 1, "layers": "exr" }""";
        Assert.Equal("exr", ShotSpecJson.Parse(spec).Layers);
        Assert.Null(ShotSpecJson.Parse("""{ "id": "s", "durationSeconds": 1 }""").Layers);
        Assert.Equal("exr", ShotSpecJson.Parse(ShotSpecJson.Serialize(ShotSpecJson.Parse(spec))).Layers);
        var e = Assert.Throws<SpecValidationException>(() => ShotSpecJson.Parse("""{ "id": "s", "durationSeconds": 1, "layers": "tiff" }"""));
        Assert.Contains(e.Errors, x => x.Path == "$.layers");
    }
}
