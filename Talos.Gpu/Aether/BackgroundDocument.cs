using System.Text.Json;
using Talos.Gpu.Imaging;
using Talos.Gpu.Prism;
using Talos.Messages.Specs;

namespace Talos.Gpu.Aether;

/// <summary>
/// A procedural background as data (docs/plates.md, "Procedural layers"): the background format of plates, whose layers are
/// painted by RAYGEN's procedural painters instead of read from images —
/// <c>{ "layers": [ { "procedural": "sky", "top", "horizon" }, { "procedural": "ground", "far", "near" },
/// { "procedural": "ridge", "depth": 0.12, "colour": "#7fa7c4", "seed": 3, … }, … ] }</c>. The AETHER presets are such
/// documents, embedded in this assembly (<c>Aether/Presets/NAME.background.json</c>). Reading reports every problem with
/// its JSON path (<see cref="SpecValidationException"/>); unknown fields are refused.
/// </summary>
public static class BackgroundDocument
{
    /// <summary>Largest document, in characters.</summary>
    public const int MaxChars = 64 * 1024;

    static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 };

    /// <summary>The document <paramref name="json"/> as the preset <paramref name="name"/>.</summary>
    public static BackgroundPreset Parse(string json, string name)
    {
        using var doc = JsonPathReader.Open(json, $"background '{name}'", MaxChars, Options, out var problem)
            ?? throw new SpecValidationException([new SpecError("$", problem)], $"background '{name}'");
        var r = new BackgroundReader();
        var preset = r.Read(doc.RootElement, "$", name);
        if (r.Errors.Count > 0 || preset is null) throw new SpecValidationException(r.Errors, $"background '{name}'");
        return preset;
    }

    /// <summary>The preset <paramref name="name"/> embedded in this assembly, or null when there is none.</summary>
    internal static BackgroundPreset? Embedded(string name)
    {
        using var stream = typeof(BackgroundDocument).Assembly.GetManifestResourceStream($"Talos.Gpu.Aether.Presets.{name}.background.json");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name);
    }
}

/// <summary>Reads a background document's procedural layers (<see cref="BackgroundDocument"/>).</summary>
sealed class BackgroundReader : JsonPathReader
{
    /// <summary>The procedural layer kinds and the fields each takes (besides <c>procedural</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Kinds = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["sky"] = ["top", "horizon"],
        ["ground"] = ["far", "near"],
        ["celestial"] = ["depth", "colour", "intensity", "radius", "glow"],
        ["stars"] = ["depth", "cell", "density", "brightness", "seed"],
        ["clouds"] = ["depth", "colour", "height", "size", "spacing", "seed"],
        ["ridge"] = ["depth", "colour", "height", "amplitude", "wavelength", "seed", "haze"],
        ["skyline"] = ["depth", "colour", "width", "minHeight", "maxHeight", "seed", "windowColour", "windowIntensity", "litWindows", "haze"],
        ["window"] = ["depth", "centreX", "bottom", "top", "width", "frame", "skyTop", "skyBottom", "repeat"],
        ["planks"] = ["depth", "plankWidth", "seam", "seed"],
        ["cyclorama"] = ["depth", "sweep", "vignette"],
    };

    static readonly string[] DocumentProps = ["groundLine", "layers"];

    public BackgroundPreset? Read(JsonElement root, string path, string name)
    {
        if (!IsObject(root, path, "a background document")) return null;
        CheckProperties(root, path, DocumentProps);
        if (Get(root, "groundLine", out _)) Err($"{path}.groundLine", "places image layers; a document of procedural layers stands on the characters' ground line");
        return Layers(Array(root, "layers", path, Limits.MaxPlateLayers, required: true, minItems: 2), path, name);
    }

    /// <summary>A document's procedural layers, <paramref name="items"/> being <c>PATH.layers[0…]</c> (a plate's leading ones).</summary>
    public BackgroundPreset? Layers(IReadOnlyList<JsonElement> items, string path, string name)
    {
        Rgb? top = null, horizon = null, far = null, near = null;
        var scenery = new List<Scenery>();
        for (int i = 0; i < items.Count; i++)
        {
            var p = $"{path}.layers[{i}]";
            if (!IsObject(items[i], p, "a layer")) continue;
            var kind = Known(items[i], "procedural", p, "", [.. Kinds.Keys], "procedural layer", required: true);
            if (!Kinds.TryGetValue(kind, out var props)) continue;
            CheckProperties(items[i], p, ["procedural", .. props]);
            var l = items[i];
            switch (kind)
            {
                case "sky":
                    if (i != 0) Err($"{p}.procedural", "the sky (or an interior's wall) is the first layer");
                    (top, horizon) = (Colour(l, "top", p), Colour(l, "horizon", p));
                    break;
                case "ground":
                    if (i != 1) Err($"{p}.procedural", "the ground (or floor) is the second layer, after the sky");
                    (far, near) = (Colour(l, "far", p), Colour(l, "near", p));
                    break;
                default:
                    if (i < 2) Err($"{p}.procedural", "the first two layers are the sky and the ground");
                    if (Scenery(kind, l, p) is { } s)
                    {
                        if (scenery.Count > 0 && s.Depth < scenery[^1].Depth)
                            Err($"{p}.depth", $"layers run back to front: depth {s.Depth} is nearer the back than the layer before it ({scenery[^1].Depth})");
                        scenery.Add(s);
                    }
                    break;
            }
        }
        if (Errors.Count > 0) return null;
        if (top is null || far is null || horizon is null || near is null)
        {
            Err($"{path}.layers", "needs a sky and a ground layer first");
            return null;
        }
        if (scenery.Count(s => s is Cyclorama) > 1) Err($"{path}.layers", "has more than one cyclorama");
        return Errors.Count > 0 ? null : new BackgroundPreset(name, top.Value, horizon!.Value, far.Value, near!.Value, scenery);
    }

    Scenery? Scenery(string kind, JsonElement l, string p)
    {
        float depth = F(l, "depth", p, 0f, Plate.MaxDepth, null);
        Scenery s = kind switch
        {
            "celestial" => new Celestial(depth, Colour(l, "colour", p) * F(l, "intensity", p, 0f, 16f, 1f), F(l, "radius", p, 0f, 1f), F(l, "glow", p, 0f, 4f)),
            "stars" => new Stars(depth, F(l, "cell", p, 0.005f, 1f), F(l, "density", p, 0f, 1f), F(l, "brightness", p, 0f, 16f), Seed(l, p)),
            "clouds" => new Clouds(depth, Colour(l, "colour", p), F(l, "height", p, 0f, 4f), F(l, "size", p, 0.001f, 2f), F(l, "spacing", p, 0.01f, 10f), Seed(l, p)),
            "ridge" => new Ridge(depth, Colour(l, "colour", p), F(l, "height", p, 0f, 4f), F(l, "amplitude", p, 0f, 4f), F(l, "wavelength", p, 0.01f, 10f),
                Seed(l, p), F(l, "haze", p, 0f, 1f, 0f)),
            "skyline" => new Skyline(depth, Colour(l, "colour", p), F(l, "width", p, 0.01f, 4f), F(l, "minHeight", p, 0f, 4f), F(l, "maxHeight", p, 0f, 4f),
                Seed(l, p), Colour(l, "windowColour", p) * F(l, "windowIntensity", p, 0f, 16f, 1f), F(l, "litWindows", p, 0f, 1f), F(l, "haze", p, 0f, 1f, 0f)),
            "window" => new Window(depth, F(l, "centreX", p, -10f, 10f), F(l, "bottom", p, -4f, 4f), F(l, "top", p, -4f, 4f), F(l, "width", p, 0.01f, 4f),
                Colour(l, "frame", p), Colour(l, "skyTop", p), Colour(l, "skyBottom", p), F(l, "repeat", p, 0f, 10f, 0f)),
            "planks" => new Planks(depth, F(l, "plankWidth", p, 0.005f, 4f), Colour(l, "seam", p), Seed(l, p)),
            "cyclorama" => new Cyclorama(depth, F(l, "sweep", p, 0.01f, 1f), F(l, "vignette", p, 0f, 1f)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a scenery kind"),
        };
        if (s is Skyline k && k.MinHeight > k.MaxHeight) Err($"{p}.minHeight", $"{k.MinHeight} is above maxHeight {k.MaxHeight}");
        if (s is Window w && w.Bottom >= w.Top) Err($"{p}.bottom", $"{w.Bottom} is not below top {w.Top}");
        return s;
    }

    /// <summary>A float read as a float (so a document gives the very bits a C# literal does), in [lo, hi]; required unless it has a default.</summary>
    float F(JsonElement obj, string name, string path, float lo, float hi, float? def = null)
    {
        if (!Get(obj, name, out var v))
        {
            if (def is null) Err($"{path}.{name}", "is required");
            return def ?? 0f;
        }
        if (v.ValueKind != JsonValueKind.Number) { Err($"{path}.{name}", $"must be a number, not {Kind(v)}"); return def ?? 0f; }
        if (!v.TryGetSingle(out var f) || !float.IsFinite(f) || f < lo || f > hi) { Err($"{path}.{name}", $"{v.GetRawText()} is outside {lo}..{hi}"); return def ?? 0f; }
        return f;
    }

    uint Seed(JsonElement obj, string path)
    {
        if (!Get(obj, "seed", out var v)) { Err($"{path}.seed", "is required (every random is seeded)"); return 0; }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetUInt32(out var s)) { Err($"{path}.seed", $"must be an integer 0..{uint.MaxValue}, not {v.GetRawText()}"); return 0; }
        return s;
    }

    Rgb Colour(JsonElement obj, string name, string path)
    {
        var s = Str(obj, name, path, required: true, nullable: false);
        if (s is null) return default;
        if (!Rgb.TryParseHex(s, out var c)) Err($"{path}.{name}", $"'{Identifiers.Printable(s)}' is not a colour #rrggbb");
        return c;
    }
}
