using Talos.Gpu.Imaging;

namespace Talos.Gpu.Aether;

/// <summary>AETHER: the named backgrounds (background documents, <see cref="BackgroundDocument"/>) and light rigs a shot spec can ask for.</summary>
public static class AetherPresets
{
    static Rgb C(string hex) => Rgb.FromHex(hex);

    public static IReadOnlyList<string> BackgroundNames { get; } = ["day", "dusk", "night", "interior", "studio"];

    /// <summary>The presets, read once from the background documents embedded beside this file (<c>Presets/NAME.background.json</c>).</summary>
    static readonly Lazy<Dictionary<string, BackgroundPreset>> Backgrounds = new(() => BackgroundNames.ToDictionary(n => n,
        n => BackgroundDocument.Embedded(n) ?? throw new InvalidOperationException($"the preset document '{n}' is not embedded in Talos.Gpu"), StringComparer.Ordinal));

    static readonly Dictionary<string, LightRig> Lights = new(StringComparer.Ordinal)
    {
        ["key-left"] = new("key-left", -1f, 0.55f, 0.6f, C("#fff0da"), 0.95f, new(0.30f, 0.32f, 0.38f),
            C("#ffffff"), 0.35f, 0.65f, 0.10f, 0.006f, 0.55f) { FillColour = C("#c8d8ff"), FillIntensity = 0.22f },
        ["key-right"] = new("key-right", 1f, 0.55f, 0.6f, C("#fff0da"), 0.95f, new(0.30f, 0.32f, 0.38f),
            C("#ffffff"), 0.35f, 0.65f, 0.10f, 0.006f, 0.55f) { FillColour = C("#c8d8ff"), FillIntensity = 0.22f },
        ["noon"] = new("noon", 0.25f, 1f, 1.15f, C("#fffaf0"), 0.75f, new(0.30f, 0.33f, 0.38f),
            C("#ffffff"), 0.15f, 0.18f, 0.05f, 0.004f, 0.65f) { FillColour = C("#d8e4ff"), FillIntensity = 0.14f },
        ["sunset"] = new("sunset", 1f, 0.15f, 0.25f, C("#ff9b50"), 1.15f, new(0.22f, 0.20f, 0.33f),
            C("#ffb070"), 0.65f, 1.3f, 0.09f, 0.01f, 0.45f) { FillColour = C("#8a7cff"), FillIntensity = 0.2f },
        ["moody"] = new("moody", -1f, 0.2f, 0.35f, C("#a5b8ff"), 0.75f, new(0.12f, 0.13f, 0.2f),
            C("#8fd0ff"), 0.75f, 0.9f, 0.08f, 0.012f, 0.6f) { FillColour = C("#ffb27a"), FillIntensity = 0.08f },
    };

    public static IReadOnlyList<string> LightingNames { get; } = ["key-left", "key-right", "noon", "sunset", "moody"];

    public static BackgroundPreset Background(string name) =>
        name is not null && Backgrounds.Value.TryGetValue(name, out var p) ? p
            : throw new ArgumentException($"unknown background '{name}'; known: {string.Join(", ", BackgroundNames)}", nameof(name));

    public static LightRig Lighting(string name) =>
        name is not null && Lights.TryGetValue(name, out var p) ? p
            : throw new ArgumentException($"unknown lighting '{name}'; known: {string.Join(", ", LightingNames)}", nameof(name));
}
