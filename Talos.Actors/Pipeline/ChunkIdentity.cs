using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Talos.Gpu.Flux;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;
using Talos.Vault;

namespace Talos.Actors.Pipeline;

using S = Talos.Messages.Stages;



/// <summary>
/// A chunk's content identity: the SHA-256 of everything its output is a function of — the stage and its algorithm
/// version (<see cref="StageVersions"/>), exactly the spec settings that stage reads (<see cref="StageSettings"/>), the
/// content of the assets the spec names, the chunk's frame range, ECHO's round and gains for those frames, and the
/// manifests of the stages it reads (and, for a sequential stage, of its own earlier chunks). Neither the shot's key nor
/// its production is part of it: the same work in another shot, revision or production is the same chunk. A chunk whose
/// identity already has a result in the vault is reused instead of rendered (<see cref="IBlobVault.ReuseChunk"/>).
/// </summary>
public sealed class ChunkIdentity
{
    readonly bool _sequential;
    readonly IReadOnlyDictionary<int, float> _gains;
    /// <summary>The digest of what every chunk of the job shares: stage, version, settings, assets, ECHO round, inputs.</summary>
    readonly string _job;

    ChunkIdentity(bool sequential, IReadOnlyDictionary<int, float> gains, string job) => (_sequential, _gains, _job) = (sequential, gains, job);

    /// <summary>
    /// What the chunks of <paramref name="job"/> share, worked out once (the spec's settings, the assets' content, the
    /// inputs); null when an asset the spec names is not in the vault (its chunks then render and fail with that error,
    /// as they always did).
    /// </summary>
    public static ChunkIdentity? ForJob(IStageRunner runner, StageJob job, IBlobVault vault)
    {
        var assets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in AssetNames(job.Spec))
        {
            if (assets.ContainsKey(name)) continue;
            string? hash;
            try { hash = vault.ResolveAsset(name); }
            catch (VaultException) { return null; }
            if (hash is null) return null;
            assets[name] = hash;
        }
        // The canonical JSON document below, written field by field in this order (what a JsonObject of the same fields
        // serializes to, byte for byte: ChunkIdentityTests compares the two), its settings from the spec's JSON made once.
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("stage", runner.Stage);
            w.WriteNumber("version", StageVersions.Of(runner.Stage));
            w.WritePropertyName("settings");
            StageSettings.Write(w, runner.Stage, job.Spec);
            w.WriteStartObject("assets");
            foreach (var (name, hash) in assets) w.WriteString(name, hash);
            w.WriteEndObject();
            w.WriteNumber("echoRound", job.Revision);
            w.WriteStartObject("inputs");
            foreach (var (stage, hashes) in job.Inputs.Where(kv => runner.Stage == S.Prism || kv.Key != S.Prism).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteStartArray(stage);
                foreach (var h in hashes) w.WriteStringValue(h);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            if (runner.Stage == S.Flux && job.Spec.Flux != ShotDrawing.Rife && FluxModel() is { } model) w.WriteString("fluxModel", model); // rife: the pinned model the spec names
            if (runner.Stage == S.Echo && Stages.EchoStage.Deep is not null) w.WriteString("echoModel", Talos.Gpu.Protoforge.ModelRegistry.ResNet18.FileSha256); // pops confirmed by ResNet-18
            w.WriteEndObject();
        }
        return new ChunkIdentity(runner.Sequential, job.FrameGains, Digest(buffer.WrittenSpan));
    }

    /// <summary>
    /// The identity of <paramref name="plan"/>: the job's digest with the chunk's frame range, ECHO's gains on those frames
    /// and (a sequential stage) its predecessors' manifests; null while a predecessor is not recorded yet.
    /// </summary>
    public string? Of(ChunkPlan plan, IReadOnlyDictionary<int, string> ownCompleted)
    {
        if (_sequential)
            for (int c = 0; c < plan.Chunk; c++)
                if (!ownCompleted.ContainsKey(c)) return null;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("job", _job);
            w.WriteStartArray("chunk");
            w.WriteNumberValue(plan.Chunk); w.WriteNumberValue(plan.FirstFrame); w.WriteNumberValue(plan.FrameCount);
            w.WriteEndArray();
            w.WriteStartObject("gains");
            foreach (var (frame, gain) in _gains.Where(g => g.Key >= plan.FirstFrame && g.Key < plan.FirstFrame + plan.FrameCount).OrderBy(g => g.Key))
                w.WriteNumber(frame.ToString(System.Globalization.CultureInfo.InvariantCulture), gain);
            w.WriteEndObject();
            w.WriteStartArray("own");
            if (_sequential) for (int c = 0; c < plan.Chunk; c++) w.WriteStringValue(ownCompleted[c]);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Digest(buffer.WrittenSpan);
    }

    /// <summary>One chunk's identity (<see cref="ForJob"/> then <see cref="Of(ChunkPlan, IReadOnlyDictionary{int, string})"/>).</summary>
    public static string? Of(IStageRunner runner, StageJob job, ChunkPlan plan, IReadOnlyDictionary<int, string> ownCompleted, IBlobVault vault) =>
        ForJob(runner, job, vault)?.Of(plan, ownCompleted);

    static string Digest(ReadOnlySpan<byte> json) => Convert.ToHexStringLower(SHA256.HashData(json));

    /// <summary>Every vault asset a spec names (keyframe drawings, audio, dialogue's recorded voices).</summary>
    public static IEnumerable<string> AssetNames(ShotSpec spec) => SpecAssets.Of(spec).Select(a => a.Name);

    static readonly ConcurrentDictionary<(string, DateTime, long), string> ModelHashes = new();

    /// <summary>The SHA-256 of the FLUX model file configured on this node (TALOS_FLUX_MODEL), which FLUX's inbetweens depend on.</summary>
    static string? FluxModel()
    {
        var path = Environment.GetEnvironmentVariable(OnnxInterpolator.EnvironmentVariable);
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return null;
        var info = new FileInfo(path);
        return ModelHashes.GetOrAdd((info.FullName, info.LastWriteTimeUtc, info.Length), _ =>
        {
            using var s = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(s));
        });
    }
}

/// <summary>
/// The spec settings each stage reads, as canonical JSON: the spec with the fields the stage never reads taken out.
/// Written as what each stage ignores (so a field added to the spec counts for every stage until someone shows a stage
/// ignores it); <c>StageSettingsTests</c> renders each stage with each ignored field changed and the same inputs and
/// checks the output is the same bytes.
/// </summary>
public static class StageSettings
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Fields no stage chunk reads: they name, order or cut the shot, or are its sound (the production editor reads
    /// the transition, and mixes the dialogue, sound cues and music to the loudness target).</summary>
    static readonly string[] NoStage = ["id", "production", "sequence", "title", "transition", "dialogue", "audio", "sounds", "loudness"];
    static readonly string[] Colour = ["palette", "characters[].palette", "mood"];
    /// <summary>FLUX's inbetweener of keyframe images: only FLUX reads it (and PRISM, which records the whole spec).</summary>
    const string FluxMethod = "flux";
    /// <summary>ECHO's repair budget: only ECHO reads it (and PRISM).</summary>
    const string EchoBudget = "echoBudget";

    /// <summary>Per stage, what it does not read (JSON paths: a top-level field, or <c>characters[].field</c>).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Ignored = new Dictionary<string, IReadOnlyList<string>>
    {
        // PRISM validates and records the whole spec (asset names included): every field counts.
        [S.Prism] = [],
        // AXIS and FLUX draw the speaking mouths from the dialogue's audio (lip-sync).
        [S.Axis] = [.. NoStage.Where(f => f != "dialogue"), .. Colour, "background", "plate", "lighting", "effects", "delivery", "layers", FluxMethod, EchoBudget],
        [S.Flux] = [.. NoStage.Where(f => f != "dialogue"), .. Colour, "background", "plate", "lighting", "effects", "delivery", "layers", EchoBudget],
        [S.Chroma] = [.. NoStage, "background", "plate", "lighting", "effects", "camera", "delivery", "layers", FluxMethod, EchoBudget],
        [S.Raygen] = [.. NoStage, .. Colour, "effects", "delivery", FluxMethod, EchoBudget],
        [S.Stokes] = [.. NoStage, .. Colour, "background", "plate", "lighting", "delivery", "layers", FluxMethod, EchoBudget],
        [S.Anima] = [.. NoStage, .. Colour, FluxMethod, EchoBudget],
        [S.Cuttura] = [.. NoStage, .. Colour, "background", "plate", "lighting", "effects", "camera", FluxMethod, EchoBudget],
        // ECHO names the shot in its report and judges black frames by the background.
        [S.Echo] = [.. NoStage.Where(f => f != "id"), .. Colour, "lighting", "effects", "camera", FluxMethod],
    };

    /// <summary><see cref="Ignored"/> per stage as <see cref="Write"/> applies it: the top-level fields, and the fields of each character.</summary>
    static readonly IReadOnlyDictionary<string, (HashSet<string> Fields, HashSet<string> CharacterFields)> Dropped =
        Ignored.ToDictionary(kv => kv.Key, kv => (
            kv.Value.Where(p => !p.StartsWith(CharacterPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal),
            kv.Value.Where(p => p.StartsWith(CharacterPrefix, StringComparison.Ordinal)).Select(p => p[CharacterPrefix.Length..]).ToHashSet(StringComparer.Ordinal)));
    const string CharacterPrefix = "characters[].";

    /// <summary>Each spec's JSON, made once per spec object (a shot's stages all read the same one); read-only and thread-safe.</summary>
    static readonly ConditionalWeakTable<ShotSpec, StrongBox<JsonElement>> Specs = new();

    /// <summary>
    /// Writes what <see cref="For"/> returns, the same bytes as serializing it, from the spec's JSON made once per spec
    /// object rather than once per stage (a stage agent's chunk identities start with it).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, string stage, ShotSpec spec)
    {
        var json = Specs.GetValue(spec, s => new StrongBox<JsonElement>(JsonSerializer.SerializeToElement(s, Json))).Value;
        var (ignored, fields) = Dropped.TryGetValue(stage, out var d) ? d : ([], []);
        writer.WriteStartObject();
        foreach (var property in json.EnumerateObject())
        {
            if (ignored.Contains(property.Name)) continue;
            if (fields.Count == 0 || property.Name != "characters" || property.Value.ValueKind != JsonValueKind.Array) { property.WriteTo(writer); continue; }
            writer.WriteStartArray(property.Name);
            foreach (var character in property.Value.EnumerateArray())
            {
                if (character.ValueKind != JsonValueKind.Object) { character.WriteTo(writer); continue; }
                writer.WriteStartObject();
                foreach (var field in character.EnumerateObject())
                    if (!fields.Contains(field.Name)) field.WriteTo(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    /// <summary>What <see cref="Write"/> writes for the stage, as a JSON object (one rule: this is read back from it).</summary>
    public static JsonObject For(string stage, ShotSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer)) Write(w, stage, spec);
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }
}

/// <summary>
/// Each stage's algorithm version: part of every chunk identity, so a change of what a stage's code makes (not of how
/// fast it makes it) must bump its number, or old results would be reused for new code. <c>StageVersionTests</c>
/// renders a golden chunk of every stage and fails when its pixels change while its version did not.
/// </summary>
public static class StageVersions
{
    static readonly IReadOnlyDictionary<string, int> Versions = new Dictionary<string, int>
    {
        [S.Prism] = 2, [S.Axis] = 3, [S.Flux] = 4, [S.Chroma] = 2, [S.Raygen] = 2,
        [S.Stokes] = 3, [S.Anima] = 3, [S.Cuttura] = 3, [S.Echo] = 6,
    };

    public static int Of(string stage) => Versions.TryGetValue(stage, out var v) ? v : throw new ArgumentException($"unknown stage '{stage}'");
}
