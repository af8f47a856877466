using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Prism;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>`talos visualize --style characters`'s plan: the three rigs take a new pose on every beat of the track.</summary>
public sealed class DancePlannerTests
{
    [Fact]
    public void Every_beat_is_a_new_pose_for_every_dancer_and_the_shots_are_valid()
    {
        var t = SyntheticMusic.Make(new MusicRecipe { Name = "dance", Bpm = 112, Seconds = 10, Seed = 82 });
        var music = MusicFeatures.Analyse(AudioDecoder.DecodeMono(AudioDecoder.ToWav16(t.Audio), BeatTracker.SampleRate, "dance"), 24);
        var shots = DancePlanner.Shots(music, 320, 180, "dance");
        Assert.Equal(2, shots.Count); // 8 s + 2 s
        Assert.Equal(music.Frames, shots.Sum(s => s.FrameCount));
        int offset = 0;
        foreach (var s in shots)
        {
            ShotSpecJson.Parse(ShotSpecJson.Serialize(s));
            Assert.Equal(["lanky", "stocky", "round"], s.Characters.Select(c => c.Rig));
            var beats = music.BeatFrames.Where(f => f > offset && f < offset + s.FrameCount).Select(f => f - offset).ToArray();
            Assert.NotEmpty(beats);
            foreach (var c in s.Characters)
            {
                Assert.Equal(beats, c.Keyframes.Where(k => k.Frame > 0).Select(k => k.Frame));
                // consecutive keys differ in pose: each beat is a visible move
                Assert.All(c.Keyframes.Zip(c.Keyframes.Skip(1)), p => Assert.NotEqual(p.Item1.Pose, p.Item2.Pose));
            }
            offset += s.FrameCount;
        }
        Assert.Equal(ShotSpecJson.SerializeMany(shots), ShotSpecJson.SerializeMany(DancePlanner.Shots(music, 320, 180, "dance")));
    }
}
