using Talos.Gpu.Axis;
using Talos.Messages.Specs;

namespace Talos.Gpu.Flux;

/// <summary>
/// Rig-space inbetweening: a character's pose, position and facing at any frame from its pose keys. Keys are
/// taken in frame order; before the first and after the last the nearest key holds. Between keys a and b the
/// progress follows b's ease; the pose is Pose.Lerp of the two resolved key poses, X is interpolated the same way and
/// the facing switches at the midpoint in time. Secondary motion (gait cycle, waving, breathing) is added on top.
/// </summary>
public static class MotionInterpolator
{
    /// <param name="rig">the character's rig (its own poses, emotions and drawing choices); null: the built-in rig the spec names, else the pose library's poses</param>
    public static MotionState Evaluate(CharacterSpec c, int frame, int fps, Rig? rig = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        rig ??= Rigs.Find(c.Rig);
        if (fps <= 0) throw new ArgumentOutOfRangeException(nameof(fps), $"fps {fps} must be positive");
        double seconds = (double)frame / fps;
        if (c.Keyframes.Count == 0)
        {
            var idle = Resolve(rig, "idle", "calm");
            return new MotionState(idle + SecondaryMotion.Offset(seconds, 0, 0, 0), 0.5, 1, idle);
        }
        var keys = c.Keyframes.OrderBy(k => k.Frame).ToList();
        int b = keys.FindIndex(k => k.Frame > frame);
        PoseKey ka, kb;
        double t, e;
        if (b == 0) (ka, kb, t, e) = (keys[0], keys[0], 0, 0);
        else if (b < 0) (ka, kb, t, e) = (keys[^1], keys[^1], 0, 0);
        else
        {
            (ka, kb) = (keys[b - 1], keys[b]);
            t = (double)(frame - ka.Frame) / (kb.Frame - ka.Frame);
            e = Easing.Apply(kb.Ease, t);
        }
        var pa = Resolve(rig, ka.Pose, ka.Emotion);
        var pb = ReferenceEquals(ka, kb) ? pa : Resolve(rig, kb.Pose, kb.Emotion);
        float w = (float)e;
        var keyed = Pose.Lerp(pa, pb, w);
        double x = ka.X + (kb.X - ka.X) * e;
        int facing = Sign(t >= 0.5 && kb.Ease != "hold" ? kb.Facing : ka.Facing);

        float Weight(string pose) => (ka.Pose == pose ? 1 - w : 0) + (kb.Pose == pose ? w : 0);
        var pose = keyed + SecondaryMotion.Offset(seconds, Weight("walk"), Weight("run"), Weight("wave"));
        return new MotionState(pose, x, facing, keyed);
    }

    static Pose Resolve(Rig? rig, string pose, string emotion) =>
        rig is null ? PoseLibrary.Resolve(pose, emotion, 0) : PoseLibrary.Resolve(rig, pose, emotion, 0);

    static int Sign(int facing) => facing < 0 ? -1 : 1;
}
