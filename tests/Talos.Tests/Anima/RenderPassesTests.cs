using System.Text.Json;
using Talos.Cli;
using Talos.Cli.Render;
using Talos.Gpu.Anima;
using Talos.Gpu.Prism;
using Talos.Gpu.Processes;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Anima;

/// <summary>
/// <c>talos render --layers exr</c> end to end on a tiny shot (a walking character, a fire): every pass of every frame is an
/// EXR file OpenEXR's exrheader reads with the channels and types layers.json names, and the colour passes, read back by
/// ffmpeg and stacked with "over" in the listed order, give beauty.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RenderPassesTests : IDisposable
{
    readonly string _dir = Repo.TempDir("render-passes");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    const int W = 64, H = 48, Frames = 3;

    async Task<(int Code, string Error)> Render(RenderCommand.RenderRequest req)
        => await Support.CliRunner.Render(req);

    string Spec(bool fire = true)
    {
        var spec = new ShotSpec
        {
            Id = "walk", Fps = 12, Frames = new FrameRange(0, Frames - 1), Background = "dusk", Lighting = "sunset",
            Characters = [new CharacterSpec { Name = "Mara", Keyframes = [new PoseKey { Frame = 0, Pose = "walk", X = 0.3 }, new PoseKey { Frame = Frames - 1, Pose = "run", X = 0.6, Ease = "linear" }] }],
            Effects = fire ? [new EffectSpec { Type = "fire", X = 0.75, Y = 0.8, Strength = 2 }] : [],
        };
        var path = Path.Combine(_dir, "walk.json");
        File.WriteAllText(path, ShotSpecJson.Serialize(spec));
        return path;
    }

    [Fact]
    public async Task Layers_exr_writes_every_pass_exrheader_reads_and_the_colour_passes_recomposite_to_beauty()
    {
        var out_ = Path.Combine(_dir, "walk.mp4");
        var (code, error) = await Render(new RenderCommand.RenderRequest(Spec(), out_, W, H, null, null, null, Path.Combine(_dir, "work")) { Layers = "exr" });
        Assert.True(code == 0, error);
        var dir = Path.Combine(_dir, "walk.layers");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "layers.json")));
        var shot = doc.RootElement.GetProperty("shots").EnumerateArray().Single();
        Assert.Equal(("walk", 0, Frames - 1), (shot.GetProperty("shot").GetString(), shot.GetProperty("firstFrame").GetInt32(), shot.GetProperty("lastFrame").GetInt32()));
        var order = shot.GetProperty("compositeOrder").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(["background", "char-mara", "effects"], order);
        var passes = shot.GetProperty("passes").EnumerateArray().ToList();
        Assert.Equal(["beauty", "background", "char-mara", "effects", "shadow", "line", "colour", "light", "depth", "motion"], passes.Select(p => p.GetProperty("name").GetString()));

        foreach (var pass in passes)
        {
            string name = pass.GetProperty("name").GetString()!;
            var expected = pass.GetProperty("channels").EnumerateArray()
                .Select(c => $"{c.GetProperty("name").GetString()}, {(c.GetProperty("type").GetString() == "float" ? "32" : "16")}-bit floating-point").ToList();
            string[] want = name == "depth" ? ["Z, 32-bit floating-point"] : name == "motion" ? ["G, 16-bit floating-point", "R, 16-bit floating-point"]
                : [.. new[] { "A", "B", "G", "R" }.Select(c => c + ", 16-bit floating-point")];
            Assert.Equal(want, expected);
            for (int f = 0; f < Frames; f++)
            {
                var file = Path.Combine(dir, "walk", name, $"walk.{name}.{f:D4}.exr");
                var header = ExrProbe.Header(file);
                Assert.Contains("zip, multi-scanline blocks", header);
                Assert.Equal(expected, ExrProbe.Channels(header));
                if (name == "depth")
                {
                    // Z in floats: the ground runs from the characters' plane (1) at the ground line to nearer (< 1) at the bottom.
                    var z = ExrProbe.Samples(File.ReadAllBytes(file), W, H, 4).Select(b => BitConverter.ToSingle(b)).ToArray();
                    Assert.InRange(z[(H - 1) * W], 0.6f, 0.95f);
                }
            }
        }

        for (int f = 0; f < Frames; f++)
        {
            var beauty = ExrProbe.Rgba(Path.Combine(dir, "walk", "beauty", $"walk.beauty.{f:D4}.exr"), W, H);
            var stack = order.Select(n => ExrProbe.Rgba(Path.Combine(dir, "walk", n, $"walk.{n}.{f:D4}.exr"), W, H)).ToList();
            var acc = ExrProbe.Over(stack, W * H);
            double err = 0;
            for (int c = 0; c < 4; c++) for (int p = 0; p < W * H; p++) err += Math.Abs(acc[c][p] - beauty[c][p]);
            err /= 4.0 * W * H;
            Assert.True(err <= 1 / 255.0, $"frame {f}: mean absolute error {err:G3} of the recomposited passes against beauty");
            // Not trivially equal: the character and the fire are there, and beauty is not the background alone.
            Assert.True(stack[1][3].Count(a => a > 0.5f) > 20, "the character pass covers pixels");
            double apart = 0;
            for (int c = 0; c < 3; c++) for (int p = 0; p < W * H; p++) apart += Math.Abs(stack[0][c][p] - beauty[c][p]);
            Assert.True(apart > 1, "beauty differs from the background");
        }
    }

    /// <summary>A 16-bit PNG as ffmpeg decodes it (rgba64le), as premultiplied planes R, G, B, A in [0, 1].</summary>
    float[][] Png(string path)
    {
        var raw = Path.Combine(_dir, "png.raw");
        var r = ProcessRunner.Run(ProcessRunner.Require("ffmpeg"), ["-v", "error", "-y", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgba64le", raw]);
        Assert.True(r.ExitCode == 0, r.Error);
        var bytes = File.ReadAllBytes(raw);
        Assert.Equal(8 * W * H, bytes.Length);
        var planes = new float[4][] { new float[W * H], new float[W * H], new float[W * H], new float[W * H] };
        for (int p = 0; p < W * H; p++)
        {
            float a = BitConverter.ToUInt16(bytes, 8 * p + 6) / 65535f;
            planes[3][p] = a;
            for (int c = 0; c < 3; c++) planes[c][p] = BitConverter.ToUInt16(bytes, 8 * p + 2 * c) / 65535f * a;
        }
        return planes;
    }

    [Fact]
    public async Task Layers_png16_writes_16_bit_pngs_that_recomposite_to_beauty_and_keeps_depth_and_motion_exr()
    {
        var (code, error) = await Render(new RenderCommand.RenderRequest(Spec(fire: false), Path.Combine(_dir, "walk.mp4"), W, H, null, null, null, Path.Combine(_dir, "work")) { Layers = "png16", LayersDir = Path.Combine(_dir, "passes") });
        Assert.True(code == 0, error);
        var dir = Path.Combine(_dir, "passes", "walk");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "passes", "layers.json")));
        var files = doc.RootElement.GetProperty("shots")[0].GetProperty("passes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("files").GetString()!);
        Assert.Equal("walk/beauty/walk.beauty.####.png", files["beauty"]);
        Assert.Equal("walk/depth/walk.depth.####.exr", files["depth"]);
        Assert.Contains("Z, 32-bit floating-point", ExrProbe.Channels(ExrProbe.Header(Path.Combine(dir, "depth", "walk.depth.0001.exr"))));
        Assert.Equal(["G, 16-bit floating-point", "R, 16-bit floating-point"], ExrProbe.Channels(ExrProbe.Header(Path.Combine(dir, "motion", "walk.motion.0001.exr"))));
        for (int f = 0; f < Frames; f++)
        {
            var beauty = Png(Path.Combine(dir, "beauty", $"walk.beauty.{f:D4}.png"));
            var stack = new[] { "background", "char-mara" }.Select(n => Png(Path.Combine(dir, n, $"walk.{n}.{f:D4}.png"))).ToList();
            Assert.True(beauty[3].All(a => a == 1f) && stack[1][3].Count(a => a > 0.5f) > 20, "an opaque frame with the character in it");
            var acc = ExrProbe.Over(stack, W * H);
            double err = 0;
            for (int c = 0; c < 4; c++) for (int p = 0; p < W * H; p++) err += Math.Abs(acc[c][p] - beauty[c][p]);
            err /= 4.0 * W * H;
            Assert.True(err <= 1 / 255.0, $"frame {f}: mean absolute error {err:G3} of the recomposited PNG passes against beauty");
        }
        var png = File.ReadAllBytes(Path.Combine(dir, "beauty", "walk.beauty.0000.png"));
        Assert.Equal((16, 6), (png[24], png[25])); // IHDR: 16-bit RGBA
    }

    [Theory]
    [InlineData("/a/film.mp4", "/a/film.layers")]
    [InlineData("/a/frames/", "/a/frames.layers")]
    [InlineData("/a/frames", "/a/frames.layers")]
    public void The_layers_go_beside_the_film_by_default(string output, string expected) => Assert.Equal(expected, LayersOutput.DefaultDir(output));

    [Fact]
    public async Task Layers_with_a_farm_or_a_layers_dir_alone_are_refused()
    {
        var spec = Spec();
        var (code, error) = await Render(new RenderCommand.RenderRequest(spec, Path.Combine(_dir, "x.mp4"), W, H, null, null, null, Path.Combine(_dir, "work")) { LayersDir = Path.Combine(_dir, "l") });
        Assert.Equal(CliErrors.BadInput, code);
        Assert.Contains("--layers-dir needs --layers", error);
        (code, error) = await Render(new RenderCommand.RenderRequest(spec, Path.Combine(_dir, "x.mp4"), W, H, null, null, null, Path.Combine(_dir, "work")) { Layers = "exr", Farm = "http://127.0.0.1:9" });
        Assert.Equal(CliErrors.BadInput, code);
        Assert.Contains("embedded render only", error);
    }
}
