using Talos.Gpu.Axis;
using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>A shot with a dialogue line drawn the way FLUX draws its frames: the speaker's mouth follows the line's audio.</summary>
public sealed class LipSyncRenderTests(ITestOutputHelper output)
{
    const int Fps = 24, W = 640, H = 360;

    static ShotSpec Shot(params DialogueLine[] dialogue) => new()
    {
        Id = "talk", Fps = Fps, Resolution = new Resolution(W, H), DurationSeconds = 4,
        Characters =
        [
            new CharacterSpec { Name = "Mara", Rig = "lanky", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.4 }, new PoseKey { Frame = 95, Pose = "gesture", Emotion = "joy", X = 0.45 }] },
            new CharacterSpec { Name = "Teo", Rig = "round", Keyframes = [new PoseKey { Frame = 0, Pose = "idle", X = 0.7, Facing = -1 }] },
        ],
        Camera = [new CameraMove { Frame = 0, Move = "close", Zoom = 1.6 }],
        Dialogue = dialogue,
    };

    [Fact]
    public void The_speaker_mouth_changes_with_the_cues_while_the_line_sounds_and_rests_outside_it()
    {
        var spec = Shot(new DialogueLine("MARA", "Maybe we can go back home now.", 20, 70));
        var silent = Shot();
        using var lips = new ShotLipSync(spec, _ => null);
        using var talking = new ShotDrawing(spec, lips);
        using var quiet = new ShotDrawing(silent);
        var track = lips.Track(0);
        double lineSeconds = track.Duration;
        int lastLineFrame = 20 + (int)Math.Ceiling(lineSeconds * Fps);
        var cues = new Dictionary<MouthShape, int>();
        int speaking = 0;
        var strip = new List<GrayImage>();
        for (int f = 0; f < spec.FrameCount; f++)
        {
            var a = talking.Rig(0, f).Lines;
            var b = quiet.Rig(0, f).Lines;
            var mouth = lips.MouthAt(0, f);
            Assert.Null(lips.MouthAt(1, f)); // Teo does not speak
            Assert.Equal(quiet.Rig(1, f).Lines.Data, talking.Rig(1, f).Lines.Data);
            if (f < 20 || f > lastLineFrame) Assert.Null(mouth);
            if (mouth is null or MouthShape.X)
            {
                Assert.Equal(b.Data, a.Data); // at rest: the pose's own mouth, the very drawing of a shot without dialogue
                continue;
            }
            speaking++;
            cues[mouth.Value] = cues.GetValueOrDefault(mouth.Value) + 1;
            // a speaking frame is the silent frame with only the mouth swapped: differences inside a mouth-sized box
            var (x0, y0, x1, y1) = Talos.Tests.Axis.InkTools.DiffBox([a, b]);
            Assert.True(x1 >= 0, $"frame {f}: cue {mouth} drew the rest mouth");
            Assert.InRange(x1 - x0, 2, W / 12);
            Assert.InRange(y1 - y0, 1, H / 12);
            // the mouth is exactly the cue's drawing on that frame: a swap, not a blend of two shapes
            var state = MotionInterpolator.Evaluate(spec.Characters[0], f, Fps);
            Assert.Equal(LineArt.Draw(Rigs.Get("lanky"), state.Pose, state.X, state.Facing, CameraPath.At(spec.Camera, f), W, H, mouth).Lines.Data, a.Data);
            if (strip.Count < 12 && (strip.Count == 0 || mouth != lips.MouthAt(0, f - 1))) strip.Add(Crop(a, x0, y0));
        }
        output.WriteLine($"line {lineSeconds:0.00} s from frame 20: {speaking} speaking frames, cues {string.Join(", ", cues.Select(kv => $"{kv.Key}×{kv.Value}"))}");
        Assert.True(cues.Count >= 4, $"only {cues.Count} different mouths while speaking");
        Assert.True(speaking >= lineSeconds * Fps * 0.6, $"the mouth moves on only {speaking} frames of a {lineSeconds:0.00} s line");
        Assert.True(cues.ContainsKey(MouthShape.A), "'Maybe' starts with closed lips");
        var png = Path.Combine(Repo.TempDir("lipsync-frames"), "speaking-mouths.png");
        File.WriteAllBytes(png, KeyImages.WriteInk(Row(strip)));
        output.WriteLine($"mouth strip: {png}");
    }

    static GrayImage Crop(GrayImage g, int x0, int y0)
    {
        var c = new GrayImage(160, 120);
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 160; x++)
                c[x, y] = g[Math.Clamp(x0 - 20 + x / 2, 0, W - 1), Math.Clamp(y0 - 40 + y / 2, 0, H - 1)];
        return c;
    }

    static GrayImage Row(List<GrayImage> cells)
    {
        var row = new GrayImage(Math.Max(1, cells.Count) * 164, 120);
        for (int k = 0; k < cells.Count; k++)
            for (int y = 0; y < 120; y++)
                for (int x = 0; x < 160; x++) row[k * 164 + x, y] = cells[k][x, y];
        return row;
    }
}
