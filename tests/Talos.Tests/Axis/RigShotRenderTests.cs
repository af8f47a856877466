using Talos.Actors.Hosting;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Axis;

/// <summary>
/// The two example rig files through every stage on the embedded cluster: a cast file (written here) puts FOX in
/// examples/rigs/fox (four legs and a tail, vector parts) and TIN in examples/rigs/tin (PNG cut-outs), each with a cast
/// palette no background or light makes (a magenta fox, a cyan robot). The fox walks across the frame (its IK gait), the
/// robot turns joyful and then speaks a line (scratch voice, lip-synced). The delivered frames are looked at: the cast's
/// colours where the characters stand, the fox moving right, the robot's face changing in its mouth while it speaks and
/// nowhere else, and ECHO passing the shot. Frames go to /tmp/rig-shot-*.png for eyes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RigShotRenderTests(ITestOutputHelper output) : IDisposable
{
    const int W = 320, H = 180, Fps = 12, Frames = 30, LineStart = 12;
    const double FoxFrom = 0.24, FoxTo = 0.52, TinX = 0.84;
    readonly string _dir = Repo.TempDir("rig-shot");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>The cast: both example rig directories copied beside cast.json (a cast's paths stay inside its folder).</summary>
    string WriteCast()
    {
        var dir = Path.Combine(_dir, "cast");
        foreach (var rig in new[] { "fox", "tin" })
        {
            var to = Path.Combine(dir, rig);
            Directory.CreateDirectory(to);
            foreach (var f in Directory.GetFiles(Path.Combine(Repo.Root, "examples", "rigs", rig))) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
        var path = Path.Combine(dir, Cast.FileName);
        File.WriteAllText(path, """
            {
              "characters": {
                "FOX": { "rig": "fox/fox.rig.json", "palette": { "fur": "#e010e0", "fur-far": "#a010a0" } },
                "Tin": { "rig": "tin/tin.rig.json", "palette": { "tin": "#10d8e8", "tin-far": "#10a0b0" }, "voice": "m3:40" }
              }
            }
            """);
        return path;
    }

    static ShotSpec Shot(params DialogueLine[] dialogue) => new()
    {
        Id = "fox-and-tin", Production = "rigs", Fps = Fps, Resolution = new Resolution(W, H), Frames = new FrameRange(0, Frames - 1),
        Background = "studio", Lighting = "noon",
        Characters =
        [
            new CharacterSpec { Name = "FOX", Keyframes = [
                new PoseKey { Frame = 0, Pose = "walk", X = FoxFrom, Ease = "linear" },
                new PoseKey { Frame = Frames - 1, Pose = "walk", X = FoxTo, Ease = "linear" }] },
            new CharacterSpec { Name = "TIN", Keyframes = [
                new PoseKey { Frame = 0, Pose = "idle", Emotion = "calm", X = TinX, Facing = -1 },
                new PoseKey { Frame = 6, Pose = "idle", Emotion = "joy", X = TinX, Facing = -1 }] },
        ],
        Camera = [new CameraMove { Frame = 0, Move = "wide" }],
        Dialogue = dialogue,
    };

    static bool Magenta(byte[] f, int i) => f[i] > 120 && f[i + 2] > 120 && f[i + 1] < f[i] / 2 && f[i + 1] < f[i + 2] / 2;
    static bool Cyan(byte[] f, int i) => f[i + 1] > 120 && f[i + 2] > 120 && f[i] < f[i + 1] / 2 && f[i] < f[i + 2] / 2;

    /// <summary>How many pixels pass <paramref name="test"/> and their mean x (frame widths).</summary>
    static (int Count, double X) Where(byte[] f, Func<byte[], int, bool> test)
    {
        int n = 0;
        double sx = 0;
        for (int p = 0; p < W * H; p++)
            if (test(f, 3 * p)) { n++; sx += p % W; }
        return (n, n == 0 ? double.NaN : (sx / n + 0.5) / W);
    }

    /// <summary>Mean absolute difference (0..1) of two frames inside (or outside) a box, within <paramref name="area"/>.</summary>
    static double Diff(byte[] a, byte[] b, (int X0, int Y0, int X1, int Y1) area, (int X0, int Y0, int X1, int Y1) box, bool inside)
    {
        double sum = 0;
        int n = 0;
        for (int y = area.Y0; y <= area.Y1; y++)
            for (int x = area.X0; x <= area.X1; x++)
            {
                if ((x >= box.X0 && x <= box.X1 && y >= box.Y0 && y <= box.Y1) != inside) continue;
                int i = 3 * (y * W + x);
                for (int c = 0; c < 3; c++) sum += Math.Abs(a[i + c] - b[i + c]) / 255.0;
                n += 3;
            }
        return n == 0 ? 0 : sum / n;
    }

    static (int, int, int, int) Grow((int X0, int Y0, int X1, int Y1) b, int m) =>
        (Math.Max(0, b.X0 - m), Math.Max(0, b.Y0 - m), Math.Min(W - 1, b.X1 + m), Math.Min(H - 1, b.Y1 + m));

    [Fact]
    public async Task A_fox_walks_and_a_cut_out_robot_acts_and_speaks_in_a_rendered_shot()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cast = Cast.Load(WriteCast());
        var talking = cast.ApplyTo([Shot(new DialogueLine("TIN", "Maybe we can go back home.", LineStart, Frames - 1))], "the test shot")[0];
        var quiet = cast.ApplyTo([Shot()], "the test shot")[0];
        Assert.All(talking.Characters, c => Assert.True(Identifiers.IsHashName(c.Rig), $"{c.Name} is not in a rig file: {c.Rig}"));
        var assets = cast.Assets.ToDictionary(a => a.Name, a => a.Bytes);

        // Where the robot's drawing changes with the line (its mouth), from AXIS's own drawings with and without it.
        using var lips = new ShotLipSync(talking, n => assets.GetValueOrDefault(n));
        using var drawn = new ShotDrawing(talking, lips, n => assets.GetValueOrDefault(n));
        using var silent = new ShotDrawing(quiet, null, n => assets.GetValueOrDefault(n));
        var speaking = Enumerable.Range(0, Frames).Where(f => lips.MouthAt(1, f) is { } m && m != MouthShape.X).ToList();
        Assert.True(speaking.Count >= 6, $"only {speaking.Count} speaking frames");
        var mouth = Grow(speaking.Select(f => InkTools.DiffBox([drawn.Rig(1, f).Lines, silent.Rig(1, f).Lines])).Where(b => b.X1 >= 0)
            .Aggregate((a, b) => (Math.Min(a.X0, b.X0), Math.Min(a.Y0, b.Y0), Math.Max(a.X1, b.X1), Math.Max(a.Y1, b.Y1))), 3);
        // The robot's head and shoulders: its drawing's box above its hips (the mouth box grown to a face).
        var tin = InkTools.DiffBox([new GrayImage(W, H), drawn.Rig(1, LineStart).Lines]);
        var face = Grow((tin.X0, tin.Y0, tin.X1, (mouth.Item2 + mouth.Item4) / 2 + (mouth.Item4 - mouth.Item2) * 2), 2);
        Assert.InRange(mouth.Item3 - mouth.Item1, 2, W / 10);

        await using var node = await TalosNode.StartAsync(new TalosNodeOptions
        {
            WorkDir = Path.Combine(_dir, "work"), SerializeMessages = true,
            Render = new RenderSettingsOptions { ChunkFrames = 10, ChunkSlots = 2, MinBackoff = TimeSpan.FromMilliseconds(50) },
        });
        foreach (var a in cast.Assets) node.Vault.PutAsset(a.Name, a.Bytes, a.Kind);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(talking))).ShotKeys[0];
        var view = await ShotLifecycleTests.WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(4));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        var frames = System.Text.Json.JsonSerializer.Deserialize<List<string>>(node.Vault.Get(view.FramesHash!))!
            .Select(h => FrameCodec.DecodeRgb24(node.Vault.Get(h))).ToList();
        Assert.Equal(Frames, frames.Count);
        Assert.All(frames, f => Assert.Equal((W, H), (f.width, f.height)));
        var rgb = frames.Select(f => f.rgb).ToList();
        for (int f = 0; f < Frames; f++)
            FrameGrab.SavePng(rgb[f], W, H, Path.Combine(Path.GetTempPath(), $"rig-shot-{f:00}.png"));
        Assert.True(view.QualityPassed == true, $"ECHO flagged the shot: {System.Text.Encoding.UTF8.GetString(node.Vault.Get(view.ReportHash!))}");

        // The cast's colours where the characters stand; the fox walks right, the robot stays.
        var foxAt = rgb.Select(f => Where(f, Magenta)).ToList();
        var tinAt = rgb.Select(f => Where(f, Cyan)).ToList();
        long perFrame = W * H / 200;
        for (int f = 0; f < Frames; f++)
        {
            Assert.True(foxAt[f].Count > perFrame, $"frame {f}: {foxAt[f].Count} magenta (fox) pixels");
            Assert.True(tinAt[f].Count > perFrame, $"frame {f}: {tinAt[f].Count} cyan (robot) pixels");
            Assert.InRange(tinAt[f].X, TinX - 0.06, TinX + 0.06);
            Assert.InRange(foxAt[f].X, FoxFrom - 0.1 + (FoxTo - FoxFrom) * f / (Frames - 1), FoxFrom + 0.1 + (FoxTo - FoxFrom) * f / (Frames - 1));
        }
        double travelled = (foxAt[^1].X - foxAt[0].X) * W;
        output.WriteLine($"fox: {foxAt[0].X:F3} → {foxAt[^1].X:F3} of the width ({travelled:F1} px); robot at {tinAt[0].X:F3}; mouth box {mouth}, face {face}");
        Assert.InRange(travelled, (FoxTo - FoxFrom) * W * 0.8, (FoxTo - FoxFrom) * W * 1.2);

        // The emotion acts: the robot's face at joy (frame LineStart, before its first cue) is not its calm face of frame 0.
        Assert.True(Diff(rgb[0], rgb[LineStart - 1], face, mouth, inside: false) > 2e-3, "the robot's face did not change from calm to joy");
        // While it speaks its face changes in the mouth and nowhere else (against the joyful rest just before the line).
        var rest = rgb[LineStart - 1];
        int moved = 0;
        for (int f = LineStart; f < Frames; f++)
        {
            double inside = Diff(rgb[f], rest, face, mouth, inside: true), elsewhere = Diff(rgb[f], rest, face, mouth, inside: false);
            output.WriteLine($"frame {f,2}: cue {lips.MouthAt(1, f)?.ToString() ?? "-"}  mouth {inside:F5}  rest of the face {elsewhere:F6}");
            Assert.True(elsewhere < 1e-3, $"frame {f}: the robot's face changed outside its mouth ({elsewhere:F5})");
            if (speaking.Contains(f) && inside > 2e-3) moved++;
        }
        Assert.True(moved >= speaking.Count * 0.6, $"the mouth changed on only {moved} of {speaking.Count} speaking frames");
        output.WriteLine($"rendered and checked in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
