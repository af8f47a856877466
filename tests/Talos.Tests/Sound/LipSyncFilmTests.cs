using Talos.Cli.Render;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Flux;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Cuttura;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>
/// Mouths in the finished film, through every stage: <c>talos render</c> the same close-up twice on the embedded
/// cluster as lossless 16-bit PNG sequences, once with a line of dialogue and once without. Inside the speaker's mouth
/// box the two films differ on the frames whose cue is a speaking mouth and agree where the mouth rests; outside the
/// box they agree everywhere (the line changes the mouth and nothing else).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LipSyncFilmTests(ITestOutputHelper output) : IDisposable
{
    const int Fps = 24, W = 320, H = 180, First = 6;
    readonly string _dir = Repo.TempDir("lipsync-film");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static ShotSpec Shot(params DialogueLine[] dialogue) => new()
    {
        Id = "closeup", Fps = Fps, Resolution = new Resolution(W, H), Frames = new FrameRange(0, 47), Delivery = "png16",
        Characters = [new CharacterSpec { Name = "MARA", Rig = "lanky", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.5 }] }],
        Camera = [new CameraMove { Frame = 0, Move = "close", Zoom = 1.6 }],
        Dialogue = dialogue,
    };

    async Task<List<ushort[]>> Render(ShotSpec spec, string name)
    {
        var json = Path.Combine(_dir, name + ".json");
        File.WriteAllText(json, ShotSpecJson.Serialize(spec));
        var seq = Path.Combine(_dir, name);
        var (code, error) = await CliRunner.Run([RenderCommand.Create()], ["render", json, "--out", seq, "--work-dir", Path.Combine(_dir, "work")]);
        Assert.True(code == 0, error);
        return Directory.GetFiles(seq, "*.png").Order().Select(f => DeliveryProbe.Samples16(f, "rgba64le")).ToList();
    }

    [Fact]
    public async Task The_rendered_film_moves_the_speaker_mouth_with_the_line_and_nothing_else()
    {
        var talking = Shot(new DialogueLine("MARA", "Maybe we can go back home.", First, 47));
        using var lips = new ShotLipSync(talking, _ => null);
        using var drawn = new ShotDrawing(talking, lips);
        using var quiet = new ShotDrawing(Shot());
        var speaking = Enumerable.Range(0, talking.FrameCount).Where(f => lips.MouthAt(0, f) is { } m && m != MouthShape.X).ToList();
        Assert.True(speaking.Count >= 12, $"only {speaking.Count} speaking frames");
        // The mouth box: where the drawings with and without the line differ on any speaking frame, grown by a margin
        // for the line weight, CHROMA's fill and ANIMA's antialiasing.
        var (x0, y0, x1, y1) = speaking.Select(f => Talos.Tests.Axis.InkTools.DiffBox([drawn.Rig(0, f).Lines, quiet.Rig(0, f).Lines]))
            .Where(b => b.X1 >= 0).Aggregate((a, b) => (Math.Min(a.X0, b.X0), Math.Min(a.Y0, b.Y0), Math.Max(a.X1, b.X1), Math.Max(a.Y1, b.Y1)));
        (x0, y0, x1, y1) = (Math.Max(0, x0 - 4), Math.Max(0, y0 - 4), Math.Min(W - 1, x1 + 4), Math.Min(H - 1, y1 + 4));
        Assert.InRange(x1 - x0, 4, W / 6);

        var withLine = await Render(talking, "talking");
        var without = await Render(Shot(), "quiet");
        Assert.Equal(talking.FrameCount, withLine.Count);
        Assert.Equal(withLine.Count, without.Count);

        double Diff(ushort[] a, ushort[] b, bool inside)
        {
            double sum = 0;
            int n = 0;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    if ((x >= x0 && x <= x1 && y >= y0 && y <= y1) != inside) continue;
                    int i = (y * W + x) * 4;
                    for (int c = 0; c < 3; c++) sum += Math.Abs(a[i + c] - b[i + c]) / 65535.0;
                    n += 3;
                }
            return sum / n;
        }

        int moved = 0;
        for (int f = 0; f < withLine.Count; f++)
        {
            double inside = Diff(withLine[f], without[f], inside: true), outside = Diff(withLine[f], without[f], inside: false);
            var cue = lips.MouthAt(0, f);
            output.WriteLine($"frame {f,2}: cue {cue?.ToString() ?? "-"}  mouth box {inside:F5}  elsewhere {outside:F6}");
            Assert.True(outside < 1e-3, $"frame {f}: the line changed the film outside the mouth ({outside:F5})");
            bool nearSpeech = speaking.Any(s => Math.Abs(s - f) <= 1); // motion blur may carry a mouth one frame on
            if (!nearSpeech) Assert.True(inside < 1e-3, $"frame {f}: the mouth rests (cue {cue}) but the film differs there ({inside:F5})");
            if (speaking.Contains(f) && inside > 2e-3) moved++;
        }
        Assert.True(moved >= speaking.Count * 0.8, $"the mouth differs from the silent film on only {moved} of {speaking.Count} speaking frames");
        FrameGrab.SavePng(ToRgb8(withLine[speaking[speaking.Count / 2]]), W, H, Path.Combine(Repo.TempDir("lipsync-frames"), "film-speaking.png"));
    }

    static byte[] ToRgb8(ushort[] rgba)
    {
        var rgb = new byte[rgba.Length / 4 * 3];
        for (int i = 0, j = 0; i < rgba.Length; i += 4, j += 3)
            for (int c = 0; c < 3; c++) rgb[j + c] = (byte)(rgba[i + c] >> 8);
        return rgb;
    }
}
