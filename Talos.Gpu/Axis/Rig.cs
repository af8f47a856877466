using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>How a rig dresses its body: which outfit shapes it gets.</summary>
public enum Outfit
{
    /// <summary>Shirt over trousers, sleeves in the shirt colour.</summary>
    Shirt,
    /// <summary>A long coat reaching mid-thigh, sleeves in the coat colour, buttons.</summary>
    Coat,
    /// <summary>A round bodice and flared skirt; bare arms and legs.</summary>
    Dress,
}

/// <summary>Hair silhouette of a rig.</summary>
public enum HairStyle { Spiky, Crew, Bob }

/// <summary>
/// A 2D character rig. Rig units: 1 unit = the nominal character height, 0.55 of the frame height at zoom 1, times
/// <see cref="Height"/>. A rig read from a rig file (docs/rigs.md) carries its whole body as data in <see cref="Body"/>:
/// bones, parts, drawings, poses, emotions, IK. The three built-ins still carry proportions, an outfit and hair for the
/// C# templates (LineArt, HeadArt) and leave <see cref="Body"/> null.
/// </summary>
public sealed record Rig
{
    public required string Name { get; init; }
    /// <summary>Overall height relative to the nominal 0.55·frame height.</summary>
    public float Height { get; init; } = 1f;
    public float HeadRx { get; init; } = 0.08f;
    public float HeadRy { get; init; } = 0.09f;
    public float Neck { get; init; } = 0.03f;
    public float NeckRadius { get; init; } = 0.022f;
    public float TorsoLength { get; init; } = 0.3f;
    public float ShoulderHalfWidth { get; init; } = 0.09f;
    public float HipHalfWidth { get; init; } = 0.07f;
    public float UpperArm { get; init; } = 0.16f;
    public float LowerArm { get; init; } = 0.15f;
    public float ArmRadius { get; init; } = 0.026f;
    public float HandRadius { get; init; } = 0.028f;
    public float UpperLeg { get; init; } = 0.2f;
    public float LowerLeg { get; init; } = 0.2f;
    public float LegRadius { get; init; } = 0.036f;
    public float ShoeLength { get; init; } = 0.09f;
    public float ShoeHeight { get; init; } = 0.032f;
    public Outfit Outfit { get; init; }
    public HairStyle Hair { get; init; }

    /// <summary>Region painting the sleeves/arms.</summary>
    public string ArmRegion { get; init; } = "";
    /// <summary>Region painting the torso.</summary>
    public string BodyRegion { get; init; } = "";
    /// <summary>Region painting the legs.</summary>
    public string LegRegion { get; init; } = "";
    /// <summary>Region painting the feet.</summary>
    public string FootRegion { get; init; } = "";

    /// <summary>Region name → linear-light colour. Every region the drawing seeds has an entry.</summary>
    public required IReadOnlyDictionary<string, Rgb> DefaultPalette { get; init; }

    /// <summary>The body as data (a rig file's bones, parts, drawings, poses), or null for a built-in template rig.</summary>
    public Rigging.RigBody? Body { get; init; }

    /// <summary>The region names of this rig, in palette order.</summary>
    public IReadOnlyList<string> Regions => DefaultPalette.Keys.ToList();
}
