using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Flux;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>--music as a pure function over the specs: cuts snap to beats within ±4 frames; beats pulse the camera and burst the effects.</summary>
public sealed class MusicCutTests
{
    const int Fps = 24;

    static ShotSpec Shot(string id, int frames, params EffectSpec[] effects) => new()
    {
        Id = id, Fps = Fps, Frames = new FrameRange(0, frames - 1), Effects = effects,
        Camera = [new CameraMove { Frame = 0, Move = "dolly", Zoom = 1.0 }, new CameraMove { Frame = frames - 1, Move = "dolly", Zoom = 1.3 }],
    };

    /// <summary>Music at 24 fps with beats every half second from 0.5 s (frames 12, 24, …) and a steady low band.</summary>
    static MusicFrames Beats(double seconds, double period = 0.5)
    {
        var beats = Enumerable.Range(1, (int)(seconds / period) - 1).Select(i => i * period).ToArray();
        int frames = (int)(seconds * Fps);
        var analysis = new BeatAnalysis(60 / period, beats, beats.Where((_, i) => i % 4 == 0).ToArray(), 4);
        var level = Enumerable.Repeat(0.5f, frames).ToArray();
        return new MusicFrames(Fps, analysis, beats.Select(b => (int)Math.Round(b * Fps)).ToArray(), [], level, level, level, level);
    }

    [Fact]
    public void Cuts_move_to_the_nearest_beat_within_four_frames_and_no_further()
    {
        // cut 1 at 27: beat 24 is 3 frames back. Cut 2 at 24+40=64: beat 60 is 4 back. Cut 3 at 60+30=90: beats 84 and 96
        // are 6 away, out of reach, so it stays. The last shot's end is no cut.
        var shots = new[] { Shot("a", 27), Shot("b", 40), Shot("c", 30), Shot("d", 20) };
        var snapped = MusicCut.SnapCuts(shots, Beats(10).Beats.Beats);
        Assert.Equal([24, 36, 30, 20], snapped.Select(s => s.FrameCount));
        var cuts = snapped.Select(s => s.FrameCount).Take(3).Aggregate(new List<int>(), (acc, n) => { acc.Add((acc.LastOrDefault()) + n); return acc; });
        Assert.Equal([24, 60, 90], cuts);
        // a shortened shot's camera still ends on its final framing, on its new last frame
        Assert.Equal(23, snapped[0].Camera[^1].Frame);
        Assert.Equal(1.3, snapped[0].Camera[^1].Zoom);

        // a shot is not shortened past a line it holds: the cut goes forward to the beat instead, if one is in reach
        var talky = Shot("t", 29) with { Dialogue = [new DialogueLine("A", "Hello there", 0, 27)] };
        Assert.Equal(29, MusicCut.SnapCuts([talky, Shot("u", 10)], [1.0, 1.5])[0].FrameCount); // 24 is past the line, 36 is 7 away: unchanged
        Assert.Equal(30, MusicCut.SnapCuts([talky, Shot("u", 10)], [1.0, 1.25])[0].FrameCount);
        // the result is still a valid spec
        foreach (var s in snapped) ShotSpecJson.Parse(ShotSpecJson.Serialize(s));
    }

    [Fact]
    public void A_beat_frame_zooms_in_past_its_neighbours_and_bursts_the_effects()
    {
        var fire = new EffectSpec { Type = "fire", X = 0.5, Y = 0.8, StartFrame = 0, Strength = 1.2 };
        var shot = Shot("a", 48, fire);
        var driven = MusicCut.Apply([shot], Beats(4)).Single();
        foreach (var beat in new[] { 12, 24, 36 })
        {
            double z = CameraPath.At(driven.Camera, beat).Zoom;
            Assert.True(z > CameraPath.At(driven.Camera, beat - 1).Zoom * 1.015 && z > CameraPath.At(driven.Camera, beat + 1).Zoom * 1.005,
                $"zoom at {beat - 1}, {beat}, {beat + 1}: {CameraPath.At(driven.Camera, beat - 1).Zoom:0.000} {z:0.000} {CameraPath.At(driven.Camera, beat + 1).Zoom:0.000}");
            // the dolly underneath is kept: off the beats the zoom is the original path's
            Assert.Equal(CameraPath.At(shot.Camera, beat - 1).Zoom, CameraPath.At(driven.Camera, beat - 1).Zoom, 5);
            Assert.Contains(driven.Effects, e => e.Type == "fire" && e.StartFrame == beat && e.EndFrame == beat + 1 && e.Strength > 1.0);
        }
        Assert.Equal(CameraPath.At(shot.Camera, 47).Zoom, CameraPath.At(driven.Camera, 47).Zoom, 5);
        Assert.DoesNotContain(driven.Effects.Skip(1), e => e.StartFrame is not (12 or 24 or 36));
        ShotSpecJson.Parse(ShotSpecJson.Serialize(driven));
        Assert.Equal(ShotSpecJson.Serialize(driven), ShotSpecJson.Serialize(MusicCut.Apply([shot], Beats(4)).Single())); // a pure function
    }

    [Fact]
    public async Task Bad_music_for_render_is_one_clear_error_before_anything_renders()
    {
        var dir = Directory.CreateTempSubdirectory("talos-music-bad-");
        try
        {
            var bad = Path.Combine(dir.FullName, "track.ogg");
            File.WriteAllText(bad, "OggS but not really");
            var spec = Talos.Tests.Prism.PrismPaths.Repo("examples", "storm-over-brick.json");
            var work = Path.Combine(dir.FullName, "w");
            var (code, err) = await Support.CliRunner.Run([Talos.Cli.Render.RenderCommand.Create()], "render", Path.GetFullPath(spec),
                "--music", bad, "--out", Path.Combine(dir.FullName, "f.mp4"), "--work-dir", work, "--width", "64", "--height", "36");
            Assert.Equal(Talos.Cli.CliErrors.BadInput, code);
            Assert.Contains("track.ogg", err);
            Assert.Single(err.Trim().Split('\n'));
            Assert.False(Directory.Exists(work)); // refused before a cluster started
        }
        finally { dir.Delete(true); }
    }
}
