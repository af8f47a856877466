using Talos.Cli;
using Talos.Cli.Render;
using Talos.Gpu.Aether;
using Talos.Gpu.Anima;
using Talos.Gpu.Axis;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Gpu.Raygen;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Cuttura;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>
/// <c>talos render … --background none</c> end to end (issue 18): MARA standing in a tiny shot rendered with no background
/// as ProRes 4444 and as 16-bit PNGs carries its coverage in alpha, and the same shot rendered over "day" is, pixel by
/// pixel, the transparent film composited over the painted background (premultiplied "over" in linear light).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RenderAlphaTests : IDisposable
{
    const int W = 128, H = 72, Frames = 3;
    readonly string _dir = Repo.TempDir("render-alpha");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string Spec()
    {
        var spec = new ShotSpec
        {
            Id = "alpha", Fps = 12, Frames = new FrameRange(0, Frames - 1), Background = "day", Lighting = "key-left",
            Characters = [new CharacterSpec { Name = "MARA", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.35 }] }],
        };
        var path = Path.Combine(_dir, "alpha.json");
        File.WriteAllText(path, ShotSpecJson.Serialize(spec));
        return path;
    }

    async Task Render(string output, string delivery, string? background)
    {
        string[] args = ["render", Spec(), "--out", output, "--width", $"{W}", "--height", $"{H}", "--delivery", delivery,
            "--work-dir", Path.Combine(_dir, "work"), .. background is null ? Array.Empty<string>() : ["--background", background]];
        var (code, error) = await CliRunner.Run([RenderCommand.Create()], args);
        Assert.True(code == 0, error);
    }

    static ushort[] Png(string dir, int frame) => DeliveryProbe.Samples16(Directory.GetFiles(dir, "*.png").Order().ElementAt(frame), "rgba64le");

    static ushort Alpha(ushort[] rgba, int x, int y) => rgba[(y * W + x) * 4 + 3];

    /// <summary>Alpha is 0 (within a few codes) in the corners (sky above, ground below: nothing drawn), 1 on a good share of pixels around MARA
    /// (x ≈ 0.35 W) and nowhere else, and partial at her anti-aliased edges and in her shadow.</summary>
    static void AssertCoverage(ushort[] rgba, string what)
    {
        foreach (var (x, y) in new[] { (0, 0), (W - 1, 0), (0, H - 1), (W - 1, H - 1), (W - 4, H / 2) })
            Assert.True(Alpha(rgba, x, y) <= 64, $"{what}: alpha {Alpha(rgba, x, y)} at ({x}, {y}), where nothing is drawn");
        // Within one 10-bit code of 1: ProRes's full alpha decodes as 65520.
        var opaque = Enumerable.Range(0, W * H).Where(p => rgba[p * 4 + 3] >= 65535 - 64).ToList();
        Assert.True(opaque.Count > W * H / 100, $"{what}: {opaque.Count} opaque pixels; alpha at most {Enumerable.Range(0, W * H).Max(p => rgba[p * 4 + 3])}");
        Assert.All(opaque, p => Assert.InRange(p % W, (int)(0.35 * W) - W / 5, (int)(0.35 * W) + W / 5));
        Assert.True(Enumerable.Range(0, W * H).Count(p => rgba[p * 4 + 3] is > 600 and < 65000) > 10, $"{what}: no partial coverage");
    }

    [Fact]
    public async Task Prores_and_png16_of_a_shot_with_no_background_carry_the_characters_coverage_in_alpha()
    {
        var mov = Path.Combine(_dir, "alpha.mov");
        await Render(mov, "prores", "none");
        for (int f = 0; f < Frames; f++) AssertCoverage(DeliveryProbe.Samples16(mov, "rgba64le", f), $"prores frame {f}");

        var seq = Path.Combine(_dir, "alpha-png");
        await Render(seq, "png16", "none");
        Assert.Equal(Frames, Directory.GetFiles(seq, "*.png").Length);
        var png = Png(seq, 1);
        AssertCoverage(png, "png16 frame 1");
        // The shadow on the absent ground is coverage of black: below MARA's feet, partial alpha with no colour.
        var shadow = Enumerable.Range(0, W * H).Where(p => p / W > H * 0.85 && png[p * 4 + 3] is > 2000 and < 60000).ToList();
        Assert.NotEmpty(shadow);
        Assert.All(shadow, p => Assert.True(png[p * 4] < 2000, $"shadow pixel {p} has colour {png[p * 4]}"));
    }

    [Fact]
    public async Task The_film_over_its_background_is_the_transparent_film_composited_over_the_painted_background()
    {
        var clear = Path.Combine(_dir, "none");
        var day = Path.Combine(_dir, "day");
        await Render(clear, "png16", "none");
        await Render(day, "png16", null);

        var camera = CameraState.Wide;
        var plate = Backgrounds.Render(AetherPresets.Background("day"), AetherPresets.Lighting("key-left"), camera, W, H, LineArt.GroundLine(camera, H));
        for (int f = 0; f < Frames; f++)
        {
            var (n, b) = (Png(clear, f), Png(day, f));
            double worst = 0, sum = 0;
            int compared = 0, covered = 0;
            for (int p = 0; p < W * H; p++)
            {
                Assert.True(b[p * 4 + 3] == 65535, $"frame {f}: the film over day is opaque (pixel {p}: {b[p * 4 + 3]})");
                float a = n[p * 4 + 3] / 65535f;
                float[] pl = [plate.R[p], plate.G[p], plate.B[p]];
                for (int c = 0; c < 3; c++)
                {
                    float tn = n[p * 4 + c] / 65535f, tb = b[p * 4 + c] / 65535f;
                    if (tn > 0.95f || tb > 0.95f || Compositor.ToneMap(pl[c]) > 0.95f) continue; // the tone map's shoulder: too flat to invert at 16 bits
                    float expected = Linear(tn) * a + (1f - a) * pl[c], actual = Linear(tb);
                    double e = Math.Abs(expected - actual);
                    Assert.True(e <= 0.004 + 0.01 * actual,
                        $"frame {f} pixel ({p % W}, {p / W}) channel {c}: over day {actual:F4}, transparent film (alpha {a:F3}) over the plate {expected:F4}");
                    worst = Math.Max(worst, e); sum += e; compared++;
                }
                if (a > 0.01f) covered++;
            }
            Assert.True(compared > W * H * 3 * 9 / 10, $"frame {f}: only {compared} samples compared");
            Assert.True(covered > W * H / 50, $"frame {f}: only {covered} covered pixels");
            Assert.True(sum / compared < 0.001, $"frame {f}: mean error {sum / compared:F5} (worst {worst:F4})");
        }
    }

    [Fact]
    public async Task An_unknown_background_is_refused_in_one_line()
    {
        var err = new StringWriter();
        int code = await CliErrors.Guard(() => RenderCommand.RunAsync(new RenderCommand.RenderRequest(Spec(), Path.Combine(_dir, "x.mov"), W, H,
            null, null, null, Path.Combine(_dir, "work")) { Delivery = "prores", Background = "mars" }, CancellationToken.None), err);
        Assert.Equal(CliErrors.BadInput, code);
        Assert.Equal("error: --background 'mars' is unknown; expected one of day, dusk, night, interior, studio, none", err.ToString().Trim());
    }

    /// <summary>A 16-bit delivery sample back to linear light: the sRGB transfer and the SDR tone map undone.</summary>
    static float Linear(float code)
    {
        float y = ColorMath.SrgbToLinear(code);
        if (y <= Compositor.ShoulderStart) return y;
        const float range = 1f - Compositor.ShoulderStart;
        float d = y - Compositor.ShoulderStart;
        return Compositor.ShoulderStart + range * d / (range - d);
    }
}
