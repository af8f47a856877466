using Talos.Gpu.Cuttura;
using Talos.Gpu.Prism;
using Talos.Cli;
using Talos.Cli.Render;
using Talos.Gpu.Anima;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Cuttura;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>
/// <c>talos render … --delivery</c> end to end: a one-shot spec with a fire at dusk under the sunset rig (warm key, strong
/// rim) rendered as HDR10 at 3840×2160, as ProRes 4444 and as a 16-bit PNG sequence, each checked from outside.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RenderDeliveryTests : IDisposable
{
    readonly string _dir = Repo.TempDir("render-delivery");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string Spec(int frames, CameraMove? camera = null, string name = "fire")
    {
        var spec = new ShotSpec
        {
            Id = "fire", Fps = 12, Frames = new FrameRange(0, frames - 1), Background = "dusk", Lighting = "sunset",
            Characters = [new CharacterSpec { Name = "MARA", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.35 }] }],
            Effects = [new EffectSpec { Type = "fire", X = 0.65, Y = 0.8, Strength = 2 }],
            Camera = camera is null ? [] : [camera],
        };
        var path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, ShotSpecJson.Serialize(spec));
        return path;
    }

    async Task<(int Code, string Error)> Render(string input, string output, string delivery, int w, int h)
        => await Support.CliRunner.Render(new RenderCommand.RenderRequest(input, output, w, h, null, null, null, Path.Combine(_dir, "work")) { Delivery = delivery });

    [Fact]
    public async Task Hdr10_at_4k_is_hevc_main10_pq_bt2020_with_mastering_metadata_and_highlights_above_sdr_white()
    {
        const int W = 3840, H = 2160;
        var mp4 = Path.Combine(_dir, "fire-hdr.mp4");
        var (code, error) = await Render(Spec(2), mp4, "hdr10", W, H);
        Assert.True(code == 0, error);

        var s = DeliveryProbe.Stream(mp4);
        Assert.Equal(("hevc", "Main 10", "yuv420p10le"), (s.GetProperty("codec_name").GetString(), s.GetProperty("profile").GetString(), s.GetProperty("pix_fmt").GetString()));
        Assert.Equal((W, H), (s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32()));
        Assert.Equal(("smpte2084", "bt2020"), (s.GetProperty("color_transfer").GetString(), s.GetProperty("color_primaries").GetString()));
        var side = DeliveryProbe.FirstFrameSideData(mp4).Select(d => d.GetProperty("side_data_type").GetString()).ToList();
        Assert.Contains("Mastering display metadata", side);
        Assert.Contains("Content light level metadata", side);

        // Fire and rim light carry light above SDR white into the PQ signal: luma codes past the code of 100 nits.
        var y = DeliveryProbe.Samples16(mp4, "yuv420p10le", 1).AsSpan(0, W * H).ToArray();
        double white = DeliveryProbe.PqLuma10(DeliveryPixels.SdrWhiteNits);
        int above = y.Count(v => v > white + 8);
        Assert.True(above > W * H / 10000, $"{above} pixels above the PQ code of SDR white ({white:F0}); max {y.Max()}");
        Assert.True(y.Max() > DeliveryProbe.PqLuma10(250), $"brightest luma {y.Max()} should reach well past SDR white");
        Assert.True(y.Count(v => v < white) > W * H / 2, "most of the picture stays in the SDR range");
    }

    [Fact]
    public async Task Prores_and_png16_deliveries_come_out_of_render()
    {
        var mov = Path.Combine(_dir, "fire.mov");
        var (code, error) = await Render(Spec(3), mov, "prores", 320, 180);
        Assert.True(code == 0, error);
        var s = DeliveryProbe.Stream(mov);
        Assert.Equal(("prores", "4444"), (s.GetProperty("codec_name").GetString(), s.GetProperty("profile").GetString()));
        Assert.StartsWith("yuva444p", s.GetProperty("pix_fmt").GetString());
        Assert.Equal(3, (await MediaProbe.ProbeAsync(mov)).FrameCount);

        var seq = Path.Combine(_dir, "fire-png");
        (code, error) = await Render(Spec(3), seq, "png16", 320, 180);
        Assert.True(code == 0, error);
        var files = Directory.GetFiles(seq, "*.png").Order().ToList();
        Assert.Equal(3, files.Count);
        var png = await File.ReadAllBytesAsync(files[1], TestContext.Current.CancellationToken);
        Assert.Equal(16, png[24]);
        var rgba = DeliveryProbe.Samples16(files[1], "rgba64le");
        Assert.True(rgba.Where((_, i) => i % 4 != 3).Count(v => v % 257 != 0) > rgba.Length / 8, "16-bit precision from the linear frame");

        (code, error) = await Render(Spec(3), Path.Combine(_dir, "x.mp4"), "prores", 320, 180);
        Assert.Equal(CliErrors.BadInput, code);
        Assert.Contains(".mov", error);
    }

    [Fact]
    public async Task The_camera_focus_blurs_the_characters_out_of_focus_in_rendered_frames()
    {
        const int W = 320, H = 180;
        var sharp = Path.Combine(_dir, "sharp");
        var soft = Path.Combine(_dir, "soft");
        var (code, error) = await Render(Spec(1, new CameraMove { Frame = 0 }, "sharp"), sharp, "png16", W, H);
        Assert.True(code == 0, error);
        (code, error) = await Render(Spec(1, new CameraMove { Frame = 0, Focus = 0.0, Aperture = 0.04 }, "soft"), soft, "png16", W, H);
        Assert.True(code == 0, error);
        ushort[] Frame(string dir) => DeliveryProbe.Samples16(Directory.GetFiles(dir, "*.png").Single(), "rgba64le");
        var (a, b) = (Frame(sharp), Frame(soft));
        // Gradient energy over the character's column band (MARA stands at x = 0.35): focused on the far sky, the
        // characters' plane (depth 1) is one depth unit out of focus and loses most of its edges.
        double Energy(ushort[] f, int x0, int x1, int y0, int y1)
        {
            double e = 0;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1 - 1; x++) { double d = (f[(y * W + x + 1) * 4 + 1] - f[(y * W + x) * 4 + 1]) / 65535.0; e += d * d; }
            return e;
        }
        double ea = Energy(a, 70, 160, 40, 145), eb = Energy(b, 70, 160, 40, 145);
        Assert.True(eb < ea * 0.5, $"character band edge energy {ea:F3} in focus vs {eb:F3} out of focus");
        // The sky at depth 0 is in focus in the second render: its top rows match the pinhole render closely.
        double sky = Enumerable.Range(0, W).Average(x => Math.Abs(a[(5 * W + x) * 4] - b[(5 * W + x) * 4]) / 65535.0);
        Assert.True(sky < 0.01, $"sky differs by {sky:F4}");
    }
}
