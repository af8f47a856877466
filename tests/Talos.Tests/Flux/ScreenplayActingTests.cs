using Talos.Gpu.Prism;
using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Messages.Specs;
using Xunit;

namespace Talos.Tests.Flux;

/// <summary>What the screenplay implies is what the characters act: poses from action, emotions from parentheticals.</summary>
public sealed class ScreenplayActingTests
{
    const string Screenplay = """
        EXT. HARBOUR - DAY

        TEO waves at a distant ship.

        MARA
        (laughing)
        They see us!

        MARA
        (sobbing)
        But he is not on it.

        TEO
        Next time, then.
        """;

    static (CharacterSpec Character, ShotSpec Shot) Find(IReadOnlyList<ShotSpec> shots, string name, Func<ShotSpec, bool> which)
    {
        var shot = shots.First(s => which(s) && s.Characters.Any(c => c.Name == name));
        return (shot.Characters.Single(c => c.Name == name), shot);
    }

    [Fact]
    public void A_character_who_waves_raises_an_arm_and_emotions_show_in_face_and_posture()
    {
        var path = Path.Combine(Path.GetTempPath(), $"acting-{Guid.NewGuid():N}.fountain");
        File.WriteAllText(path, Screenplay);
        IReadOnlyList<ShotSpec> shots;
        try { shots = InputLoader.Load(path, new RenderSettings(320, 180, 12)); }
        finally { File.Delete(path); }
        var (teo, waveShot) = Find(shots, "TEO", s => s.Characters.Any(c => c.Name == "TEO" && c.Keyframes.Any(k => k.Pose == "wave")));
        var waving = MotionInterpolator.Evaluate(teo, waveShot.FrameCount / 2, waveShot.Fps);
        var rig = Rigs.Get(teo.Rig);
        var posed = Talos.Gpu.Axis.Rigging.RigArt.Pose(rig.Body, waving.Pose, 0f);
        float Tip(string bone) => posed.Tip[rig.Body.BoneIndex(bone)].Y;
        Assert.True(Math.Max(Tip("forearmL"), Tip("forearmR")) > Tip("torso"), "a waving hand is above the shoulders");

        var (happy, happyShot) = Find(shots, "MARA", s => s.Dialogue.Any(d => d.Text.StartsWith("They see us")));
        var (sad, sadShot) = Find(shots, "MARA", s => s.Dialogue.Any(d => d.Text.StartsWith("But he")));
        var joy = MotionInterpolator.Evaluate(happy, 0, happyShot.Fps).Pose;
        var grief = MotionInterpolator.Evaluate(sad, 0, sadShot.Fps).Pose;
        Assert.True(joy.MouthCurve > 0.3f, $"laughing smiles (mouth curve {joy.MouthCurve})");
        Assert.True(grief.MouthCurve < -0.3f, $"sobbing frowns (mouth curve {grief.MouthCurve})");
        Assert.True(grief.HeadTilt > joy.HeadTilt + 10, "sobbing bows the head");
        Assert.True(grief.ShoulderLift < joy.ShoulderLift, "sobbing drops the shoulders");
        Assert.Equal(("joy", "joy"), (joy.Drawings!["mouth"], joy.Drawings["brows"])); // the face is the emotion's drawings
        Assert.Equal(("sadness", "sadness"), (grief.Drawings!["mouth"], grief.Drawings["brows"]));
    }
}
