using Talos.Gpu.Axis;
using Xunit;

namespace Talos.Tests.Axis;

public sealed class RigAndPoseTests
{
    [Theory]
    [InlineData("lanky", "skin,hair,shirt,trousers,shoes,eyes")]
    [InlineData("stocky", "skin,hair,coat,trousers,boots,eyes")]
    [InlineData("round", "skin,hair,dress,shoes,eyes")]
    public void Each_rig_has_its_regions_with_distinct_colours(string name, string regions)
    {
        var rig = Rigs.Get(name);
        Assert.Equal(name, rig.Name);
        Assert.Equal(regions.Split(','), rig.DefaultPalette.Keys);
        Assert.Equal(rig.DefaultPalette.Count, rig.DefaultPalette.Values.Distinct().Count());
        Assert.All(rig.DefaultPalette.Values, c => Assert.True(c.R is >= 0 and <= 1 && c.G is >= 0 and <= 1 && c.B is >= 0 and <= 1));
        foreach (var part in new[] { "body", "armR", "legR", "footR", "skull", "hair" })
            Assert.Contains(rig.RegionOf(part)!, rig.DefaultPalette.Keys);
    }

    [Fact]
    public void Rig_names_are_the_three_built_in_rigs()
    {
        Assert.Equal(["lanky", "stocky", "round"], Rigs.Names);
        Assert.All(Rigs.Names, n => Assert.Equal(n, Rigs.Get(n).Name));
    }

    [Fact]
    public void Unknown_rig_throws_naming_it_and_the_known_rigs()
    {
        var e = Assert.Throws<ArgumentException>(() => Rigs.Get("skinny"));
        Assert.Contains("'skinny'", e.Message);
        Assert.Contains("lanky, stocky, round", e.Message);
    }

    [Fact]
    public void Unknown_pose_or_emotion_throws_naming_it_and_the_known_ones()
    {
        var p = Assert.Throws<ArgumentException>(() => PoseLibrary.Resolve("dance", "calm", 0));
        Assert.Contains("'dance'", p.Message);
        Assert.Contains("idle, walk, run, point, wave, sit, gesture, fall, fight", p.Message);
        var e = Assert.Throws<ArgumentException>(() => PoseLibrary.Resolve("idle", "bored", 0));
        Assert.Contains("'bored'", e.Message);
        Assert.Contains("calm, joy, anger, fear, sadness, surprise", e.Message);
    }

    [Fact]
    public void Every_pose_and_emotion_draws_for_every_rig()
    {
        foreach (var rig in Rigs.Names)
            foreach (var pose in PoseLibrary.Poses)
                foreach (var emotion in PoseLibrary.Emotions)
                {
                    var d = InkTools.Draw(rig, pose, emotion, w: 160, h: 90);
                    Assert.Contains(d.Lines.Data, v => v > 0.5f);
                }
    }

    [Fact]
    public void Emotions_bend_the_body_and_set_the_face()
    {
        Pose R(string pose, string emotion) => PoseLibrary.Resolve(pose, emotion, 0);
        var calm = R("idle", "calm");
        Assert.True(R("idle", "sadness").HeadTilt > calm.HeadTilt + 10 && R("idle", "sadness").ShoulderLift < calm.ShoulderLift, "sadness droops head and shoulders");
        Assert.True(R("idle", "sadness").MouthCurve < 0);
        Assert.True(R("idle", "joy").HeadTilt < calm.HeadTilt && R("idle", "joy").MouthCurve > 0.5f, "joy lifts the head and smiles");
        Assert.True(R("idle", "fear").TorsoLean < calm.TorsoLean && R("idle", "fear").UpperArmL > calm.UpperArmL + 30, "fear leans back and raises the arms");
        Assert.True(R("idle", "anger").TorsoLean > calm.TorsoLean && R("idle", "anger").BrowAngle > 10, "anger leans in with lowered brows");
        Assert.True(R("idle", "surprise").BrowRaise > 0.5f && R("idle", "surprise").MouthOpen > 0.5f, "surprise raises brows and opens the mouth");
        Assert.Equal(R("wave", "calm").UpperArmR, R("wave", "joy").UpperArmR); // the waving arm keeps waving

        // a built-in rig shows it through its controls and drawings: sadness bows the head bone and swaps brows and mouth
        foreach (var rig in Rigs.Names.Select(Rigs.Get))
        {
            var sad = PoseLibrary.Resolve(rig, "idle", "sadness", 0);
            Assert.Equal(("sadness", "sadness"), (sad.Drawings!["brows"], sad.Drawings["mouth"]));
            float HeadAngle(Pose p)
            {
                var d = Talos.Gpu.Axis.Rigging.RigArt.Pose(rig.Body, p, 0f).Direction[rig.Body.BoneIndex("head")];
                return MathF.Atan2(d.Y, d.X) * 180f / MathF.PI;
            }
            float bow = HeadAngle(PoseLibrary.Resolve(rig, "idle", "calm", 0)) - HeadAngle(sad);
            Assert.True(Math.Abs(bow - (sad.TorsoLean + sad.HeadTilt)) < 0.01f && bow > 20, $"{rig.Name}: the head bows {bow}° forward");
        }
    }

    [Fact]
    public void Variants_are_small_deterministic_changes()
    {
        var v0 = PoseLibrary.Resolve("gesture", "calm", 0);
        var v3 = PoseLibrary.Resolve("gesture", "calm", 3);
        Assert.NotEqual(v0, v3);
        Assert.Equal(v3, PoseLibrary.Resolve("gesture", "calm", 3));
        Assert.InRange(Math.Abs(v3.UpperArmR - v0.UpperArmR), 0, 6);
    }

    [Fact]
    public void Lerp_hits_both_ends_and_interpolates_angles_in_between()
    {
        var a = PoseLibrary.Resolve("idle", "calm", 0);
        var b = PoseLibrary.Resolve("run", "joy", 0);
        Assert.Equal(a, Pose.Lerp(a, b, 0));
        Assert.Equal(b, Pose.Lerp(a, b, 1));
        var mid = Pose.Lerp(a, b, 0.5f);
        Assert.Equal((a.UpperLegL + b.UpperLegL) / 2, mid.UpperLegL, 4);
        Assert.Equal((a.MouthOpen + b.MouthOpen) / 2, mid.MouthOpen, 4);
        Assert.Equal((a.TorsoLean + b.TorsoLean) / 2, mid.TorsoLean, 4);
    }
}
