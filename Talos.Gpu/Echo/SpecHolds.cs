using Talos.Messages.Specs;

namespace Talos.Gpu.Echo;

/// <summary>
/// Where a shot's spec holds still: the frames FLUX draws from a held key. ECHO uses it to give a frozen run its cause:
/// a run of identical frames where every character holds a key is the animation holding; one where the spec moves is
/// frames duplicated by a stalled or repeating stage.
/// </summary>
public static class SpecHolds
{
    /// <summary>
    /// Whether every character of <paramref name="spec"/> holds a key at <paramref name="frame"/>: before its first key or after its last, between two keys that agree on pose, emotion, position and facing,
    /// or before a key eased <c>hold</c>; no camera key moves zoom or pan across it.
    /// </summary>
    public static bool Held(ShotSpec spec, int frame)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var cam = spec.Camera.OrderBy(m => m.Frame).ToList();
        for (int k = 1; k < cam.Count; k++)
            if (frame > cam[k - 1].Frame && frame <= cam[k].Frame && (cam[k].Zoom != cam[k - 1].Zoom || cam[k].PanX != cam[k - 1].PanX)) return false;
        foreach (var c in spec.Characters)
        {
            var keys = c.Keyframes.OrderBy(k => k.Frame).ToList();
            if (keys.Count < 2 || frame <= keys[0].Frame || frame >= keys[^1].Frame) continue;
            int b = keys.FindIndex(k => k.Frame > frame);
            var (ka, kb) = (keys[b - 1], keys[b]);
            bool same = ka.Pose == kb.Pose && ka.Emotion == kb.Emotion && ka.X == kb.X && ka.Facing == kb.Facing;
            if (!same && !(kb.Ease == "hold" && frame < kb.Frame)) return false;
        }
        return true;
    }
}
