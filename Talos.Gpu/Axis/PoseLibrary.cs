namespace Talos.Gpu.Axis;

/// <summary>
/// Arms opening sideways (joy, surprise) show in this three-quarter view as the far arm turning forward and the near
/// arm turning back.
/// Named body poses (idle, walk, run, point, wave, sit, gesture, fall, fight) and emotions (calm, joy, anger, fear,
/// sadness, surprise) that bend the body and set the face. A pose is the body pose plus the emotion's offsets.
/// </summary>
public static class PoseLibrary
{
    public static IReadOnlyList<string> Poses { get; } = ["idle", "walk", "run", "point", "wave", "sit", "gesture", "fall", "fight"];
    public static IReadOnlyList<string> Emotions { get; } = ["calm", "joy", "anger", "fear", "sadness", "surprise"];

    static readonly Dictionary<string, Pose> Bodies = new(StringComparer.Ordinal)
    {
        ["idle"] = new() { UpperArmL = 7, LowerArmL = 12, UpperArmR = -5, LowerArmR = 14, UpperLegL = 4, LowerLegL = -2, UpperLegR = -4, LowerLegR = -1 },
        ["walk"] = new()
        {
            TorsoLean = 4, UpperArmL = -22, LowerArmL = 18, UpperArmR = 24, LowerArmR = 26,
            UpperLegL = 24, LowerLegL = -6, UpperLegR = -20, LowerLegR = -24,
        },
        ["run"] = new()
        {
            HipOffset = 0.03f, TorsoLean = 14, HeadTilt = -6, UpperArmL = -45, LowerArmL = 85, UpperArmR = 55, LowerArmR = 80,
            UpperLegL = 55, LowerLegL = -40, UpperLegR = -30, LowerLegR = -75,
        },
        ["point"] = new() { HeadTilt = -3, UpperArmL = 6, LowerArmL = 12, UpperArmR = 86, LowerArmR = 4, UpperLegL = 6, LowerLegL = -2, UpperLegR = -5 },
        ["wave"] = new() { HeadTilt = -4, UpperArmL = 5, LowerArmL = 10, UpperArmR = 115, LowerArmR = 45, UpperLegL = 4, UpperLegR = -4 },
        ["sit"] = new()
        {
            TorsoLean = -6, HeadTilt = 2, UpperArmL = 28, LowerArmL = 40, UpperArmR = 34, LowerArmR = 36,
            UpperLegL = 84, LowerLegL = -22, UpperLegR = 78, LowerLegR = -34,
        },
        ["gesture"] = new() { TorsoLean = 3, HeadTilt = -2, UpperArmL = 18, LowerArmL = 55, UpperArmR = 38, LowerArmR = 68, UpperLegL = 5, UpperLegR = -5 },
        ["fall"] = new()
        {
            TorsoLean = -42, HeadTilt = -14, UpperArmL = 150, LowerArmL = 25, UpperArmR = 125, LowerArmR = 35,
            UpperLegL = 45, LowerLegL = -15, UpperLegR = 70, LowerLegR = -40,
        },
        ["fight"] = new()
        {
            HipOffset = -0.005f, TorsoLean = 10, HeadTilt = 4, UpperArmL = 55, LowerArmL = 105, UpperArmR = 30, LowerArmR = 120,
            UpperLegL = 24, LowerLegL = -22, UpperLegR = -24, LowerLegR = -12,
        },
    };

    static readonly Dictionary<string, Pose> EmotionDeltas = new(StringComparer.Ordinal)
    {
        ["calm"] = new() { MouthCurve = 0.2f },
        ["joy"] = new()
        {
            TorsoLean = -4, HeadTilt = -8, ShoulderLift = 0.008f, UpperArmL = 40, LowerArmL = 40, UpperArmR = -40, LowerArmR = -40,
            BrowRaise = 0.35f, MouthCurve = 0.95f, MouthOpen = 0.45f,
        },
        ["anger"] = new()
        {
            TorsoLean = 9, HeadTilt = 7, ShoulderLift = 0.006f, UpperArmL = -8, LowerArmL = 22, UpperArmR = -8, LowerArmR = 22,
            BrowAngle = 26, BrowRaise = -0.15f, MouthCurve = -0.65f, MouthOpen = 0.2f,
        },
        ["fear"] = new()
        {
            TorsoLean = -10, HeadTilt = 4, HipOffset = -0.01f, ShoulderLift = 0.012f,
            UpperArmL = 48, LowerArmL = 60, UpperArmR = 48, LowerArmR = 60, LowerLegL = -10, LowerLegR = -10,
            BrowAngle = -22, BrowRaise = 0.45f, MouthCurve = -0.4f, MouthOpen = 0.45f,
        },
        ["sadness"] = new()
        {
            TorsoLean = 7, HeadTilt = 20, ShoulderLift = -0.018f, UpperArmL = -5, LowerArmL = -8, UpperArmR = -5, LowerArmR = -8,
            BrowAngle = -18, BrowRaise = 0.05f, MouthCurve = -0.75f,
        },
        ["surprise"] = new()
        {
            TorsoLean = -6, HeadTilt = -6, ShoulderLift = 0.01f, UpperArmL = 70, LowerArmL = 45, UpperArmR = -70, LowerArmR = -45,
            BrowRaise = 0.8f, MouthOpen = 0.85f,
        },
    };

    /// <summary>
    /// The <paramref name="pose"/> body bent by <paramref name="emotion"/>; <paramref name="variant"/> 0 is the canonical
    /// pose, other variants add small deterministic offsets. Unknown names throw ArgumentException listing the known ones.
    /// </summary>
    public static Pose Resolve(string pose, string emotion, int variant)
    {
        if (pose is null || !Bodies.TryGetValue(pose, out var body))
            throw new ArgumentException($"unknown pose '{pose}'; known poses: {string.Join(", ", Poses)}", nameof(pose));
        if (emotion is null || !EmotionDeltas.TryGetValue(emotion, out var delta))
            throw new ArgumentException($"unknown emotion '{emotion}'; known emotions: {string.Join(", ", Emotions)}", nameof(emotion));
        var (farBusy, nearBusy) = BusyArms(pose);
        if (farBusy) delta = delta with { UpperArmL = 0, LowerArmL = 0 };
        if (nearBusy) delta = delta with { UpperArmR = 0, LowerArmR = 0 };
        var p = body + delta;
        return variant == 0 ? p : p + Jitter(variant);
    }

    /// <summary>
    /// The pose of <paramref name="rig"/>: a rig with controls (the built-ins) acts the tables above through them; every
    /// rig adds its own poses and emotions (a pose it lacks falls back to its "idle", an emotion it lacks adds nothing:
    /// bone offsets, lift, drawing choices such as a face's brows and mouth), with its gait weighted in when the pose is
    /// one of the gait's stepping poses.
    /// </summary>
    public static Pose Resolve(Rig rig, string pose, string emotion, int variant)
    {
        ArgumentNullException.ThrowIfNull(rig);
        var body = rig.Body;
        // a rig with controls acts the library's poses and emotions (and the variant's jitter) through them; its own
        // poses and emotions add bone offsets, lift and drawing choices on top
        var acted = body.Controls.Count == 0 ? Pose.Neutral
            : Resolve(pose is not null && Poses.Contains(pose) ? pose : "idle", emotion is not null && Emotions.Contains(emotion) ? emotion : "calm", variant);
        var p = pose is not null && body.Poses.TryGetValue(pose, out var bp) ? bp : body.Poses["idle"];
        var e = emotion is not null && body.Emotions.TryGetValue(emotion, out var ep) ? ep : null;
        var bones = new Dictionary<string, float>(p.Bones, StringComparer.Ordinal);
        if (e is not null)
            foreach (var (bone, deg) in e.Bones) bones[bone] = bones.GetValueOrDefault(bone) + deg;
        var drawings = new Dictionary<string, string>(p.Drawings, StringComparer.Ordinal);
        if (e is not null)
            foreach (var (slot, drawing) in e.Drawings) drawings[slot] = drawing;
        return acted with
        {
            HipOffset = acted.HipOffset + p.Lift + (e?.Lift ?? 0f), Bones = bones, Drawings = drawings,
            Gait = body.Gait is { } g && pose is not null && g.Poses.Contains(pose) ? 1f : 0f,
        };
    }

    /// <summary>Arms the pose itself uses (pointing, waving, guarding): emotions leave them where they are.</summary>
    static (bool Far, bool Near) BusyArms(string pose) => pose switch
    {
        "point" or "wave" => (false, true),
        "fight" or "fall" => (true, true),
        _ => (false, false),
    };

    /// <summary>Small angle offsets (a few degrees) derived from the variant number alone.</summary>
    static Pose Jitter(int variant)
    {
        uint s = (uint)variant * 2654435761u;
        float Next(float amplitude)
        {
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            return ((s & 0xFFFF) / 65535f * 2f - 1f) * amplitude;
        }
        return new Pose
        {
            TorsoLean = Next(2), HeadTilt = Next(4), UpperArmL = Next(6), LowerArmL = Next(8),
            UpperArmR = Next(6), LowerArmR = Next(8), UpperLegL = Next(3), UpperLegR = Next(3),
        };
    }
}
