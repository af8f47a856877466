namespace Talos.Gpu.Axis;

/// <summary>
/// Arms opening sideways (joy, surprise) show in this three-quarter view as the far arm turning forward and the near
/// arm turning back.
/// Named body poses (idle, walk, run, point, wave, sit, gesture, fall, fight) and emotions (calm, joy, anger, fear,
/// sadness, surprise) that bend the body and set the face. A pose is the body pose plus the emotion's offsets.
/// </summary>
public static class PoseLibrary
{
    // (declared before Poses and Emotions: static fields initialise in order)
    static readonly Acting Standard = Acting.Read();

    public static IReadOnlyList<string> Poses { get; } = [.. Standard.Bodies.Keys];
    public static IReadOnlyList<string> Emotions { get; } = [.. Standard.Emotions.Keys];

    /// <summary>
    /// The standard acting as data (<c>Talos.Gpu/Axis/acting.json</c>, embedded): each pose and emotion as values of the
    /// standard controls (<see cref="Pose.ControlNames"/>) plus the hip offset and the face an emotion asks for, and per
    /// pose the controls it keeps against an emotion.
    /// </summary>
    sealed record Acting(Dictionary<string, Pose> Bodies, Dictionary<string, Pose> Emotions, Dictionary<string, string[]> Keep)
    {
        public static Acting Read()
        {
            using var stream = typeof(PoseLibrary).Assembly.GetManifestResourceStream("Talos.Gpu.Axis.acting.json")
                ?? throw new InvalidOperationException("the standard acting (acting.json) is missing from Talos.Gpu");
            using var doc = System.Text.Json.JsonDocument.Parse(stream);
            var root = doc.RootElement;
            Dictionary<string, Pose> Table(string name) => root.GetProperty(name).EnumerateObject()
                .ToDictionary(e => e.Name, e => e.Value.EnumerateObject().Aggregate(Pose.Neutral, (pose, f) => With(pose, f.Name, f.Value.GetSingle(), $"{name}.{e.Name}")), StringComparer.Ordinal);
            var keep = root.GetProperty("keep").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(v => v.GetString()!).ToArray(), StringComparer.Ordinal);
            return new Acting(Table("poses"), Table("emotions"), keep);
        }

        public static Pose With(Pose pose, string name, float v, string where) => pose.With(name, v)
            ?? throw new InvalidOperationException($"acting.json {where}: unknown field '{name}'; the fields are {string.Join(", ", Pose.FieldNames)}");
    }

    /// <summary>
    /// The <paramref name="pose"/> body bent by <paramref name="emotion"/>; <paramref name="variant"/> 0 is the canonical
    /// pose, other variants add small deterministic offsets. Unknown names throw ArgumentException listing the known ones.
    /// </summary>
    public static Pose Resolve(string pose, string emotion, int variant)
    {
        if (pose is null || !Standard.Bodies.TryGetValue(pose, out var body))
            throw new ArgumentException($"unknown pose '{pose}'; known poses: {string.Join(", ", Poses)}", nameof(pose));
        if (emotion is null || !Standard.Emotions.TryGetValue(emotion, out var delta))
            throw new ArgumentException($"unknown emotion '{emotion}'; known emotions: {string.Join(", ", Emotions)}", nameof(emotion));
        // the arms the pose itself uses (pointing, waving, guarding): the emotion leaves them where they are
        if (Standard.Keep.TryGetValue(pose, out var kept))
            delta = kept.Aggregate(delta, (d, control) => Acting.With(d, control, 0f, $"keep.{pose}"));
        var p = body + delta;
        return variant == 0 ? p : p + Jitter(variant);
    }

    /// <summary>
    /// The pose of <paramref name="rig"/>: a rig with controls (the built-ins) acts the standard acting (acting.json) through them; every
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
