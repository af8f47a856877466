using System.Text.Json;
using Talos.Cli.Protoforge;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Gpu.Protoforge;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Protoforge;

/// <summary>
/// <c>talos experiment</c> as a user runs it: a tiny shot of two drawn keys rendered with <c>flux=classic</c> and
/// <c>flux=rife</c> on the embedded cluster (the RIFE model from the cache, as test.sh fetches it). The journal holds both
/// arms with their numbers; the arms' inbetweens differ while the key frames stay the drawn keys in both.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ExperimentTests : IDisposable
{
    readonly string _dir = Repo.TempDir("experiment");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static Task<(int Code, string Error)> Talos(params string[] args) => CliRunner.Run([ExperimentCommand.Create()], args);

    string Spec()
    {
        const int w = 96, h = 54;
        var rig = Rigs.Get("round");
        Directory.CreateDirectory(Path.Combine(_dir, "keys"));
        void Key(string name, string pose, double x) =>
            File.WriteAllBytes(Path.Combine(_dir, "keys", name), KeyImages.WriteInk(LineArt.Draw(rig, PoseLibrary.Resolve(pose, "calm", 0), x, 1, CameraState.Wide, w, h).Lines));
        Key("k0.png", "idle", 0.3);
        Key("k1.png", "gesture", 0.6);
        var spec = new ShotSpec
        {
            Id = "drawn", Fps = 12, Resolution = new Resolution(w, h), DurationSeconds = 1, Background = "dusk",
            Characters = [new CharacterSpec { Name = "ARTIST", Rig = "round", KeyframeImages = [new KeyframeImage(1, "keys/k0.png"), new KeyframeImage(9, "keys/k1.png")] }],
            Camera = [new CameraMove { Frame = 0, Move = "wide" }],
        };
        var path = Path.Combine(_dir, "drawn.json");
        File.WriteAllText(path, ShotSpecJson.Serialize(spec));
        return path;
    }

    [Fact]
    public async Task Classic_against_rife_journals_both_arms_whose_inbetweens_differ_and_keys_do_not()
    {
        var work = Path.Combine(_dir, "work");
        var (code, error) = await Talos("experiment", Spec(), "--a", "flux=classic", "--b", "flux=rife", "--shots", "drawn", "--work-dir", work);
        Assert.True(code == 0, error);

        var journal = Assert.Single(Directory.GetFiles(Path.Combine(work, "experiments"), "*.json"));
        Assert.EndsWith("-flux-classic-vs-rife.json", journal);
        TestContext.Current.TestOutputHelper?.WriteLine(File.ReadAllText(journal));
        using var doc = JsonDocument.Parse(File.ReadAllText(journal));
        var root = doc.RootElement;
        Assert.Equal("flux", root.GetProperty("key").GetString());
        var arms = root.GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal(["classic", "rife"], arms.Select(a => a.GetProperty("value").GetString()));
        Assert.NotEqual(arms[0].GetProperty("production").GetString(), arms[1].GetProperty("production").GetString());
        foreach (var arm in arms)
        {
            Assert.True(arm.GetProperty("seconds").GetDouble() > 0);
            var shot = Assert.Single(arm.GetProperty("shots").EnumerateArray().ToList());
            Assert.Equal(("drawn", 12), (shot.GetProperty("shot").GetString(), shot.GetProperty("frames").GetInt32()));
            Assert.Contains(shot.GetProperty("echo").GetString(), new[] { "pass", "flagged" });
            Assert.True(shot.GetProperty("findings").GetArrayLength() >= 0 && shot.GetProperty("revisions").GetInt32() >= 0);
            Assert.InRange(shot.GetProperty("meanFrameStep").GetDouble(), 0.01, 255);
            Assert.True(shot.GetProperty("maxFrameStep").GetDouble() >= shot.GetProperty("meanFrameStep").GetDouble());
        }
        var compared = Assert.Single(root.GetProperty("comparison").EnumerateArray().ToList());
        Assert.Equal([1, 9], compared.GetProperty("keyFrames").EnumerateArray().Select(k => k.GetInt32()));
        // The inbetweens (frames 2..8) are the methods' own drawings; the keys and the holds around them are the drawn keys.
        Assert.Equal(0, compared.GetProperty("keyFramesDiffering").GetInt32());
        Assert.InRange(compared.GetProperty("framesDiffering").GetInt32(), 1, 7);
        Assert.True(compared.GetProperty("meanDifference").GetDouble() > 0);
    }

    /// <summary>upscale=1 against upscale=2 on the tiny shot (96×54; arm B drawn at 48×28 and upscaled by Real-CUGAN): every
    /// frame differs, and arm B is scored against arm A as its reference (PSNR, SSIM).</summary>
    [Fact]
    public async Task Upscale_1_against_2_scores_the_upscaled_arm_against_the_native_one()
    {
        NpmFetcher.Ensure(ModelRegistry.RealCugan);
        var work = Path.Combine(_dir, "work");
        var (code, error) = await Talos("experiment", Spec(), "--a", "upscale=1", "--b", "upscale=2", "--work-dir", work);
        Assert.True(code == 0, error);
        var journal = Assert.Single(Directory.GetFiles(Path.Combine(work, "experiments"), "*.json"));
        Assert.EndsWith("-upscale-1-vs-2.json", journal);
        TestContext.Current.TestOutputHelper?.WriteLine(File.ReadAllText(journal));
        using var doc = JsonDocument.Parse(File.ReadAllText(journal));
        var arms = doc.RootElement.GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal(["1", "2"], arms.Select(a => a.GetProperty("value").GetString()));
        Assert.All(arms, a => Assert.Equal("pass", Assert.Single(a.GetProperty("shots").EnumerateArray().ToList()).GetProperty("echo").GetString()));
        var compared = Assert.Single(doc.RootElement.GetProperty("comparison").EnumerateArray().ToList());
        Assert.Equal(12, compared.GetProperty("framesDiffering").GetInt32());
        // A render from a quarter of the pixels is close to the native one but not the same: tens of dB, SSIM below 1.
        Assert.InRange(compared.GetProperty("psnr").GetDouble(), 20, 60);
        Assert.InRange(compared.GetProperty("minPsnr").GetDouble(), 15, compared.GetProperty("psnr").GetDouble());
        Assert.InRange(compared.GetProperty("ssim").GetDouble(), 0.5, 0.9999);
    }

    [Theory]
    [InlineData("flux=classic", "fluxrife", "must be KEY=VALUE")]
    [InlineData("flux=classic", "speed=fast", "unknown key 'speed'")]
    [InlineData("flux=classic", "flux=dain", "unknown flux 'dain'; expected one of classic, rife")]
    [InlineData("flux=rife", "flux=rife", "nothing to compare")]
    [InlineData("upscale=1", "upscale=3", "unknown upscale '3'; expected one of 1, 2")]
    [InlineData("upscale=1", "flux=rife", "an experiment varies one key")]
    public async Task Bad_arms_are_one_clear_error(string a, string b, string message)
    {
        var (code, error) = await Talos("experiment", Spec(), "--a", a, "--b", b, "--work-dir", Path.Combine(_dir, "work"));
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    /// <summary>The real program with an empty model cache: a render or an experiment asking for RIFE or for Real-CUGAN
    /// (upscale 2) stops before anything starts.</summary>
    [Theory]
    [InlineData("rife", "render", "--flux", "rife", "--out", "film.mp4")]
    [InlineData("rife", "experiment", "--a", "flux=classic", "--b", "flux=rife")]
    [InlineData("realcugan", "render", "--upscale", "2", "--out", "film.mp4")]
    [InlineData("realcugan", "experiment", "--a", "upscale=1", "--b", "upscale=2")]
    public async Task A_model_not_fetched_is_one_clear_error_before_anything_renders(string model, string command, params string[] args)
    {
        var work = Path.Combine(_dir, "work");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir };
        foreach (var a in (string[])[Path.Combine(Repo.Root, "Talos.Cli", "bin", "Release", "net10.0", "talos.dll"), command, Spec(), .. args, "--work-dir", work]) psi.ArgumentList.Add(a);
        psi.Environment["TALOS_MODELS"] = Directory.CreateDirectory(Path.Combine(_dir, "no-models")).FullName;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var (stdout, stderr) = (p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, p.ExitCode);
        var title = model == "rife" ? "the RIFE model" : "the Real-CUGAN model";
        Assert.Equal($"error: {title} is not fetched (no {Path.Combine(_dir, "no-models")}/{ModelRegistry.Get(model).CacheFileName}): run `talos models fetch {model}` first", (await stderr).Trim());
        Assert.False(Directory.Exists(work), "the cluster started before the model was checked");
        await stdout;
    }

    [Fact]
    public async Task An_unknown_shot_is_named()
    {
        var (code, error) = await Talos("experiment", Spec(), "--a", "flux=classic", "--b", "flux=rife", "--shots", "drawn,nope", "--work-dir", Path.Combine(_dir, "work"));
        Assert.Equal(2, code);
        Assert.Contains("no shot 'nope'", error);
    }
}
