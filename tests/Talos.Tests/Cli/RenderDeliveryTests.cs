using Talos.Actors.Cuttura;
using Talos.Actors.Prism;
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

    string Spec(int frames)
    {
        var spec = new ShotSpec
        {
            Id = "fire", Fps = 12, Frames = new FrameRange(0, frames - 1), Background = "dusk", Lighting = "sunset",
            Characters = [new CharacterSpec { Name = "MARA", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.35 }] }],
            Effects = [new EffectSpec { Type = "fire", X = 0.65, Y = 0.8, Strength = 2 }],
        };
        var path = Path.Combine(_dir, "fire.json");
        File.WriteAllText(path, ShotSpecJson.Serialize(spec));
        return path;
    }

    async Task<(int Code, string Error)> Render(string input, string output, string delivery, int w, int h)
    {
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            int code = await CliErrors.Guard(() => RenderCommand.RunAsync(
                new RenderCommand.RenderRequest(input, output, w, h, null, null, null, Path.Combine(_dir, "work")) { Delivery = delivery },
                CancellationToken.None));
            return (code, err.ToString());
        }
        finally { Console.SetError(old); }
    }

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
}
