namespace Talos.Gpu.Axis;

/// <summary>
/// Joint angles of the 2D skeleton plus a facial expression. Angles are in degrees; positive turns toward the
/// direction the character faces ("forward"). Upper arms are measured from the torso axis hanging down, upper legs
/// from straight down, lower limbs relative to their upper limb (knees bend backwards with negative values, elbows
/// forwards with positive ones). L limbs are on the far side (drawn behind the body), R limbs on the near side.
/// </summary>
public sealed record Pose
{
    /// <summary>Extra hip height in rig units over the ground-contact height (jumps, bobs).</summary>
    public float HipOffset { get; init; }
    /// <summary>Forward lean of the torso from vertical.</summary>
    public float TorsoLean { get; init; }
    /// <summary>Forward (down) nod of the head relative to the torso.</summary>
    public float HeadTilt { get; init; }
    /// <summary>Shoulder lift in rig units (negative droops).</summary>
    public float ShoulderLift { get; init; }
    public float UpperArmL { get; init; }
    public float LowerArmL { get; init; }
    public float UpperArmR { get; init; }
    public float LowerArmR { get; init; }
    public float UpperLegL { get; init; }
    public float LowerLegL { get; init; }
    public float UpperLegR { get; init; }
    public float LowerLegR { get; init; }
    /// <summary>Brow slant: positive lowers the inner ends (anger), negative raises them (worry, sadness).</summary>
    public float BrowAngle { get; init; }
    /// <summary>Brow height above rest, in units of the eye size (surprise raises).</summary>
    public float BrowRaise { get; init; }
    /// <summary>Mouth curve in [-1, 1]: -1 frown, +1 smile.</summary>
    public float MouthCurve { get; init; }
    /// <summary>Mouth openness in [0, 1].</summary>
    public float MouthOpen { get; init; }

    /// <summary>A rig file's bone angle offsets in degrees by bone name, added to what its controls make of the named fields above.</summary>
    public IReadOnlyDictionary<string, float>? Bones { get; init; }
    /// <summary>A rig file's drawing per swap slot (eyes, brows, rest mouth, hands), from the emotion.</summary>
    public IReadOnlyDictionary<string, string>? Drawings { get; init; }
    /// <summary>Weight in [0, 1] of a rig file's gait: feet planted by IK while the character travels.</summary>
    public float Gait { get; init; }

    public static Pose Neutral { get; } = new();

    /// <summary>Value equality, bone angles and drawing choices compared by content (none and an empty set are the same).</summary>
    public bool Equals(Pose? o) => o is not null
        && HipOffset == o.HipOffset && TorsoLean == o.TorsoLean && HeadTilt == o.HeadTilt && ShoulderLift == o.ShoulderLift
        && UpperArmL == o.UpperArmL && LowerArmL == o.LowerArmL && UpperArmR == o.UpperArmR && LowerArmR == o.LowerArmR
        && UpperLegL == o.UpperLegL && LowerLegL == o.LowerLegL && UpperLegR == o.UpperLegR && LowerLegR == o.LowerLegR
        && BrowAngle == o.BrowAngle && BrowRaise == o.BrowRaise && MouthCurve == o.MouthCurve && MouthOpen == o.MouthOpen
        && Same(Bones, o.Bones) && Same(Drawings, o.Drawings) && Gait == o.Gait;

    public override int GetHashCode() => HashCode.Combine(HipOffset, TorsoLean, HeadTilt, UpperArmL, UpperArmR, UpperLegL, UpperLegR, Bones?.Count ?? 0);

    static bool Same<T>(IReadOnlyDictionary<string, T>? a, IReadOnlyDictionary<string, T>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && EqualityComparer<T>.Default.Equals(v, kv.Value)));

    /// <summary>
    /// The standard controls: the body's named fields, which the pipeline's acting (the pose library, secondary motion,
    /// inbetweening, variant jitter) sets. A rig file's <c>controls</c> map them to its bones.
    /// </summary>
    public static IReadOnlyList<string> ControlNames { get; } =
        ["torsoLean", "headTilt", "shoulderLift", "upperArmL", "lowerArmL", "upperArmR", "lowerArmR", "upperLegL", "lowerLegL", "upperLegR", "lowerLegR"];

    /// <summary>The value of the standard control <paramref name="name"/> (one of <see cref="ControlNames"/>).</summary>
    public float Control(string name) =>
        ControlNames.Contains(name) ? Fields[name].Get(this)
            : throw new ArgumentException($"unknown control '{name}'; the controls are {string.Join(", ", ControlNames)}", nameof(name));

    /// <summary>
    /// This pose with the named field set: a standard control, <c>hipOffset</c> or a face value (<c>browAngle</c>,
    /// <c>browRaise</c>, <c>mouthCurve</c>, <c>mouthOpen</c>); null for any other name.
    /// </summary>
    public Pose? With(string name, float value) => Fields.TryGetValue(name, out var f) ? f.Set(this, value) : null;

    /// <summary>The named fields the acting data may set (<see cref="With"/>), their names as written in JSON.</summary>
    public static IReadOnlyCollection<string> FieldNames => Fields.Keys;

    static readonly Dictionary<string, (Func<Pose, float> Get, Func<Pose, float, Pose> Set)> Fields = new(StringComparer.Ordinal)
    {
        ["torsoLean"] = (p => p.TorsoLean, (p, v) => p with { TorsoLean = v }),
        ["headTilt"] = (p => p.HeadTilt, (p, v) => p with { HeadTilt = v }),
        ["shoulderLift"] = (p => p.ShoulderLift, (p, v) => p with { ShoulderLift = v }),
        ["upperArmL"] = (p => p.UpperArmL, (p, v) => p with { UpperArmL = v }),
        ["lowerArmL"] = (p => p.LowerArmL, (p, v) => p with { LowerArmL = v }),
        ["upperArmR"] = (p => p.UpperArmR, (p, v) => p with { UpperArmR = v }),
        ["lowerArmR"] = (p => p.LowerArmR, (p, v) => p with { LowerArmR = v }),
        ["upperLegL"] = (p => p.UpperLegL, (p, v) => p with { UpperLegL = v }),
        ["lowerLegL"] = (p => p.LowerLegL, (p, v) => p with { LowerLegL = v }),
        ["upperLegR"] = (p => p.UpperLegR, (p, v) => p with { UpperLegR = v }),
        ["lowerLegR"] = (p => p.LowerLegR, (p, v) => p with { LowerLegR = v }),
        ["hipOffset"] = (p => p.HipOffset, (p, v) => p with { HipOffset = v }),
        ["browAngle"] = (p => p.BrowAngle, (p, v) => p with { BrowAngle = v }),
        ["browRaise"] = (p => p.BrowRaise, (p, v) => p with { BrowRaise = v }),
        ["mouthCurve"] = (p => p.MouthCurve, (p, v) => p with { MouthCurve = v }),
        ["mouthOpen"] = (p => p.MouthOpen, (p, v) => p with { MouthOpen = v }),
    };

    /// <summary>Bone angles combined key by key (a bone missing on one side counts 0).</summary>
    static IReadOnlyDictionary<string, float>? Combine(IReadOnlyDictionary<string, float>? a, IReadOnlyDictionary<string, float>? b, Func<float, float, float> f)
    {
        if (a is null && b is null) return null;
        var result = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var k in (a?.Keys ?? []).Concat(b?.Keys ?? []))
            result[k] = f(a is not null && a.TryGetValue(k, out var x) ? x : 0f, b is not null && b.TryGetValue(k, out var y) ? y : 0f);
        return result;
    }

    /// <summary>Every field interpolated linearly: t = 0 gives <paramref name="a"/>, t = 1 gives <paramref name="b"/>.</summary>
    public static Pose Lerp(Pose a, Pose b, float t)
    {
        if (t == 0f) return a;
        if (t == 1f) return b;
        float L(float x, float y) => x + (y - x) * t;
        return new Pose
        {
            HipOffset = L(a.HipOffset, b.HipOffset), TorsoLean = L(a.TorsoLean, b.TorsoLean),
            HeadTilt = L(a.HeadTilt, b.HeadTilt), ShoulderLift = L(a.ShoulderLift, b.ShoulderLift),
            UpperArmL = L(a.UpperArmL, b.UpperArmL), LowerArmL = L(a.LowerArmL, b.LowerArmL),
            UpperArmR = L(a.UpperArmR, b.UpperArmR), LowerArmR = L(a.LowerArmR, b.LowerArmR),
            UpperLegL = L(a.UpperLegL, b.UpperLegL), LowerLegL = L(a.LowerLegL, b.LowerLegL),
            UpperLegR = L(a.UpperLegR, b.UpperLegR), LowerLegR = L(a.LowerLegR, b.LowerLegR),
            BrowAngle = L(a.BrowAngle, b.BrowAngle), BrowRaise = L(a.BrowRaise, b.BrowRaise),
            MouthCurve = L(a.MouthCurve, b.MouthCurve), MouthOpen = L(a.MouthOpen, b.MouthOpen),
            Bones = Combine(a.Bones, b.Bones, L), Drawings = t < 0.5f ? a.Drawings : b.Drawings, Gait = L(a.Gait, b.Gait),
        };
    }

    /// <summary>Field-wise sum (for adding emotion and motion offsets); expression values are clamped to their ranges.</summary>
    public static Pose operator +(Pose a, Pose d) => new()
    {
        HipOffset = a.HipOffset + d.HipOffset, TorsoLean = a.TorsoLean + d.TorsoLean,
        HeadTilt = a.HeadTilt + d.HeadTilt, ShoulderLift = a.ShoulderLift + d.ShoulderLift,
        UpperArmL = a.UpperArmL + d.UpperArmL, LowerArmL = a.LowerArmL + d.LowerArmL,
        UpperArmR = a.UpperArmR + d.UpperArmR, LowerArmR = a.LowerArmR + d.LowerArmR,
        UpperLegL = a.UpperLegL + d.UpperLegL, LowerLegL = a.LowerLegL + d.LowerLegL,
        UpperLegR = a.UpperLegR + d.UpperLegR, LowerLegR = a.LowerLegR + d.LowerLegR,
        BrowAngle = a.BrowAngle + d.BrowAngle, BrowRaise = a.BrowRaise + d.BrowRaise,
        MouthCurve = Math.Clamp(a.MouthCurve + d.MouthCurve, -1f, 1f),
        MouthOpen = Math.Clamp(a.MouthOpen + d.MouthOpen, 0f, 1f),
        Bones = Combine(a.Bones, d.Bones, static (x, y) => x + y),
        Drawings = d.Drawings is null ? a.Drawings : a.Drawings is null ? d.Drawings : a.Drawings.Concat(d.Drawings).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
        Gait = Math.Clamp(a.Gait + d.Gait, 0f, 1f),
    };
}
