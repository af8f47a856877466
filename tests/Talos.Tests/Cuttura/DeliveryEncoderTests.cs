using Talos.Gpu.Cuttura;
using Talos.Gpu.Anima;
using Talos.Gpu.Imaging;
using Xunit;
using static Talos.Tests.Cuttura.DeliveryProbe;

namespace Talos.Tests.Cuttura;

/// <summary>HDR10, ProRes 4444 and 16-bit PNG deliveries from linear-light frames, checked by ffprobe and by decoding.</summary>
public sealed class DeliveryEncoderTests : IDisposable
{
    const int W = 64, H = 48;
    readonly string _dir = Path.Combine(Path.GetTempPath(), "talos-delivery-tests", Guid.NewGuid().ToString("N"));

    public DeliveryEncoderTests() { FfmpegTools.EnsureAvailable(); Directory.CreateDirectory(_dir); }
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>A horizontal grey ramp 0…0.9 (SDR range) with a highlight square at 6× SDR white and a transparent right strip.</summary>
    static RgbaImage Frame(int k)
    {
        var img = new RgbaImage(W, H);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int p = y * W + x;
                float v = 0.9f * x / (W - 1), a = x >= W - 8 ? 0f : 1f;
                if (x >= 8 + k && x < 24 + k && y >= 16 && y < 32) v = 6f;
                img.R[p] = v * a; img.G[p] = v * a; img.B[p] = v * a; img.A[p] = a;
            }
        return img;
    }

    static IEnumerable<RgbaImage> Frames(int n) => Enumerable.Range(0, n).Select(Frame);

    [Fact]
    public void Pq_round_trips_and_puts_sdr_white_near_code_520()
    {
        foreach (float nits in new[] { 0.01f, 1f, 100f, 203f, 1000f, 10000f })
            Assert.Equal(nits, DeliveryPixels.PqDecode(DeliveryPixels.PqEncode(nits)), nits * 1e-3f);
        Assert.InRange(DeliveryPixels.PqEncode(100f) * 1023f, 518f, 522f);
        Assert.InRange(DeliveryPixels.PqEncode(1000f) * 1023f, 767f, 771f);
    }

    [Fact]
    public void Ffmpeg_queues_at_most_64_MiB_of_raw_frames_from_the_pipe_at_least_one_at_most_its_default_8()
    {
        Assert.Equal(1, VideoEncoder.InputQueue(3840 * 2160 * 6));     // 4K HDR10 rgb48le: 50 MB a frame
        Assert.Equal(1, VideoEncoder.InputQueue(3840 * 2160 * 8));     // 4K ProRes rgba64le: 66 MB, still one
        Assert.Equal(5, VideoEncoder.InputQueue(3840 * 2160 * 3 / 2)); // 4K sdr yuv420p: 12.4 MB
        Assert.Equal(8, VideoEncoder.InputQueue(1280 * 720 * 3 / 2));  // the README film: ffmpeg's default
        Assert.Equal(8, VideoEncoder.InputQueue(W * H * 6));
        Assert.True(VideoEncoder.InputQueue(1920 * 1080 * 6) * 1920 * 1080 * 6 <= VideoEncoder.InputQueueBytes);
    }

    [Fact]
    public async Task Hdr10_is_hevc_main10_bt2020_pq_with_mastering_metadata_and_highlights_above_sdr_white()
    {
        var mp4 = Path.Combine(_dir, "hdr.mp4");
        await DeliveryEncoder.EncodeAsync("hdr10", Frames(6), W, H, 24, mp4, ct: TestContext.Current.CancellationToken);
        var s = Stream(mp4);
        Assert.Equal("hevc", s.GetProperty("codec_name").GetString());
        Assert.Equal("Main 10", s.GetProperty("profile").GetString());
        Assert.Equal("yuv420p10le", s.GetProperty("pix_fmt").GetString());
        Assert.Equal("smpte2084", s.GetProperty("color_transfer").GetString());
        Assert.Equal("bt2020", s.GetProperty("color_primaries").GetString());
        Assert.Equal("bt2020nc", s.GetProperty("color_space").GetString());
        var side = FirstFrameSideData(mp4);
        var md = Assert.Single(side, d => d.GetProperty("side_data_type").GetString() == "Mastering display metadata");
        Assert.Equal("10000000/10000", md.GetProperty("max_luminance").GetString());
        var cll = Assert.Single(side, d => d.GetProperty("side_data_type").GetString() == "Content light level metadata");
        Assert.Equal(DeliveryEncoder.MaxCll, cll.GetProperty("max_content").GetInt32());

        // The highlight square (6× SDR white = 600 nits) decodes far above the PQ code of SDR white; the ramp stays below it.
        var y = Samples16(mp4, "yuv420p10le", 2);
        double Luma(int x0, int y0, int x1, int y1) =>
            Enumerable.Range(y0, y1 - y0).SelectMany(yy => Enumerable.Range(x0, x1 - x0).Select(xx => (double)y[yy * W + xx])).Average();
        double white = PqLuma10(DeliveryPixels.SdrWhiteNits);
        Assert.InRange(Luma(12, 20, 24, 28), PqLuma10(500), PqLuma10(700));
        Assert.True(Luma(12, 20, 24, 28) > white + 100, $"highlight {Luma(12, 20, 24, 28)} vs SDR white {white}");
        Assert.True(Luma(40, 2, 52, 12) < white, "the SDR ramp stays under SDR white");
        Assert.InRange(Luma(0, 0, 2, 12), 60, PqLuma10(0.5)); // black is black
    }

    [Fact]
    public async Task Prores_is_4444_with_alpha_that_survives_decoding()
    {
        var mov = Path.Combine(_dir, "alpha.mov");
        await DeliveryEncoder.EncodeAsync("prores", Frames(4), W, H, 24, mov, ct: TestContext.Current.CancellationToken);
        var s = Stream(mov);
        Assert.Equal("prores", s.GetProperty("codec_name").GetString());
        Assert.Equal("4444", s.GetProperty("profile").GetString());
        Assert.StartsWith("yuva444p", s.GetProperty("pix_fmt").GetString());
        var rgba = Samples16(mov, "rgba64le", 1);
        Assert.True(rgba[(20 * W + 60) * 4 + 3] < 1000, "transparent strip");
        Assert.True(rgba[(20 * W + 40) * 4 + 3] > 64500, "opaque ramp");
        Assert.True(rgba[(20 * W + 14) * 4] > 64000, "the highlight clips to white in SDR");
    }

    [Fact]
    public async Task Png16_writes_a_sequence_of_16_bit_rgba_pngs_with_real_16_bit_precision()
    {
        var dir = Path.Combine(_dir, "seq");
        await DeliveryEncoder.EncodeAsync("png16", Frames(3), W, H, 24, dir, ct: TestContext.Current.CancellationToken);
        var files = Directory.GetFiles(dir).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["frame_000000.png", "frame_000001.png", "frame_000002.png"], files);
        var png = await File.ReadAllBytesAsync(Path.Combine(dir, files[1]!), TestContext.Current.CancellationToken);
        Assert.Equal((16, 6), (png[24], png[25])); // IHDR: bit depth 16, colour type RGBA
        var rgba = Samples16(Path.Combine(dir, files[1]!), "rgba64le");
        var ramp = Enumerable.Range(0, 56).Select(x => rgba[(4 * W + x) * 4]).ToList();
        Assert.Equal(ramp.Order(), ramp);                                   // the ramp rises
        Assert.True(ramp.Count(v => v % 257 != 0) > 40, "16-bit values, not 8-bit ones scaled up");
        Assert.Equal(0, rgba[(4 * W + 60) * 4 + 3]);                        // straight alpha: the strip is transparent
        Assert.Throws<CutturaException>(() => DeliveryEncoder.EncodeAsync("png16", Frames(1), W, H, 24, dir, audioPath: "/x.wav").GetAwaiter().GetResult());
    }
}
