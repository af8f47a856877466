using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Talos.Gpu.Echo;
using Talos.Gpu.Prism.Boards;
using Talos.Gpu.Protoforge;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Protoforge;

/// <summary>ResNet-18 fetched once per machine from its NuGet package by the project's own code, and loaded as ECHO's deep features.</summary>
public sealed class ResNetFixture : IDisposable
{
    public DeepFeatures Model { get; }

    public ResNetFixture()
    {
        NpmFetcher.Ensure(ModelRegistry.ResNet18);
        Model = DeepFeatures.Load(threads: 2);
    }

    public void Dispose() => Model.Dispose();
}

public sealed class DeepFeaturesTests(ResNetFixture fx, ITestOutputHelper output) : IClassFixture<ResNetFixture>
{
    const int W = 256, H = 144;

    /// <summary>A frame of the sample shot as the render stages draw it (characters, fills, background, light), 8-bit sRGB.</summary>
    static byte[] Frame(int frame, string rig = "lanky", string pose = "walk")
    {
        var spec = Samples.Shot(width: W, height: H, effects: false);
        spec = spec with { Characters = [spec.Characters[0] with { Rig = rig, Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.3 }, new PoseKey { Frame = 23, Pose = pose, X = 0.6 }] }, spec.Characters[1]] };
        var f = Storyboard.RenderFrame(spec, frame);
        Assert.Equal((W, H), (f.Width, f.Height));
        return f.Data;
    }

    /// <summary>A box blur of radius <paramref name="r"/> (edges clamped).</summary>
    static byte[] Blur(byte[] rgb, int r)
    {
        var o = new byte[rgb.Length];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < 3; c++)
                {
                    int s = 0, n = 0;
                    for (int dy = -r; dy <= r; dy++)
                        for (int dx = -r; dx <= r; dx++, n++)
                            s += rgb[3 * (Math.Clamp(y + dy, 0, H - 1) * W + Math.Clamp(x + dx, 0, W - 1)) + c];
                    o[3 * (y * W + x) + c] = (byte)((s + n / 2) / n);
                }
        return o;
    }

    /// <summary>The frame moved right by <paramref name="d"/> pixels (the left edge repeated).</summary>
    static byte[] Shift(byte[] rgb, int d)
    {
        var o = new byte[rgb.Length];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < 3; c++) o[3 * (y * W + x) + c] = rgb[3 * (y * W + Math.Max(0, x - d)) + c];
        return o;
    }

    [Fact]
    public void The_distance_is_zero_for_identical_frames_and_grows_with_blur_and_shift()
    {
        var frame = Frame(12);
        var f = fx.Model.Extract(frame, W, H);
        Assert.Equal(0, DeepFeatures.Distance(f, fx.Model.Extract(frame.ToArray(), W, H)));
        var blur = new[] { 1, 2, 3, 5 }.Select(r => DeepFeatures.Distance(f, fx.Model.Extract(Blur(frame, r), W, H))).ToList();
        var shift = new[] { 1, 2, 4, 8 }.Select(d => DeepFeatures.Distance(f, fx.Model.Extract(Shift(frame, d), W, H))).ToList();
        output.WriteLine($"blur r=1,2,3,5: {string.Join(", ", blur.Select(v => v.ToString("F4")))}; shift 1,2,4,8 px: {string.Join(", ", shift.Select(v => v.ToString("F4")))}");
        for (int i = 1; i < blur.Count; i++) Assert.True(blur[i] > blur[i - 1], $"blur {i}: {blur[i]} ≤ {blur[i - 1]}");
        for (int i = 1; i < shift.Count; i++) Assert.True(shift[i] > shift[i - 1], $"shift {i}: {shift[i]} ≤ {shift[i - 1]}");
        Assert.True(blur[0] > 0 && shift[0] > 0);
    }

    [Fact]
    public void Another_drawing_scores_far_more_than_one_level_of_noise()
    {
        var frame = Frame(23); // the last key: MARA walks (or, in the other drawing, points)
        var rng = new Random(16);
        var noisy = frame.Select(v => (byte)Math.Clamp(v + rng.Next(-1, 2), 0, 255)).ToArray();
        var f = fx.Model.Extract(frame, W, H);
        double noise = DeepFeatures.Distance(f, fx.Model.Extract(noisy, W, H));
        double otherPose = DeepFeatures.Distance(f, fx.Model.Extract(Frame(23, pose: "point"), W, H));
        double otherRig = DeepFeatures.Distance(f, fx.Model.Extract(Frame(23, rig: "round"), W, H));
        output.WriteLine($"1-level noise {noise:F5}; other pose {otherPose:F4}; other rig {otherRig:F4}");
        string Stages(byte[] o) => string.Join(", ", DeepFeatures.StageDistances(f, fx.Model.Extract(o, W, H)).Select(v => v.ToString("F5")));
        output.WriteLine($"per stage: noise {Stages(noisy)}; other pose {Stages(Frame(23, pose: "point"))}; blur 1 {Stages(Blur(frame, 1))}; shift 1 {Stages(Shift(frame, 1))}");
        Assert.True(noise > 0);
        // measured: noise 0.0055, other pose 0.053 (9.6×), other rig 0.100 (18×)
        Assert.True(otherPose > 5 * noise, $"other pose {otherPose} vs noise {noise}");
        Assert.True(otherRig > 5 * noise, $"other rig {otherRig} vs noise {noise}");
    }

    /// <summary>
    /// The converted model's original output equals what the package's own two models (ResNetPreprocess.onnx, then
    /// ResNet18.onnx, unmodified, straight from the cached .nupkg) give on the same frame: the added outputs and the
    /// preprocessing moved inside change nothing.
    /// </summary>
    [Fact]
    public void The_features_match_the_packages_unmodified_model_on_its_final_layer()
    {
        var frame = Frame(6);
        var nupkg = File.ReadAllBytes(NpmFetcher.EnsureTarball(ModelRegistry.ResNet18));
        byte[] Read(string p) => NpmFetcher.Extract(nupkg, ModelRegistry.ResNet18, p);
        var levels = frame.Select(b => (float)b).ToArray();
        var input = new DenseTensor<float>(DeepFeatures.Resize(levels, W, H, DeepFeatures.InputSize), [1, 3, 224, 224]);
        float[] Run(byte[] model, string inName, DenseTensor<float> x)
        {
            using var s = new InferenceSession(model);
            using var r = s.Run([NamedOnnxValue.CreateFromTensor(inName, x)]);
            return r.First().AsTensor<float>().ToArray();
        }
        var pre = Run(Read(ModelRegistry.ResNetPreprocessPath), "OriginalInput", input);
        var original = Run(Read(ModelRegistry.ResNetModelPath), "Input247", new DenseTensor<float>(pre, [1, 3, 224, 224]));
        var ours = fx.Model.Extract(frame, W, H).Pooled;
        Assert.Equal(512, original.Length);
        Assert.Equal(original.Length, ours.Length);
        double maxDiff = original.Zip(ours, (a, b) => Math.Abs(a - b)).Max(), scale = original.Max(Math.Abs);
        output.WriteLine($"final layer: largest |difference| {maxDiff:G3} of values up to {scale:F3}");
        Assert.True(scale > 0.1, "the features are all but zero");
        Assert.True(maxDiff <= 1e-5 * scale, $"largest difference {maxDiff}");
        // and the conversion gives the pinned bytes again from the same package
        Assert.Equal(ModelRegistry.ResNet18.FileSha256, NpmFetcher.Sha256(ModelRegistry.ConvertResNet18(Read(ModelRegistry.ResNetModelPath), Read(ModelRegistry.ResNetPreprocessPath))));
    }

    [Fact]
    public void A_missing_or_corrupt_model_is_one_clear_warning_and_no_features()
    {
        var dir = Repo.TempDir("resnet");
        try
        {
            var warnings = new List<string>();
            Assert.Null(DeepFeatures.TryLoad(warnings.Add, dir));
            var line = Assert.Single(warnings);
            Assert.Contains("run `talos models fetch resnet18` first", line);
            File.WriteAllBytes(Path.Combine(dir, ModelRegistry.ResNet18.CacheFileName), [1, 2, 3]);
            var e = Assert.Throws<ProtoforgeException>(() => DeepFeatures.Load(dir));
            Assert.Contains("is corrupt", e.Message);
            var bad = Assert.Throws<ProtoforgeException>(() => ModelRegistry.ConvertResNet18([0x0a, 0x05, 1, 2], [1]));
            Assert.Contains("ResNet", bad.Message);
            Assert.Throws<ArgumentException>(() => fx.Model.Extract(new byte[10], 4, 4));
        }
        finally { Directory.Delete(dir, true); }
    }
}
