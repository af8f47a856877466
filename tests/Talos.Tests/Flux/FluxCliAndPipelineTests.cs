using System.CommandLine;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Cli.Flux;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary><c>talos flow</c> and <c>talos inbetween</c> as a user runs them, and drawn keys through the whole pipeline.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FluxCliAndPipelineTests : IDisposable
{
    readonly string _dir = Repo.TempDir("flux");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static Task<(int Code, string Error)> Talos(params string[] args) => CliRunner.Run([FluxCommands.Flow(), FluxCommands.Inbetween()], args);

    (string A, string B) Keys(int w = 160, int h = 90)
    {
        var rig = Rigs.Get("stocky");
        var pose = PoseLibrary.Resolve("walk", "calm", 0);
        string a = Path.Combine(_dir, "a.png"), b = Path.Combine(_dir, "b.png");
        File.WriteAllBytes(a, KeyImages.WriteInk(LineArt.Draw(rig, pose, 0.4, 1, CameraState.Wide, w, h).Lines));
        File.WriteAllBytes(b, KeyImages.WriteInk(LineArt.Draw(rig, pose, 0.5, 1, CameraState.Wide, w, h).Lines));
        return (a, b);
    }

    [Fact]
    public async Task Flow_writes_a_flo_file_that_reads_back_with_the_motion()
    {
        var (a, b) = Keys();
        var flo = Path.Combine(_dir, "out", "f.flo");
        var (code, error) = await Talos("flow", a, b, "--out", flo);
        Assert.True(code == 0, error);
        var f = FlowField.FromFlo(File.ReadAllBytes(flo));
        Assert.Equal((160, 90), (f.Width, f.Height));
        var ink = KeyImages.ReadInk(File.ReadAllBytes(a), a);
        var onLines = Enumerable.Range(0, f.U.Length).Where(i => ink.Data[i] > 0.5f).ToList();
        Assert.InRange(onLines.Average(i => f.U[i]), 15.0, 17.0); // 0.1 of 160 pixels
        Assert.InRange(onLines.Average(i => Math.Abs(f.V[i])), 0.0, 0.5);
    }

    [Fact]
    public async Task Inbetween_writes_one_middle_or_a_numbered_sequence()
    {
        var (a, b) = Keys();
        var mid = Path.Combine(_dir, "m.png");
        var (code, error) = await Talos("inbetween", a, b, "--t", "0.5", "--out", mid);
        Assert.True(code == 0, error);
        var m = KeyImages.ReadInk(File.ReadAllBytes(mid), mid);
        var truth = LineArt.Draw(Rigs.Get("stocky"), PoseLibrary.Resolve("walk", "calm", 0), 0.45, 1, CameraState.Wide, 160, 90).Lines;
        var (ka, kb) = (KeyImages.ReadInk(File.ReadAllBytes(a), a), KeyImages.ReadInk(File.ReadAllBytes(b), b));
        Assert.True(ImageInbetweenTests.Psnr(m, truth) > ImageInbetweenTests.Psnr(ImageInbetweenTests.CrossFade(ka, kb, 0.5), truth) + 3);

        var dir = Path.Combine(_dir, "seq");
        (code, error) = await Talos("inbetween", a, b, "--count", "3", "--out", dir);
        Assert.True(code == 0, error);
        Assert.Equal(["inbetween_001.png", "inbetween_002.png", "inbetween_003.png"], Directory.GetFiles(dir).Select(p => Path.GetFileName(p)!).Order().ToArray());
    }

    [Fact]
    public async Task Bad_input_is_refused_with_one_clear_line_and_exit_2()
    {
        var (a, _) = Keys();
        var junk = Path.Combine(_dir, "junk.png");
        File.WriteAllText(junk, "this is not a png");
        var small = Path.Combine(_dir, "small.png");
        File.WriteAllBytes(small, KeyImages.WriteInk(new GrayImage(20, 10)));

        var (code, error) = await Talos("inbetween", a, junk, "--t", "0.5", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("junk.png", error);
        Assert.Contains("not a readable PNG", error);
        Assert.Single(error.Trim().Split('\n'));

        (code, error) = await Talos("flow", a, small, "--out", Path.Combine(_dir, "x.flo"));
        Assert.Equal(2, code);
        Assert.Contains("same size", error);
        (code, error) = await Talos("flow", a, Path.Combine(_dir, "missing.png"), "--out", Path.Combine(_dir, "x.flo"));
        Assert.Equal(2, code);
        Assert.Contains("no such file", error);
        (code, error) = await Talos("inbetween", a, a, "--t", "1.5", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(2, code);
        (code, error) = await Talos("inbetween", a, a, "--t", "0.5", "--count", "3", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(2, code);
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }

    [Fact]
    public async Task A_shot_with_artists_keyframe_pngs_renders_with_inbetweened_frames()
    {
        const int w = 96, h = 54;
        var rig = Rigs.Get("round");
        byte[] Key(string pose, double x) => KeyImages.WriteInk(LineArt.Draw(rig, PoseLibrary.Resolve(pose, "calm", 0), x, 1, CameraState.Wide, w, h).Lines);
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = _dir, SerializeMessages = true,
            Render = new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) },
        });
        node.Vault.PutAsset("keys/k0.png", Key("idle", 0.3), "keyframe-image");
        node.Vault.PutAsset("keys/k1.png", Key("gesture", 0.6), "keyframe-image");
        var spec = new ShotSpec
        {
            Id = "drawn", Production = "flux", Fps = 12, Resolution = new Resolution(w, h), DurationSeconds = 1,
            Background = "dusk", Lighting = "key-left",
            Characters = [new CharacterSpec { Name = "ARTIST", Rig = "round", KeyframeImages = [new KeyframeImage(1, "keys/k0.png"), new KeyframeImage(9, "keys/k1.png")] }],
            Camera = [new CameraMove { Frame = 0, Move = "wide" }],
        };
        var accepted = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(spec)));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        ShotView view;
        while (true)
        {
            var answer = await node.AskHephaestus<object>(new GetShot(accepted.ShotKeys[0]));
            if (answer is ShotView v && ShotStatus.IsTerminal(v.Status)) { view = v; break; }
            Assert.True(DateTime.UtcNow < until, $"shot did not finish: {answer}");
            await Task.Delay(100);
        }
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        var frames = System.Text.Json.JsonSerializer.Deserialize<List<string>>(node.Vault.Get(view.FramesHash!))!;
        Assert.Equal(12, frames.Count);
        Assert.All(frames, f => Assert.True(node.Vault.Contains(f)));
        // Held before the first key and after the last; every inbetween (frames 2..8) a new drawing.
        Assert.Equal(frames[0], frames[1]);
        Assert.Equal(frames[9], frames[11]);
        Assert.Equal(7, frames.Skip(2).Take(7).Distinct().Count());
        Assert.DoesNotContain(frames[1], frames.Skip(2).Take(7));
        Assert.DoesNotContain(frames[9], frames.Skip(2).Take(7));
    }
}
