namespace Talos.Gpu.Prism.Commercials;

/// <summary>
/// An agency's brief for a spot (JSON, camelCase; docs/brief.schema.json, docs/COMMERCIALS.md): the brand, the product, the
/// line of type that sells it, what the viewer should do, how long it runs, and optionally the brand's logo, a product
/// image, its palette, a music track and a cast of built-in rig characters. Read with <see cref="BriefJson.Parse"/>.
/// </summary>
public sealed record Brief
{
    /// <summary>Spot lengths an agency books, in seconds.</summary>
    public static readonly IReadOnlyList<int> Durations = [6, 15, 30];

    public required string Brand { get; init; }
    public required string Product { get; init; }
    public required string Tagline { get; init; }
    public required string CallToAction { get; init; }
    /// <summary>6, 15 or 30.</summary>
    public required int DurationSeconds { get; init; }
    /// <summary>The brand's logo: an SVG or PNG.</summary>
    public BriefAsset? Logo { get; init; }
    /// <summary>A picture of the product, shown as a plate in the product shot (PNG or SVG).</summary>
    public BriefAsset? ProductImage { get; init; }
    public BrandPalette Palette { get; init; } = BrandPalette.Default;
    /// <summary>The spot's soundtrack (an audio file ffmpeg reads, WAV for example).</summary>
    public BriefAsset? Music { get; init; }
    /// <summary>Characters for the hook; none: a fluid-art opening.</summary>
    public IReadOnlyList<CastMember> Cast { get; init; } = [];
}

/// <summary>
/// An asset the brief names: <see cref="Name"/> as written — a path relative to the brief's folder, or <c>sha256/HASH</c> of
/// an asset already in the vault. <see cref="Path"/> is the file's full path, null for a vault name; <see cref="Bytes"/> the
/// file's content when it was read (images: the title layer draws them).
/// </summary>
public sealed record BriefAsset(string Name, string? Path, byte[]? Bytes)
{
    public bool InVault => Path is null;
}

/// <summary>The brand's colours, each "#rrggbb": <see cref="Primary"/> dresses the cast and sets the big type's accent,
/// <see cref="Background"/> is the end card's plain ground, <see cref="Text"/> the type on it.</summary>
public sealed record BrandPalette(string Primary, string Secondary, string Background, string Text)
{
    public static BrandPalette Default { get; } = new("#d2452b", "#2b5fd2", "#f4efe6", "#1b1620");
}

/// <summary>A character of the hook: a built-in rig (lanky, stocky, round) with optional palette overrides (region → "#rrggbb").</summary>
public sealed record CastMember(string Name, string Rig, IReadOnlyDictionary<string, string>? Palette = null);
