using Talos.Gpu.Imaging;

namespace Talos.Gpu.Axis;

/// <summary>
/// The built-in rigs — "lanky" (tall and thin), "stocky" (short and broad, in a coat), "round" (round body in a dress) —
/// are rig files (talos-rig/1, docs/rigs.md): <c>Talos.Gpu/Axis/Rigs/*.rig.json</c>, embedded, read by the same
/// <see cref="Rigging.RigFile"/> as a studio's own. A studio file may still be in the proportions format the built-ins
/// were first written in (<see cref="Parse"/>); it is converted to a rig file on load (<see cref="Rigging.ProportionsRig"/>).
/// </summary>
public static class Rigs
{
    // (declared before BuiltIn: static fields initialise in order, and BuiltIn parses with these)
    static readonly string[] Lengths =
    [
        "height", "headRx", "headRy", "neck", "neckRadius", "torsoLength", "shoulderHalfWidth", "hipHalfWidth", "upperArm", "lowerArm",
        "armRadius", "handRadius", "upperLeg", "lowerLeg", "legRadius", "shoeLength", "shoeHeight",
    ];
    static readonly string[] PartRegions = ["armRegion", "bodyRegion", "legRegion", "footRegion"];
    static readonly string[] DrawnRegions = ["skin", "hair", "eyes"];

    static readonly IReadOnlyList<Rig> BuiltIn = new[] { "lanky", "stocky", "round" }.Select(n => Rigging.RigFile.Read(ReadEmbedded($"Talos.Gpu.Axis.Rigs.{n}.rig.json"))).ToList();

    public static Rig Lanky => Get("lanky");
    public static Rig Stocky => Get("stocky");
    public static Rig Round => Get("round");

    static readonly Dictionary<string, Rig> ByName = BuiltIn.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>The rig names, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = BuiltIn.Select(r => r.Name).ToList();

    /// <summary>The built-in rig called <paramref name="name"/>, or null.</summary>
    public static Rig? Find(string? name) => name is not null && ByName.TryGetValue(name, out var rig) ? rig : null;

    /// <summary>The rig called <paramref name="name"/>; throws ArgumentException naming it and the known rigs otherwise.</summary>
    public static Rig Get(string name) =>
        name is not null && ByName.TryGetValue(name, out var rig) ? rig
            : throw new ArgumentException($"unknown rig '{name}'; known rigs: {string.Join(", ", Names)}", nameof(name));

    /// <summary>
    /// The one rig of a rig file: the data format <c>talos-rig/1</c> (docs/rigs.md; <paramref name="readAsset"/> resolves a
    /// drawing reference — a path relative to the rig file or <c>sha256/HEX</c> — to its bytes; null means the rig has
    /// no external drawings), or a file in the built-ins' proportions format holding exactly one rig. Every problem is
    /// one ArgumentException listing them with their JSON paths.
    /// </summary>
    public static Rig Load(string json, Func<string, byte[]>? readAsset = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        bool proportions;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json, new System.Text.Json.JsonDocumentOptions { MaxDepth = 32 });
            proportions = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty("rigs", out _);
        }
        catch (System.Text.Json.JsonException e) { throw new ArgumentException($"rig file is not valid JSON: {e.Message}"); }
        if (!proportions) return Rigging.RigFile.Read(json, readAsset);
        var rigs = Parse(json);
        return rigs.Count == 1 ? rigs[0] : throw new ArgumentException($"a rig file holds exactly one rig; this one holds {rigs.Count} ({string.Join(", ", rigs.Select(r => r.Name))})");
    }

    static string ReadEmbedded(string resource)
    {
        using var stream = typeof(Rigs).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException("the built-in rig file is missing from Talos.Gpu");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    sealed class RigFile { public List<Dictionary<string, System.Text.Json.JsonElement>>? Rigs { get; set; } }


    /// <summary>
    /// Reads rigs in the proportions format (<c>{ "rigs": [ { "name", proportions…, "outfit", "hair", part regions, "palette" } ] }</c>),
    /// each converted to a rig file by <see cref="Rigging.ProportionsRig"/>; every problem is an <see cref="ArgumentException"/>
    /// naming the rig and the field.
    /// </summary>
    public static IReadOnlyList<Rig> Parse(string json)
    {
        RigFile? file;
        try { file = System.Text.Json.JsonSerializer.Deserialize<RigFile>(json, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)); }
        catch (System.Text.Json.JsonException e) { throw new ArgumentException($"rig file is not valid JSON: {e.Message}"); }
        if (file?.Rigs is not { Count: > 0 } list) throw new ArgumentException("rig file has no \"rigs\"");
        var rigs = new List<Rig>();
        foreach (var (d, index) in list.Select((d, i) => (d, i)))
        {
            string name = Text(d, "name", $"rigs[{index}]");
            string where = $"rig '{name}'";
            float L(string key)
            {
                if (!d.TryGetValue(key, out var v) || v.ValueKind != System.Text.Json.JsonValueKind.Number || !v.TryGetSingle(out var f) || !float.IsFinite(f) || f <= 0f || f > 4f)
                    throw new ArgumentException($"{where}: '{key}' must be a number in (0, 4]");
                return f;
            }
            foreach (var key in d.Keys)
                if (!Lengths.Contains(key) && !PartRegions.Contains(key) && key is not ("name" or "outfit" or "hair" or "palette"))
                    throw new ArgumentException($"{where}: unknown field '{key}'");
            var palette = new Dictionary<string, Rgb>(StringComparer.Ordinal);
            if (!d.TryGetValue("palette", out var p) || p.ValueKind != System.Text.Json.JsonValueKind.Object) throw new ArgumentException($"{where}: 'palette' must be an object of region → \"#rrggbb\"");
            foreach (var entry in p.EnumerateObject())
                palette[entry.Name] = Rgb.TryParseHex(entry.Value.ValueKind == System.Text.Json.JsonValueKind.String ? entry.Value.GetString() : null, out var c)
                    ? c : throw new ArgumentException($"{where}: palette '{entry.Name}' is not a colour of the form #rrggbb");
            var regions = PartRegions.ToDictionary(k => k, k => Text(d, k, where));
            foreach (var region in regions.Values.Concat(DrawnRegions))
                if (!palette.ContainsKey(region)) throw new ArgumentException($"{where}: region '{region}' has no colour in 'palette'");
            var outfit = Enum.TryParse<Rigging.Outfit>(Text(d, "outfit", where), true, out var o) && Enum.IsDefined(o) ? o
                : throw new ArgumentException($"{where}: 'outfit' must be one of {string.Join(", ", Enum.GetNames<Rigging.Outfit>()).ToLowerInvariant()}");
            var hair = Enum.TryParse<Rigging.HairStyle>(Text(d, "hair", where), true, out var h) && Enum.IsDefined(h) ? h
                : throw new ArgumentException($"{where}: 'hair' must be one of {string.Join(", ", Enum.GetNames<Rigging.HairStyle>()).ToLowerInvariant()}");
            var proportions = new Rigging.Proportions(name, L("height"), L("headRx"), L("headRy"), L("neck"), L("neckRadius"), L("torsoLength"),
                L("shoulderHalfWidth"), L("hipHalfWidth"), L("upperArm"), L("lowerArm"), L("armRadius"), L("handRadius"), L("upperLeg"), L("lowerLeg"),
                L("legRadius"), L("shoeLength"), L("shoeHeight"), outfit, hair,
                regions["armRegion"], regions["bodyRegion"], regions["legRegion"], regions["footRegion"],
                p.EnumerateObject().Select(e => (e.Name, e.Value.GetString()!)).ToList());
            rigs.Add(Rigging.RigFile.Read(Rigging.ProportionsRig.ToRigFile(proportions)));
        }
        var dup = rigs.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"rig '{dup.Key}' is defined twice");
        return rigs;
    }

    /// <summary>
    /// Keys whose string values in a rig file are drawing references (a path relative to the rig file, or <c>sha256/HASH</c> of
    /// a drawing in the vault), read through <see cref="Load"/>'s <c>readAsset</c>. Importing a rig file into the vault
    /// (<see cref="RigAssets.Import"/>) stores every such drawing and rewrites its reference to <c>sha256/HASH</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> AssetKeys = ["image"];

    static string Text(Dictionary<string, System.Text.Json.JsonElement> d, string key, string where) =>
        d.TryGetValue(key, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s : throw new ArgumentException($"{where}: '{key}' must be a non-empty string");
}
