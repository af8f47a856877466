using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Talos.Tests.Axis;
using Xunit;

namespace Talos.Tests.Flux;

public sealed class MotionInterpolatorTests
{
    static CharacterSpec Character(params PoseKey[] keys) => new() { Name = "A", Rig = "lanky", Keyframes = keys };

    static readonly CharacterSpec Crossing = Character(
        new PoseKey { Frame = 48, Pose = "point", Emotion = "anger", X = 0.8, Facing = -1, Ease = "ease-in-out" },
        new PoseKey { Frame = 0, Pose = "idle", Emotion = "calm", X = 0.2, Facing = 1 },
        new PoseKey { Frame = 24, Pose = "sit", Emotion = "sadness", X = 0.5, Facing = 1, Ease = "linear" });

    [Fact]
    public void Interpolation_hits_the_keys_exactly_at_key_frames()
    {
        foreach (var key in Crossing.Keyframes)
        {
            var s = MotionInterpolator.Evaluate(Crossing, key.Frame, 24);
            Assert.Equal(PoseLibrary.Resolve(Rigs.Lanky, key.Pose, key.Emotion, 0), s.KeyedPose);
            Assert.Equal(key.X, s.X);
            Assert.Equal(key.Facing, s.Facing);
            Assert.InRange(Math.Abs(s.Pose.TorsoLean - s.KeyedPose.TorsoLean), 0, 1.5); // only breathing on top
        }
    }

    [Fact]
    public void Before_the_first_and_after_the_last_key_the_pose_holds()
    {
        var first = MotionInterpolator.Evaluate(Crossing, -10, 24);
        var last = MotionInterpolator.Evaluate(Crossing, 500, 24);
        Assert.Equal(PoseLibrary.Resolve(Rigs.Lanky, "idle", "calm", 0), first.KeyedPose);
        Assert.Equal(0.2, first.X);
        Assert.Equal(PoseLibrary.Resolve(Rigs.Lanky, "point", "anger", 0), last.KeyedPose);
        Assert.Equal(0.8, last.X);
        Assert.Equal(-1, last.Facing);
    }

    [Fact]
    public void Between_keys_the_ease_of_the_later_key_shapes_the_motion()
    {
        var linear = MotionInterpolator.Evaluate(Crossing, 6, 24);      // idle → sit, linear, t = 0.25
        Assert.Equal(0.2 + 0.3 * 0.25, linear.X, 9);
        var eased = MotionInterpolator.Evaluate(Crossing, 30, 24);      // sit → point, ease-in-out, t = 0.25
        Assert.True(eased.X < 0.5 + 0.3 * 0.25);
        var expected = Pose.Lerp(PoseLibrary.Resolve(Rigs.Lanky, "idle", "calm", 0), PoseLibrary.Resolve(Rigs.Lanky, "sit", "sadness", 0), 0.25f);
        Assert.Equal(expected, linear.KeyedPose);
    }

    [Fact]
    public void Hold_stays_at_the_earlier_key_until_the_later_keys_frame()
    {
        var c = Character(new PoseKey { Frame = 0, Pose = "idle", X = 0.1, Facing = 1 },
            new PoseKey { Frame = 20, Pose = "fight", X = 0.9, Facing = -1, Ease = "hold" });
        for (int f = 0; f < 20; f++)
        {
            var s = MotionInterpolator.Evaluate(c, f, 24);
            Assert.Equal(0.1, s.X);
            Assert.Equal(1, s.Facing);
            Assert.Equal(PoseLibrary.Resolve(Rigs.Lanky, "idle", "calm", 0), s.KeyedPose);
        }
        Assert.Equal(0.9, MotionInterpolator.Evaluate(c, 20, 24).X);
        Assert.Equal(-1, MotionInterpolator.Evaluate(c, 20, 24).Facing);
    }

    [Fact]
    public void Facing_switches_at_the_midpoint()
    {
        var c = Character(new PoseKey { Frame = 0, Facing = 1, Ease = "linear" }, new PoseKey { Frame = 10, Facing = -1, Ease = "linear" });
        Assert.Equal(1, MotionInterpolator.Evaluate(c, 4, 24).Facing);
        Assert.Equal(-1, MotionInterpolator.Evaluate(c, 5, 24).Facing);
    }

    [Fact]
    public void A_character_without_keys_idles_in_the_middle_facing_right()
    {
        var s = MotionInterpolator.Evaluate(Character(), 7, 24);
        Assert.Equal(0.5, s.X);
        Assert.Equal(1, s.Facing);
        Assert.Equal(PoseLibrary.Resolve(Rigs.Lanky, "idle", "calm", 0), s.KeyedPose);
    }

    static GrayImage Frame(CharacterSpec c, int frame)
    {
        var s = MotionInterpolator.Evaluate(c, frame, 24);
        return LineArt.Draw(Rigs.Get(c.Rig), s.Pose, s.X, s.Facing, CameraState.Wide, 320, 180).Lines;
    }

    [Fact]
    public void A_walking_character_moves_its_legs_between_frames_while_an_idle_one_only_breathes()
    {
        var walker = Character(new PoseKey { Frame = 0, Pose = "walk", X = 0.5 }, new PoseKey { Frame = 48, Pose = "walk", X = 0.5 });
        var idler = Character(new PoseKey { Frame = 0, Pose = "idle", X = 0.5 }, new PoseKey { Frame = 48, Pose = "idle", X = 0.5 });
        double walk = InkTools.MeanAbsDifference(Frame(walker, 10), Frame(walker, 11));
        double idle = InkTools.MeanAbsDifference(Frame(idler, 10), Frame(idler, 11));
        Assert.True(idle > 0, "idle breathes: consecutive frames are not frozen copies");
        Assert.True(walk > 4 * idle, $"walk changes {walk} per frame, idle {idle}");

        var legs = Enumerable.Range(0, 24).Select(f => MotionInterpolator.Evaluate(walker, f, 24).Pose.UpperLegL).ToList();
        Assert.True(legs.Max() - legs.Min() > 40, "legs swing through a stride within a second of walking");
        var idleLegs = Enumerable.Range(0, 96).Select(f => MotionInterpolator.Evaluate(idler, f, 24).Pose).ToList();
        Assert.True(idleLegs.Max(p => p.TorsoLean) - idleLegs.Min(p => p.TorsoLean) is > 0.5f and < 3f, "breathing is small and periodic");
    }

    [Fact]
    public void Running_cycles_faster_than_walking()
    {
        int Crossings(string pose)
        {
            var c = Character(new PoseKey { Frame = 0, Pose = pose });
            int n = 0;
            float prev = MotionInterpolator.Evaluate(c, 1, 48).Pose.UpperLegL;
            for (int f = 2; f <= 96; f++)
            {
                float v = MotionInterpolator.Evaluate(c, f, 48).Pose.UpperLegL;
                if (Math.Sign(v) != Math.Sign(prev) && v != 0) n++;
                prev = v;
            }
            return n;
        }
        Assert.InRange(Crossings("walk"), 3, 5);   // ~1 stride/s over 2 s: ~4 sign changes
        Assert.InRange(Crossings("run"), 9, 11);   // ~2.5 strides/s: ~10
    }

    [Fact]
    public void Evaluation_is_deterministic()
    {
        var a = MotionInterpolator.Evaluate(Crossing, 33, 24);
        var b = MotionInterpolator.Evaluate(Crossing, 33, 24);
        Assert.Equal(a, b);
    }
}
