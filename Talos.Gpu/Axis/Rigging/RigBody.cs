namespace Talos.Gpu.Axis.Rigging;

/// <summary>
/// A bone: its parent (−1 for the root), length and rest angle (degrees, counter-clockwise, relative to the parent's
/// direction; the root's relative to forward), and where it starts in its parent's frame (x along the parent, y to the
/// parent's left, rig units; the root's in character space: x forward, y up from the ground). <c>Contact</c> bones'
/// ends stand on the ground: the rig is lifted so the lowest of them touches it; a contact bone's
/// <see cref="Sole"/> is the radius of the rounded sole around its end (the lowest point is the end's y minus it).
/// </summary>
public sealed record Bone(string Name, int Parent, float Length, float Angle, V2 Start, bool Contact)
{
    public float Sole { get; init; }
}

/// <summary>How a drawing marks the page: a closed area painted in a CHROMA region, an open ink line, or solid ink.</summary>
public enum InkKind { Region, Line, Fill }

/// <summary>
/// A PNG cut-out: its silhouette (alpha ≥ 0.5, which CHROMA paints in the drawing's region) as a signed distance field
/// in image pixels (negative inside), its ink (dark opaque pixels: the drawn lines, 0..1), the pivot in image pixels
/// that sits on the bone's origin, its size in rig units per image pixel, and its turn (degrees, counter-clockwise on
/// the page) from lying along the bone: 0 when the image's x axis runs along the bone; an image drawn upright (x
/// forward, y down) takes minus its bone's rest angle in the world: −90 on a bone pointing up, 90 on one pointing down.
/// </summary>
public sealed record CutOut(int Width, int Height, float[] Field, float[] Ink, V2 Pivot, float UnitsPerPixel, float Angle);

/// <summary>
/// One drawing of a part: vector subpaths in bone-local units (x along the bone, y to its right, as SVG's y-down) or a
/// cut-out. An area (region or fill) may have its outline pushed out by <see cref="Round"/> rig units (rounded
/// corners), be intersected with <see cref="Clip"/> and have <see cref="Cut"/> cut away (both in the same bone's units),
/// and take <see cref="Pieces"/> on other bones into its one outline (an arm's upper arm and forearm, no line at the
/// elbow). A line is drawn with the detail pen, or the outline pen when <see cref="OutlinePen"/>. A drawing with no
/// paths and no image draws nothing (a mouth layer a shape does not use).
/// </summary>
public sealed record Drawing(IReadOnlyList<SubPath>? Paths, CutOut? Image, InkKind Ink, string? Region, float Line)
{
    public float Round { get; init; }
    public IReadOnlyList<SubPath>? Clip { get; init; }
    public IReadOnlyList<SubPath>? Cut { get; init; }
    public IReadOnlyList<Piece> Pieces { get; init; } = [];
    public bool OutlinePen { get; init; }

    /// <summary>The drawing that shows nothing.</summary>
    public static Drawing Empty { get; } = new([], null, InkKind.Fill, null, 1f);
}

/// <summary>A piece of an area drawing on another bone: its subpaths in that bone's units, its corner rounding.</summary>
public sealed record Piece(int Bone, IReadOnlyList<SubPath> Paths, float Round);

/// <summary>
/// A control (a smart bone, a set-driven key): one of the pose's standard sliders (<see cref="Pose.ControlNames"/>)
/// driving bones linearly — degrees of each bone's angle, and a shift of each bone's start (rig units, in its parent's
/// frame), per unit of the slider.
/// </summary>
public sealed record Control(IReadOnlyDictionary<int, float> Angles, IReadOnlyDictionary<int, V2> Shifts);

/// <summary>
/// A part bound to a bone, drawn in <see cref="Order"/> (back to front): its drawings by name and the one shown by
/// default. A part with a <see cref="Slot"/> swaps drawings: the emotion names a drawing per slot, and the slot
/// <c>mouth</c> takes the lip-sync cue's shape (A–H; X is the emotion's rest mouth).
/// </summary>
public sealed record RigPart(string Name, int Bone, float Order, string? Slot, string Default, IReadOnlyDictionary<string, Drawing> Drawings)
{
    /// <summary>The drawing shown instead when the rig is drawn smaller than <c>Scale</c> pixels per rig unit (eyes as dots far away), or null.</summary>
    public (float Scale, string Drawing)? Far { get; init; }
}

/// <summary>Two-bone analytic IK: the end of <see cref="Lower"/> reaches a target; <see cref="Bend"/> ±1 picks the joint's side.</summary>
public sealed record IkChain(string Name, int Upper, int Lower, int Bend);

/// <summary>
/// Stepping for walking poses: feet (IK chains) planted on the ground while the body travels, each leg's cycle offset
/// by its phase (0..1); a cycle covers <see cref="Stride"/> rig units, the foot is planted for <see cref="Duty"/> of it
/// and lifts <see cref="Step"/> rig units at mid-swing.
/// </summary>
public sealed record Gait(IReadOnlyList<string> Poses, float Stride, float Duty, float Step, IReadOnlyList<(int Chain, float Phase)> Legs);

/// <summary>Bone angle offsets (degrees, by bone name), a lift of the whole rig (rig units) and drawing choices per slot.</summary>
public sealed record BodyPose(IReadOnlyDictionary<string, float> Bones, float Lift, IReadOnlyDictionary<string, string> Drawings);

/// <summary>A rig's body as data: bones (parents before children), parts in draw order, IK, gait, poses and emotions.</summary>
public sealed record RigBody(
    IReadOnlyList<Bone> Bones,
    IReadOnlyList<RigPart> Parts,
    IReadOnlyList<IkChain> Ik,
    Gait? Gait,
    IReadOnlyDictionary<string, BodyPose> Poses,
    IReadOnlyDictionary<string, BodyPose> Emotions)
{
    /// <summary>The standard controls the rig maps to its bones, by name (<see cref="Pose.ControlNames"/>); empty when it has none.</summary>
    public IReadOnlyDictionary<string, Control> Controls { get; init; } = new Dictionary<string, Control>();

    /// <summary>The bone called <paramref name="name"/>, or −1.</summary>
    public int BoneIndex(string name)
    {
        for (int i = 0; i < Bones.Count; i++) if (Bones[i].Name == name) return i;
        return -1;
    }
}
