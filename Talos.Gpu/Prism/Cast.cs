using System.Text.Json;
using Talos.Gpu.Axis;
using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>One character of a cast: its rig (a built-in name or a rig file's content name <c>sha256/HASH</c>), the colours
/// it overrides in the rig's default palette (region → <c>#rrggbb</c>, every region one the rig paints), its scratch voice.</summary>
public sealed record CastRole(string Rig, IReadOnlyDictionary<string, string>? Palette, string? Voice);

/// <summary>Where a cast's references come from: a rig that is not built in (its content name, the rig, and the files to store
/// for it), and a palette file's bytes. A cast file on disk reads files beside it; the API reads uploaded assets.</summary>
public sealed record CastSources(Func<string, (string Name, Rig Rig, IReadOnlyList<ContentAsset> Assets)> Rig, Func<string, byte[]> Palette);

/// <summary>
/// A cast (docs/cast.md): screenplay character names, matched case-insensitively, to a rig, palette and voice —
/// <c>{"characters": {"STEEL": {"rig": "stocky" | "rigs/steel.rig.json" | "sha256/…", "palette": {"coat": "#2060c0"} |
/// "steel.palette.json", "voice": "m3:28"}}}</c>. PRISM dresses the characters it plans with it (<see cref="Dress"/>); a
/// character the cast does not name keeps the built-in rig it gets without one. Reading checks everything (every rig
/// loads, every palette region is one its rig paints, every voice is a scratch voice) before anything is stored:
/// <see cref="Assets"/> (rig files and their drawings, by content) go into the vault only once the whole cast is good.
/// </summary>
public sealed record Cast(IReadOnlyDictionary<string, CastRole> Characters, IReadOnlyList<ContentAsset> Assets)
{
    /// <summary>The cast file found beside a screenplay.</summary>
    public const string FileName = "cast.json";
    public const int MaxBytes = 1024 * 1024, MaxCharacters = 1000;

    static readonly string[] MemberProps = ["rig", "palette", "voice"];

    /// <summary>A rig file or drawing of the cast by its content name (<c>sha256/HASH</c>), or null: the reader for drawing a dressed
    /// character without a vault (storyboards, animatics).</summary>
    public byte[]? Asset(string name) => Assets.FirstOrDefault(a => a.Name == name)?.Bytes;

    /// <summary>The member named <paramref name="character"/> (case-insensitive), or null.</summary>
    public CastRole? For(string character) => Characters.TryGetValue(character.Trim(), out var m) ? m : null;

    /// <summary>A planned character in its cast rig, palette (the spec's own entries win) and voice; unchanged when the cast does not name it.</summary>
    public CharacterSpec Dress(CharacterSpec c)
    {
        if (For(c.Name) is not { } m) return c;
        var palette = new Dictionary<string, string>(m.Palette ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (region, colour) in c.Palette ?? new Dictionary<string, string>()) palette[region] = colour;
        return c with { Rig = m.Rig, Palette = palette.Count == 0 ? null : palette, Voice = m.Voice ?? c.Voice };
    }

    /// <summary>A cast name that is none of <paramref name="characters"/> (a typo would otherwise leave a character in a default
    /// rig without a word) is an error naming it and the characters there are.</summary>
    public void CheckNames(IEnumerable<string> characters, string source)
    {
        var known = characters.Select(c => c.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var unknown = Characters.Keys.Where(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
            throw new CastException($"the cast names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, who {(unknown.Count == 1 ? "is" : "are")} not in {source} (its characters: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
    }

    /// <summary>Shot specs read from JSON, dressed: the cast's names are checked against the specs' characters.</summary>
    public IReadOnlyList<ShotSpec> ApplyTo(IReadOnlyList<ShotSpec> specs, string source)
    {
        CheckNames(specs.SelectMany(s => s.Characters.Select(c => c.Name)), source);
        return specs.Select(s => s with { Characters = s.Characters.Select(Dress).ToList() }).ToList();
    }

    /// <summary>
    /// A cast file on disk: rig and palette paths are relative to its folder and stay inside it; a rig file's drawings are
    /// read beside the rig file (<see cref="RigAssets.Import"/>). Every problem is a <see cref="PrismException"/> naming the
    /// file, the character and the field. Nothing is stored.
    /// </summary>
    public static Cast Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new CastException($"cast file '{path}' not found");
        if (new FileInfo(full).Length > MaxBytes) throw new CastException($"cast file '{path}' is larger than {MaxBytes} bytes");
        var folder = Path.GetDirectoryName(full)!;
        string Inside(string reference, string what)
        {
            var file = Path.GetFullPath(Path.Combine(folder, reference));
            if (!file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw new InvalidDataException($"{what} '{reference}' is outside the cast file's folder");
            if (!File.Exists(file)) throw new InvalidDataException($"{what} '{reference}' not found ({file})");
            return file;
        }
        var sources = new CastSources(
            reference =>
            {
                if (Identifiers.IsHashName(reference))
                    throw new InvalidDataException($"'{reference}' names an uploaded rig; a cast file names its rig files by path (sha256/HASH is for casts sent through the API)");
                var (rig, file, drawings) = RigAssets.Import(Inside(reference, "rig file"));
                return (file.Name, rig, [.. drawings, file]);
            },
            reference =>
            {
                var file = Inside(reference, "palette file");
                return new FileInfo(file).Length > MaxBytes ? throw new InvalidDataException($"palette file '{reference}' is larger than {MaxBytes} bytes") : File.ReadAllBytes(file);
            });
        return Parse(File.ReadAllText(full), $"cast file '{path}'", sources);
    }

    /// <summary>A cast from JSON, its non-built-in rigs and palette files read through <paramref name="sources"/>; every problem is a
    /// <see cref="CastException"/> naming <paramref name="where"/>, the character and the field.</summary>
    public static Cast Parse(string json, string where, CastSources sources)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 }); }
        catch (JsonException e) { throw new CastException($"{where} is not valid JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("characters", out var chars) || chars.ValueKind != JsonValueKind.Object)
                throw new CastException($"{where} must be {{\"characters\": {{\"NAME\": {{\"rig\", \"palette\", \"voice\"}}}}}}");
            foreach (var p in root.EnumerateObject())
                if (p.Name != "characters") throw new CastException($"{where}: unknown field '{Identifiers.Printable(p.Name)}' (known: characters)");
            var members = new Dictionary<string, CastRole>(StringComparer.OrdinalIgnoreCase);
            var assets = new Dictionary<string, ContentAsset>(StringComparer.Ordinal);
            foreach (var c in chars.EnumerateObject())
            {
                var name = c.Name.Trim();
                var at = $"{where}: characters.{Identifiers.Printable(name)}";
                if (name.Length is 0 or > Limits.MaxNameLength) throw new CastException($"{at}: a character name is 1 to {Limits.MaxNameLength} characters");
                if (members.Count >= MaxCharacters) throw new CastException($"{where}: more than {MaxCharacters} characters");
                if (c.Value.ValueKind != JsonValueKind.Object) throw new CastException($"{at} must be an object {{\"rig\", \"palette\", \"voice\"}}");
                foreach (var p in c.Value.EnumerateObject())
                    if (!MemberProps.Contains(p.Name)) throw new CastException($"{at}: unknown field '{Identifiers.Printable(p.Name)}' (known: {string.Join(", ", MemberProps)})");
                var member = Member(c.Value, at, sources, assets);
                if (!members.TryAdd(name, member)) throw new CastException($"{at}: the character is cast twice (names match case-insensitively)");
            }
            return new Cast(members, assets.Values.OrderBy(a => a.Kind == RigAssets.RigKind).ToList()); // drawings before the rigs that name them
        }
    }

    static CastRole Member(JsonElement m, string at, CastSources sources, Dictionary<string, ContentAsset> assets)
    {
        if (!m.TryGetProperty("rig", out var r) || r.ValueKind != JsonValueKind.String || r.GetString() is not { Length: > 0 } reference)
            throw new CastException($"{at}.rig must name a rig: a built-in ({SpecVocabulary.OneOf(SpecVocabulary.Rigs)}), a rig file path, or sha256/HASH");
        string rigName;
        Rig rig;
        if (SpecVocabulary.Rigs.Contains(reference)) (rigName, rig) = (reference, Rigs.Get(reference));
        else
        {
            if (reference.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_') && !(reference.Length == 64 && reference.All(char.IsAsciiHexDigitLower)))
                throw new CastException($"{at}.rig: unknown built-in rig '{Identifiers.Printable(reference)}' (built-in: {SpecVocabulary.OneOf(SpecVocabulary.Rigs)}; or a rig file path, or sha256/HASH)");
            IReadOnlyList<ContentAsset> stored;
            try { (rigName, rig, stored) = sources.Rig(reference); }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException)
            { throw new CastException($"{at}.rig: {e.Message}", e); }
            foreach (var a in stored) assets.TryAdd(a.Name, a);
        }

        IReadOnlyDictionary<string, string>? palette = null;
        if (m.TryGetProperty("palette", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            var (element, source) = (p, $"{at}.palette");
            JsonDocument? file = null;
            try
            {
                if (p.ValueKind == JsonValueKind.String)
                {
                    byte[] bytes;
                    try { bytes = sources.Palette(p.GetString()!); }
                    catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException)
                    { throw new CastException($"{source}: {e.Message}", e); }
                    try { file = JsonDocument.Parse(bytes); }
                    catch (JsonException e) { throw new CastException($"{source}: palette file '{p.GetString()}' is not valid JSON: {e.Message}"); }
                    (element, source) = (file.RootElement, $"{source} ('{p.GetString()}')");
                }
                palette = Palette(element, source, rig);
            }
            finally { file?.Dispose(); }
        }

        string? voice = null;
        if (m.TryGetProperty("voice", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            voice = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (ScratchVoice.Parse(voice, out var problem) is null) throw new CastException($"{at}.voice: {problem}");
        }
        return new CastRole(rigName, palette, voice);
    }

    /// <summary>Region → <c>#rrggbb</c> over the rig's default palette: a region the rig does not paint is an error naming it.</summary>
    static Dictionary<string, string> Palette(JsonElement e, string at, Rig rig)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new CastException($"{at} must be an object of region → \"#rrggbb\" (or a palette file path)");
        var palette = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in e.EnumerateObject())
        {
            if (!rig.DefaultPalette.ContainsKey(entry.Name))
                throw new CastException($"{at}: region '{Identifiers.Printable(entry.Name)}' is not one rig '{rig.Name}' paints ({string.Join(", ", rig.Regions)})");
            if (entry.Value.ValueKind != JsonValueKind.String || !SpecVocabulary.IsColour(entry.Value.GetString()))
                throw new CastException($"{at}.{entry.Name}: not a colour of the form #rrggbb");
            palette[entry.Name] = entry.Value.GetString()!;
        }
        return palette;
    }
}
