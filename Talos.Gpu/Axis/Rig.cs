using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// A 2D character rig: a rig file's body as data (docs/rigs.md) — bones, controls, parts, drawings, poses, emotions,
/// IK — its size and its default palette. Rig units: 1 unit = the nominal character height, 0.55 of the frame height at
/// zoom 1, times <see cref="Height"/>. The built-ins are rig files too (<see cref="Rigs"/>).
/// </summary>
public sealed record Rig
{
    public required string Name { get; init; }
    /// <summary>Overall height relative to the nominal 0.55·frame height.</summary>
    public float Height { get; init; } = 1f;

    /// <summary>Region name → linear-light colour. Every region the drawing seeds has an entry.</summary>
    public required IReadOnlyDictionary<string, Rgb> DefaultPalette { get; init; }

    /// <summary>The body as data: bones, controls, parts, drawings, poses, emotions, IK.</summary>
    public required Rigging.RigBody Body { get; init; }

    /// <summary>The region names of this rig, in palette order.</summary>
    public IReadOnlyList<string> Regions => DefaultPalette.Keys.ToList();

    /// <summary>The region the part called <paramref name="part"/> paints by default (a built-in's "body" is its shirt, coat or dress), or null.</summary>
    public string? RegionOf(string part) =>
        Body.Parts.FirstOrDefault(p => p.Name == part) is { } found ? found.Drawings[found.Default].Region : null;
}
