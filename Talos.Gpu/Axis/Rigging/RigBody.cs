namespace Talos.Gpu.Axis.Rigging;

/// <summary>
/// A bone: its parent (−1 for the root), length and rest angle (degrees, counter-clockwise, relative to the parent's
/// direction; the root's relative to forward), and where it starts in its parent's frame (x along the parent, y to the
/// parent's left, rig units; the root's in character space: x forward, y up from the ground). <c>Contact</c> bones'
/// ends stand on the ground: the rig is lifted so the lowest of them touches it.
/// </summary>
public sealed record Bone(string Name, int Parent, float Length, float Angle, V2 Start, bool Contact);

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

/// <summary>One drawing of a part: vector subpaths in bone-local units (x along the bone, y to its right, as SVG's y-down) or a cut-out.</summary>
public sealed record Drawing(IReadOnlyList<SubPath>? Paths, CutOut? Image, InkKind Ink, string? Region, float Line);

/// <summary>
/// A part bound to a bone, drawn in <see cref="Order"/> (back to front): its drawings by name and the one shown by
/// default. A part with a <see cref="Slot"/> swaps drawings: the emotion names a drawing per slot, and the slot
/// <c>mouth</c> takes the lip-sync cue's shape (A–H; X is the emotion's rest mouth).
/// </summary>
public sealed record RigPart(string Name, int Bone, float Order, string? Slot, string Default, IReadOnlyDictionary<string, Drawing> Drawings);

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
    /// <summary>The bone called <paramref name="name"/>, or −1.</summary>
    public int BoneIndex(string name)
    {
        for (int i = 0; i < Bones.Count; i++) if (Bones[i].Name == name) return i;
        return -1;
    }
}
