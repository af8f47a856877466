using Talos.Gpu.Imaging;

namespace Talos.Gpu.Aether;

/// <summary>AETHER: the named backgrounds and light rigs a shot spec can ask for.</summary>
public static class AetherPresets
{
    static Rgb C(string hex) => Rgb.FromHex(hex);

    static readonly Dictionary<string, BackgroundPreset> Backgrounds = new(StringComparer.Ordinal)
    {
        ["day"] = new("day", C("#3f86d6"), C("#c4e6f7"), C("#93c46a"), C("#4c8a36"),
        [
            new Celestial(0.02f, C("#fff8e0") * 1.6f, 0.045f, 0.55f),
            new Clouds(0.08f, C("#ffffff"), 0.5f, 0.075f, 0.55f, 11),
            new Ridge(0.12f, C("#7fa7c4"), 0.20f, 0.07f, 0.55f, 3, Haze: 0.35f),
            new Ridge(0.35f, C("#5f9e48"), 0.09f, 0.035f, 0.32f, 7, Haze: 0.1f),
        ]),
        ["dusk"] = new("dusk", C("#2b2d6a"), C("#f39a5b"), C("#5d4a5c"), C("#2b2433"),
        [
            new Celestial(0.02f, C("#ffd28c") * 1.4f, 0.07f, 1.0f),
            new Clouds(0.08f, C("#f0a0a8"), 0.5f, 0.06f, 0.7f, 5),
            new Ridge(0.12f, C("#6f5076"), 0.17f, 0.06f, 0.6f, 21, Haze: 0.35f),
            new Skyline(0.4f, C("#2a2236"), 0.11f, 0.08f, 0.3f, 9, C("#ffc56b") * 1.3f, 0.22f),
        ]),
        ["night"] = new("night", C("#040818"), C("#1c2a55"), C("#1a2232"), C("#0b1018"),
        [
            new Stars(0.01f, 0.045f, 0.55f, 1.0f, 17),
            new Celestial(0.02f, C("#eef2ff") * 1.2f, 0.04f, 0.35f),
            new Ridge(0.12f, C("#18223c"), 0.15f, 0.05f, 0.5f, 4, Haze: 0.2f),
            new Skyline(0.4f, C("#0b101e"), 0.1f, 0.09f, 0.33f, 31, C("#ffd27a") * 1.4f, 0.35f),
        ]),
        ["interior"] = new("interior", C("#c2ad8e"), C("#e2d3b8"), C("#94613f"), C("#5c3a24"),
        [
            new Window(0.9f, -0.18f, 0.22f, 0.62f, 0.36f, C("#f4efe6"), C("#5aa0e0"), C("#cfe9f7"), Repeat: 1.3f),
            new Planks(1f, 0.09f, C("#3d2616"), 13),
        ]),
        ["studio"] = new("studio", C("#b9c0c9"), C("#e9ecef"), C("#e4e7ea"), C("#c9ced4"),
        [
            new Cyclorama(1f, 0.16f, 0.35f),
        ]),
    };

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

    public static IReadOnlyList<string> BackgroundNames { get; } = ["day", "dusk", "night", "interior", "studio"];
    public static IReadOnlyList<string> LightingNames { get; } = ["key-left", "key-right", "noon", "sunset", "moody"];

    public static BackgroundPreset Background(string name) =>
        name is not null && Backgrounds.TryGetValue(name, out var p) ? p
            : throw new ArgumentException($"unknown background '{name}'; known: {string.Join(", ", BackgroundNames)}", nameof(name));

    public static LightRig Lighting(string name) =>
        name is not null && Lights.TryGetValue(name, out var p) ? p
            : throw new ArgumentException($"unknown lighting '{name}'; known: {string.Join(", ", LightingNames)}", nameof(name));
}
