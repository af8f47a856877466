using System.Text.Json;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Titles;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Commercials;

/// <summary>
/// Reads a brief (docs/brief.schema.json). Every problem is reported at once with its JSON path
/// (<see cref="SpecValidationException"/> with subject "brief"): a missing or empty field, a duration that is not 6, 15 or
/// 30, an unknown field, a colour that is not #rrggbb, an unknown rig, an asset path that leaves the brief's folder or
/// names no file, a logo or product image that does not decode.
/// </summary>
public static class BriefJson
{
    public const int MaxChars = 1024 * 1024, MaxCast = 4, MaxTextChars = 200;
    /// <summary>Largest asset file a brief may name.</summary>
    public const long MaxAssetBytes = 64L << 20;

    static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 };

    /// <summary>A brief file: its assets are read relative to its folder.</summary>
    public static Brief Load(string path)
    {
        if (!File.Exists(path)) throw new PrismException($"no such brief '{path}'");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new PrismException($"cannot read brief '{path}': {e.Message}"); }
        return Parse(text, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>A brief's JSON; asset paths are relative to <paramref name="folder"/> and must stay inside it.</summary>
    public static Brief Parse(string json, string folder)
    {
        using var doc = JsonPathReader.Open(json, "brief JSON", MaxChars, ReadOptions, out var problem)
            ?? throw new SpecValidationException([new SpecError("$", problem)], "brief");
        var r = new BriefReader(Path.GetFullPath(folder));
        var brief = r.Read(doc.RootElement);
        if (r.Errors.Count > 0 || brief is null) throw new SpecValidationException(r.Errors, "brief");
        return brief;
    }

    sealed class BriefReader(string folder) : JsonPathReader
    {
        static readonly string[] Props = ["brand", "product", "tagline", "callToAction", "durationSeconds", "logo", "productImage", "palette", "music", "cast"];
        static readonly string[] PaletteProps = ["primary", "secondary", "background", "text"];
        static readonly string[] CastProps = ["name", "rig", "palette"];

        public Brief? Read(JsonElement root)
        {
            if (!IsObject(root, "$", "a brief")) return null;
            CheckProperties(root, "$", Props);
            var brand = Text(root, "brand");
            var product = Text(root, "product");
            var tagline = Text(root, "tagline");
            var cta = Text(root, "callToAction");
            var duration = Int(root, "durationSeconds", "$", required: true);
            if (duration is { } d && !Brief.Durations.Contains(d))
                Err("$.durationSeconds", $"{d} is not a spot length; expected one of {string.Join(", ", Brief.Durations)} seconds");
            var logo = Asset(root, "logo", image: true);
            var productImage = Asset(root, "productImage", image: true);
            var music = Asset(root, "music", image: false);
            var palette = Palette(root);
            var cast = Cast(root);
            if (Errors.Count > 0) return null;
            return new Brief
            {
                Brand = brand!, Product = product!, Tagline = tagline!, CallToAction = cta!, DurationSeconds = duration!.Value,
                Logo = logo, ProductImage = productImage, Music = music, Palette = palette, Cast = cast,
            };
        }

        string? Text(JsonElement obj, string name, string path = "$")
        {
            var s = Str(obj, name, path, required: true, nullable: false);
            if (s is null) return null;
            if (string.IsNullOrWhiteSpace(s)) { Err($"{path}.{name}", "is empty"); return null; }
            if (s.Length > MaxTextChars) { Err($"{path}.{name}", $"is {s.Length} characters; at most {MaxTextChars}"); return null; }
            return s.Trim();
        }

        BrandPalette Palette(JsonElement root)
        {
            var def = BrandPalette.Default;
            if (!Get(root, "palette", out var v) || v.ValueKind == JsonValueKind.Null) return def;
            if (!IsObject(v, "$.palette", "a palette")) return def;
            CheckProperties(v, "$.palette", PaletteProps);
            string C(string name, string fallback)
            {
                var s = Str(v, name, "$.palette", nullable: false);
                if (s is null) return fallback;
                if (!SpecVocabulary.IsColour(s)) { Err($"$.palette.{name}", $"colour '{Identifiers.Printable(s)}' is not of the form #rrggbb"); return fallback; }
                return s;
            }
            return new BrandPalette(C("primary", def.Primary), C("secondary", def.Secondary), C("background", def.Background), C("text", def.Text));
        }

        IReadOnlyList<CastMember> Cast(JsonElement root)
        {
            var cast = new List<CastMember>();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int i = 0;
            foreach (var e in Array(root, "cast", "$", MaxCast))
            {
                var p = $"$.cast[{i++}]";
                if (!IsObject(e, p, "a cast member")) continue;
                CheckProperties(e, p, CastProps);
                var name = Str(e, "name", p, required: true, nullable: false);
                if (name is not null && !Identifiers.IsSafeId(name, out var why)) { Err($"{p}.name", $"name {why}"); name = null; }
                if (name is not null && !names.Add(name)) { Err($"{p}.name", $"'{name}' is cast twice"); name = null; }
                var rig = Known(e, "rig", p, "lanky", SpecVocabulary.Rigs, "rig", required: true);
                Dictionary<string, string>? palette = null;
                if (Get(e, "palette", out var pv) && pv.ValueKind != JsonValueKind.Null && IsObject(pv, $"{p}.palette", "a palette (region → \"#rrggbb\")"))
                {
                    palette = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var c in pv.EnumerateObject())
                    {
                        if (!Identifiers.IsSafeId(c.Name, out var whyR)) { Err($"{p}.palette.{SafeName(c.Name)}", $"region name {whyR}"); continue; }
                        if (c.Value.ValueKind != JsonValueKind.String || !SpecVocabulary.IsColour(c.Value.GetString()))
                        { Err($"{p}.palette.{c.Name}", "colour is not of the form #rrggbb"); continue; }
                        palette[c.Name] = c.Value.GetString()!;
                    }
                }
                if (name is not null) cast.Add(new CastMember(name, rig, palette));
            }
            return cast;
        }

        /// <summary>An asset field: a vault name (sha256/HASH) or a file inside the brief's folder; images are decoded to prove them.</summary>
        BriefAsset? Asset(JsonElement root, string name, bool image)
        {
            var path = $"$.{name}";
            var s = Str(root, name, "$");
            if (s is null) return null;
            if (Identifiers.IsHashName(s)) return new BriefAsset(s, null, null);
            if (!Identifiers.IsSafeAssetName(s, out var why))
            {
                Err(path, s.Split('/').Contains("..") || s.StartsWith('/') ? $"'{Identifiers.Printable(s)}' leaves the brief's folder: name a file beside the brief or below it" : $"asset name {why}");
                return null;
            }
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, s));
            if (!full.StartsWith(folder + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            { Err(path, $"'{Identifiers.Printable(s)}' leaves the brief's folder"); return null; }
            if (!File.Exists(full)) { Err(path, $"no such file '{Identifiers.Printable(s)}' beside the brief"); return null; }
            byte[] bytes;
            try
            {
                if (new FileInfo(full).Length > MaxAssetBytes) { Err(path, $"'{s}' is larger than {MaxAssetBytes >> 20} MB"); return null; }
                bytes = File.ReadAllBytes(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Err(path, $"cannot read '{s}': {e.Message}"); return null; }
            if (image && ImageProblem(bytes) is { } bad) { Err(path, $"'{Identifiers.Printable(s)}' {bad}"); return null; }
            return new BriefAsset(s, full, bytes);
        }
    }

    /// <summary>Null when the bytes are a logo the title layer can draw (a PNG that decodes, an SVG that parses into a drawing with a size); else what is wrong.</summary>
    public static string? ImageProblem(byte[] bytes)
    {
        try
        {
            using var logo = LogoImage.Decode(bytes);
            return null;
        }
        catch (CutturaException e) { return $"is not a usable image: {e.Message}"; }
    }
}
