using Talos.Gpu.Cuttura;
using Talos.Gpu.Processes;
using Xunit;
using static Talos.Tests.Cuttura.CutturaTestMedia;

namespace Talos.Tests.Cuttura;

public sealed class Yuv420Tests
{
    [Theory]
    // BT.709 limited range: Y = 16 + 219·(0.2126 R + 0.7152 G + 0.0722 B)/255, Cb = 128 + 224·(B − Y')/(1.8556·255), Cr = 128 + 224·(R − Y')/(1.5748·255)
    [InlineData(0, 0, 0, 16, 128, 128)]
    [InlineData(255, 255, 255, 235, 128, 128)]
    [InlineData(128, 128, 128, 126, 128, 128)]
    [InlineData(255, 0, 0, 63, 102, 240)]
    [InlineData(0, 255, 0, 173, 42, 26)]
    [InlineData(0, 0, 255, 32, 240, 118)]
    [InlineData(255, 255, 0, 219, 16, 138)]
    public void Known_colours_take_their_bt709_limited_range_codes(int r, int g, int b, int y, int cb, int cr)
    {
        Assert.Equal(y, Yuv420.Luma(r, g, b));
        Assert.Equal((cb, cr), ((int)Yuv420.Chroma(4 * r, 4 * g, 4 * b).Cb, (int)Yuv420.Chroma(4 * r, 4 * g, 4 * b).Cr));
        // a solid 2×2 frame through the whole converter (both paths)
        var rgb = Solid(2, 2, (byte)r, (byte)g, (byte)b);
        foreach (bool vector in new[] { true, false })
        {
            var yuv = new byte[Yuv420.FrameBytes(2, 2)];
            Yuv420.FromRgb24(rgb, 2, 2, yuv, vector);
            Assert.Equal(new byte[] { (byte)y, (byte)y, (byte)y, (byte)y, (byte)cb, (byte)cr }, yuv);
        }
    }

    [Fact]
    public void Every_code_is_within_half_a_step_of_the_real_valued_formula()
    {
        var rng = new Random(7);
        for (int i = 0; i < 20000; i++)
        {
            int r = rng.Next(256), g = rng.Next(256), b = rng.Next(256);
            double luma = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
            Assert.InRange(Yuv420.Luma(r, g, b) - (16 + 219 * luma), -0.51, 0.51);
            var (cb, cr) = Yuv420.Chroma(4 * r, 4 * g, 4 * b);
            Assert.InRange(cb - (128 + 224 * (b / 255.0 - luma) / 1.8556), -0.51, 0.51);
            Assert.InRange(cr - (128 + 224 * (r / 255.0 - luma) / 1.5748), -0.51, 0.51);
        }
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(70, 6)]       // a 16-pixel vector loop and a scalar tail of 6
    [InlineData(1280, 720)]   // several bands on the thread pool
    public void The_vector_path_gives_the_scalar_paths_bytes(int w, int h)
    {
        var rgb = new byte[w * h * 3];
        new Random(w * 31 + h).NextBytes(rgb);
        var (a, b) = (new byte[Yuv420.FrameBytes(w, h)], new byte[Yuv420.FrameBytes(w, h)]);
        Yuv420.FromRgb24(rgb, w, h, a, vector: true);
        Yuv420.FromRgb24(rgb, w, h, b, vector: false);
        Assert.True(a.AsSpan().SequenceEqual(b));
        // spot-check the layout against the per-pixel definition: Y plane, then Cb, then Cr
        int x = w - 2, y = h - 2, cw = w / 2;
        int P(int xx, int yy, int c) => rgb[(yy * w + xx) * 3 + c];
        Assert.Equal(Yuv420.Luma(P(x + 1, y + 1, 0), P(x + 1, y + 1, 1), P(x + 1, y + 1, 2)), a[(y + 1) * w + x + 1]);
        int S(int c) => P(x, y, c) + P(x + 1, y, c) + P(x, y + 1, c) + P(x + 1, y + 1, c);
        var (u, v) = Yuv420.Chroma(S(0), S(1), S(2));
        Assert.Equal(u, a[w * h + (y / 2) * cw + x / 2]);
        Assert.Equal(v, a[w * h + cw * (h / 2) + (y / 2) * cw + x / 2]);
    }

    [Fact]
    public void Odd_sizes_and_short_buffers_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Yuv420.FromRgb24(new byte[3 * 3 * 2], 3, 2, new byte[9]));
        Assert.Throws<ArgumentException>(() => Yuv420.FromRgb24(new byte[4 * 2 * 3 - 1], 4, 2, new byte[12]));
        Assert.Throws<ArgumentException>(() => Yuv420.FromRgb24(new byte[4 * 2 * 3], 4, 2, new byte[11]));
    }

    [Fact]
    public async Task The_encoded_film_carries_the_converters_planes_and_says_its_chroma_is_centre_sited()
    {
        // a still frame of smooth colour: x264 at CRF 20 keeps it within a few codes of the planes handed to it
        const int W = 64, H = 48;
        var rgb = new byte[W * H * 3];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                (rgb[(y * W + x) * 3], rgb[(y * W + x) * 3 + 1], rgb[(y * W + x) * 3 + 2]) = ((byte)(x * 4), (byte)(y * 5), (byte)(200 - x - y));
        var dir = Path.Combine(Path.GetTempPath(), "talos-yuv-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var mp4 = Path.Combine(dir, "still.mp4");
            await VideoEncoder.EncodeH264Async(Enumerable.Repeat(rgb, 3), W, H, 24, mp4, ct: TestContext.Current.CancellationToken);
            var ffmpeg = FfmpegTools.EnsureAvailable();
            using var ms = new MemoryStream();
            ProcessRunner.Run(ffmpeg, ["-v", "error", "-i", mp4, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"], stdout: ms);
            var decoded = ms.ToArray();
            Assert.Equal(3 * Yuv420.FrameBytes(W, H), decoded.Length);
            var want = new byte[Yuv420.FrameBytes(W, H)];
            Yuv420.FromRgb24(rgb, W, H, want);
            double err = 0;
            for (int i = 0; i < want.Length; i++) err += Math.Abs(want[i] - decoded[i]);
            Assert.True(err / want.Length < 1.5, $"mean difference {err / want.Length:0.00} codes");
            var probe = ProcessRunner.Run(Path.Combine(Path.GetDirectoryName(ffmpeg)!, "ffprobe"), ["-v", "error", "-show_entries", "stream=chroma_location,color_range,color_space", "-of", "compact", mp4]);
            Assert.Contains("chroma_location=center", probe.Output);
            Assert.Contains("color_range=tv", probe.Output);
            Assert.Contains("color_space=bt709", probe.Output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
