using System.Text.Json;
using System.Text.RegularExpressions;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Chroma;

/// <summary>One paint of the palette table: a region name ("skin", or a tone "skin.shadow") and its linear colour.</summary>
public sealed record PaletteEntry(string Name, Rgb Colour);

/// <summary>
/// A colour model sheet (docs/palette.md, docs/palette.schema.json): named regions per character part, each with a
/// base colour and optional shadow and highlight tones, an ink colour, and per-character overrides. It flattens to a
/// palette table whose names are <c>part</c>, <c>part.shadow</c>, <c>part.highlight</c>; a hint or seed names one of
/// them. Colours are written as sRGB <c>#rrggbb</c> and held in linear light.
/// </summary>
public sealed partial class ColourModel
{
    public static readonly Rgb DefaultInk = Rgb.FromHex("#1b1620");
    public const int MaxRegions = 4096;

    public Rgb Ink { get; }
    public IReadOnlyList<PaletteEntry> Table { get; }
    readonly IReadOnlyDictionary<string, IReadOnlyList<PaletteEntry>> characters;

    ColourModel(Rgb ink, IReadOnlyList<PaletteEntry> table, IReadOnlyDictionary<string, IReadOnlyList<PaletteEntry>> characters)
    {
        Ink = ink; Table = table; this.characters = characters;
    }

    public IReadOnlyCollection<string> Characters => characters.Keys.ToList();

    /// <summary>The model from plain region → colour pairs (a shot's palette).</summary>
    public static ColourModel FromPalette(IReadOnlyDictionary<string, Rgb> palette, Rgb? ink = null) =>
        new(ink ?? DefaultInk, palette.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PaletteEntry(p.Key, p.Value)).ToList(),
            new Dictionary<string, IReadOnlyList<PaletteEntry>>());

    /// <summary>The table for one character: its own entries over the shared ones (same name → the character's).</summary>
    public IReadOnlyList<PaletteEntry> TableFor(string? character)
    {
        if (character is null) return Table;
        if (!characters.TryGetValue(character, out var own))
            throw new InvalidDataException($"palette has no character '{character}' (it has: {string.Join(", ", characters.Keys)})");
        var names = own.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return own.Concat(Table.Where(e => !names.Contains(e.Name))).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyDictionary<string, Rgb> ToDictionary(IReadOnlyList<PaletteEntry> table) =>
        table.ToDictionary(e => e.Name, e => e.Colour, StringComparer.Ordinal);

    /// <summary>Parses a colour model sheet; any problem is one <see cref="InvalidDataException"/> naming the JSON path.</summary>
    public static ColourModel Parse(string json, string source = "palette")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 }); }
        catch (JsonException e) { throw new InvalidDataException($"{source} is not valid JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, "$", "must be a JSON object");
            foreach (var p in root.EnumerateObject())
                if (p.Name is not ("$schema" or "name" or "ink" or "regions" or "characters"))
                    throw Bad(source, "$." + p.Name, "is not a palette field (expected name, ink, regions, characters)");
            var ink = root.TryGetProperty("ink", out var inkEl) ? Colour(inkEl, source, "$.ink") : DefaultInk;
            if (!root.TryGetProperty("regions", out var regions) && !root.TryGetProperty("characters", out _))
                throw Bad(source, "$", "has neither 'regions' nor 'characters'");
            var table = root.TryGetProperty("regions", out regions) ? Regions(regions, source, "$.regions") : [];
            var chars = new Dictionary<string, IReadOnlyList<PaletteEntry>>(StringComparer.Ordinal);
            if (root.TryGetProperty("characters", out var ch))
            {
                if (ch.ValueKind != JsonValueKind.Object) throw Bad(source, "$.characters", "must be an object of character name → regions");
                foreach (var c in ch.EnumerateObject())
                {
                    if (!NamePattern().IsMatch(c.Name)) throw Bad(source, "$.characters", $"'{c.Name}' is not a valid name (letters, digits, _ and -)");
                    chars[c.Name] = Regions(c.Value, source, "$.characters." + c.Name);
                }
            }
            if (table.Count == 0 && chars.Count == 0) throw Bad(source, "$.regions", "names no region");
            return new ColourModel(ink, table, chars);
        }
    }

    static List<PaletteEntry> Regions(JsonElement el, string source, string path)
    {
        if (el.ValueKind != JsonValueKind.Object) throw Bad(source, path, "must be an object of region name → colour");
        var list = new List<PaletteEntry>();
        foreach (var r in el.EnumerateObject())
        {
            string at = path + "." + r.Name;
            if (!NamePattern().IsMatch(r.Name)) throw Bad(source, at, $"'{r.Name}' is not a valid region name (letters, digits, _ and -)");
            if (r.Value.ValueKind == JsonValueKind.String) { list.Add(new(r.Name, Colour(r.Value, source, at))); continue; }
            if (r.Value.ValueKind != JsonValueKind.Object) throw Bad(source, at, "must be \"#rrggbb\" or {\"base\", \"shadow\", \"highlight\"}");
            if (!r.Value.TryGetProperty("base", out var b)) throw Bad(source, at, "has no 'base' colour");
            foreach (var t in r.Value.EnumerateObject())
            {
                if (t.Name is not ("base" or "shadow" or "highlight")) throw Bad(source, at + "." + t.Name, "is not a tone (expected base, shadow, highlight)");
                list.Add(new(t.Name == "base" ? r.Name : r.Name + "." + t.Name, Colour(t.Value, source, at + "." + t.Name)));
            }
            if (list.Count > MaxRegions) throw Bad(source, path, $"has more than {MaxRegions} entries");
        }
        list.Sort((a, c) => string.CompareOrdinal(a.Name, c.Name));
        return list;
    }

    static Rgb Colour(JsonElement el, string source, string path) =>
        el.ValueKind == JsonValueKind.String && Rgb.TryParseHex(el.GetString(), out var c) && HexPattern().IsMatch(el.GetString()!)
            ? c : throw Bad(source, path, $"{el.GetRawText()} is not a \"#rrggbb\" colour");

    static InvalidDataException Bad(string source, string path, string what) => new($"{source}: {path} {what}");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")] private static partial Regex NamePattern();
    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")] private static partial Regex HexPattern();
}

/// <summary>Hints for <c>talos colorize</c>: points that name the region under them (a scribble of one pixel).</summary>
public static class ColourHints
{
    public const int MaxHints = 100_000;

    /// <summary><c>{"hints": [{"x": 40, "y": 30, "region": "skin"}, …]}</c> or the bare array.</summary>
    public static List<RegionSeed> Parse(string json, string source = "hints")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 8 }); }
        catch (JsonException e) { throw new InvalidDataException($"{source} is not valid JSON: {e.Message}"); }
        using (doc)
        {
            var arr = doc.RootElement;
            if (arr.ValueKind == JsonValueKind.Object && arr.TryGetProperty("hints", out var h)) arr = h;
            if (arr.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{source}: $ must be an array of hints or {{\"hints\": [...]}}");
            var seeds = new List<RegionSeed>();
            int k = 0;
            foreach (var e in arr.EnumerateArray())
            {
                string at = $"$.hints[{k++}]";
                if (seeds.Count >= MaxHints) throw new InvalidDataException($"{source}: more than {MaxHints} hints");
                if (e.ValueKind != JsonValueKind.Object
                    || !e.TryGetProperty("x", out var x) || x.ValueKind != JsonValueKind.Number
                    || !e.TryGetProperty("y", out var y) || y.ValueKind != JsonValueKind.Number
                    || !e.TryGetProperty("region", out var r) || r.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"{source}: {at} must be {{\"x\": number, \"y\": number, \"region\": \"name\"}}");
                seeds.Add(new RegionSeed(x.GetSingle(), y.GetSingle(), r.GetString()!));
            }
            return seeds;
        }
    }
}
