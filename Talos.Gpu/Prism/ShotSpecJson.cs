using System.Text.Json;
using System.Text.Json.Serialization;
using Talos.Gpu.Cuttura.Audio;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>
/// Shot specs as JSON (camelCase; docs/shot-spec.schema.json, docs/shot-spec.md). <see cref="Parse"/> checks every rule and
/// reports every problem at once (<see cref="SpecValidationException.Errors"/>, with JSON paths); <see cref="Serialize"/> writes a
/// spec that parses back to the same spec.
/// </summary>
public static class ShotSpecJson
{
    /// <summary>Largest JSON document accepted, in characters.</summary>
    public const int MaxChars = 20 * 1024 * 1024;
    public const int MaxCharacters = 32, MaxKeys = 20_000, MaxEffects = 64, MaxDialogue = 2_000, MaxPaletteEntries = 256, MaxShots = 10_000;

    static readonly JsonSerializerOptions WriteOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 };

    public static string Serialize(ShotSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Plate is null ? JsonSerializer.Serialize(spec, WriteOptions) : ToNode(spec).ToJsonString(WriteOptions);
    }

    /// <summary>A list of specs as a JSON array.</summary>
    public static string SerializeMany(IEnumerable<ShotSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var list = specs.ToList();
        return list.All(s => s.Plate is null) ? JsonSerializer.Serialize(list, WriteOptions)
            : new System.Text.Json.Nodes.JsonArray(list.Select(s => (System.Text.Json.Nodes.JsonNode)ToNode(s)).ToArray()).ToJsonString(WriteOptions);
    }

    /// <summary>A spec with a plate as JSON: the plate object stands in <c>background</c> (one field, as it is written).</summary>
    static System.Text.Json.Nodes.JsonObject ToNode(ShotSpec spec)
    {
        var node = JsonSerializer.SerializeToNode(spec, WriteOptions)!.AsObject();
        if (node["plate"] is System.Text.Json.Nodes.JsonObject plate)
        {
            if (plate["procedural"] is { } procedural) // written back as the layers they were read as, in front of the images
            {
                var layers = System.Text.Json.Nodes.JsonNode.Parse(procedural.GetValue<string>())!.AsArray();
                foreach (var image in plate["layers"]!.AsArray().ToList()) layers.Add(image!.DeepClone());
                plate.Remove("procedural");
                plate["layers"] = layers;
            }
            node.Remove("plate");
            node["background"] = plate;
        }
        return node;
    }

    /// <summary>One shot spec (a JSON object). Throws <see cref="SpecValidationException"/> listing every problem.</summary>
    public static ShotSpec Parse(string json)
    {
        using var doc = Open(json);
        var r = new SpecReader();
        var spec = r.ReadSpec(doc.RootElement, "$", defaultProduction: null, defaultSequence: null);
        if (r.Errors.Count > 0 || spec is null) throw new SpecValidationException(r.Errors);
        return spec;
    }

    /// <summary>One spec, a JSON array of specs, or <c>{ "production": "…", "shots": [ … ] }</c> (the production is the default
    /// for shots that name none). Shots without a sequence get their 1-based position. Ids must be unique.</summary>
    public static IReadOnlyList<ShotSpec> ParseMany(string json)
    {
        using var doc = Open(json);
        var r = new SpecReader();
        var root = doc.RootElement;
        var specs = new List<ShotSpec>();
        var paths = new List<string>();
        void ReadArray(JsonElement arr, string path, string? production)
        {
            int n = arr.GetArrayLength();
            if (n == 0) r.Err(path, "has no shots");
            if (n > MaxShots) { r.Err(path, $"has {n} shots; at most {MaxShots}"); return; }
            int i = 0;
            foreach (var e in arr.EnumerateArray())
            {
                var s = r.ReadSpec(e, $"{path}[{i}]", production, i + 1);
                if (s is not null) { specs.Add(s); paths.Add($"{path}[{i}]"); }
                i++;
            }
        }
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                ReadArray(root, "$", null);
                break;
            case JsonValueKind.Object when root.TryGetProperty("shots", out var shots):
            {
                r.CheckProperties(root, "$", ["production", "shots"]);
                var production = r.Str(root, "production", "$");
                if (production is not null && !Identifiers.IsSafeId(production, out var why)) r.Err("$.production", $"production {why}");
                if (shots.ValueKind != JsonValueKind.Array) r.Err("$.shots", $"must be an array of shot specs, not {JsonPathReader.Kind(shots)}");
                else ReadArray(shots, "$.shots", production);
                break;
            }
            case JsonValueKind.Object:
            {
                var s = r.ReadSpec(root, "$", null, null);
                if (s is not null) { specs.Add(s); paths.Add("$"); }
                break;
            }
            default:
                r.Err("$", $"must be a shot spec object, an array of them, or {{\"production\", \"shots\"}}; found {JsonPathReader.Kind(root)}");
                break;
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < specs.Count; i++)
            if (!seen.TryAdd(specs[i].Id, i)) r.Err($"{paths[i]}.id", $"duplicate shot id '{specs[i].Id}' (also at {paths[seen[specs[i].Id]]})");
        if (r.Errors.Count > 0) throw new SpecValidationException(r.Errors);
        return specs;
    }

    static JsonDocument Open(string json) =>
        JsonPathReader.Open(json, "shot spec JSON", MaxChars, ReadOptions, out var problem) ?? throw new SpecValidationException([new SpecError("$", problem)]);

    /// <summary>Why a shot of <paramref name="delivery"/> size (with render passes <paramref name="layers"/>) cannot be upscaled
    /// <paramref name="upscale"/>× (<see cref="ShotSpec.Upscale"/>); null when it can.</summary>
    public static string? UpscaleProblem(int upscale, Resolution delivery, string? layers)
    {
        if (!ShotSpec.UpscaleFactors.Contains(upscale)) return $"{upscale} is not an upscale factor (known: {string.Join(", ", ShotSpec.UpscaleFactors)})";
        if (upscale == 1) return null;
        if (layers is not null) return $"render passes (layers '{layers}') are made at the rendering size and not upscaled: leave out layers or the upscale";
        int w = ShotSpec.RenderSide(delivery.Width, upscale), h = ShotSpec.RenderSide(delivery.Height, upscale);
        return w < Limits.MinWidth || h < Limits.MinHeight
            ? $"{delivery.Width}x{delivery.Height} upscaled {upscale}x renders at {w}x{h}, under the smallest frame ({Limits.MinWidth}x{Limits.MinHeight})"
            : null;
    }
}

/// <summary>Reads a spec out of a JsonElement, collecting every problem with its JSON path.</summary>
sealed class SpecReader : JsonPathReader
{
    static readonly string[] SpecProps = ["id", "production", "sequence", "fps", "resolution", "durationSeconds", "frames", "characters", "palette", "background", "lighting", "effects", "camera", "audio", "dialogue", "transition", "title", "mood", "delivery", "layers", "sounds", "loudness", "flux", "upscale", "echoBudget"];
    static readonly string[] CharacterProps = ["name", "rig", "palette", "voice", "keyframes", "keyframeImages"];
    static readonly string[] KeyProps = ["frame", "pose", "emotion", "x", "facing", "ease"];
    static readonly string[] ImageProps = ["frame", "asset"];
    static readonly string[] EffectProps = ["type", "x", "y", "startFrame", "endFrame", "strength"];
    static readonly string[] CameraProps = ["frame", "move", "zoom", "panX", "focus", "aperture"];
    static readonly string[] AudioProps = ["asset", "offsetSeconds"];
    static readonly string[] PlateProps = ["groundLine", "layers"];
    static readonly string[] PlateLayerProps = ["image", "depth", "depthMap"];
    static readonly string[] SoundProps = ["name", "frame", "asset"];
    static readonly string[] DialogueProps = ["character", "text", "startFrame", "endFrame", "parenthetical", "audio"];

    /// <summary>Frame inside the shot: 0 … frameCount-1 (when the frame count is known).</summary>
    int Frame(JsonElement obj, string name, string path, int? frameCount, bool required = true)
    {
        var f = Int(obj, name, path, required);
        if (f is null) return 0;
        if (f < 0) { Err($"{path}.{name}", $"frame {f} is negative"); return 0; }
        if (frameCount is { } n && f >= n) { Err($"{path}.{name}", $"frame {f} is outside the shot (frames 0–{n - 1})"); return 0; }
        return f.Value;
    }

    /// <summary>The objects of array <paramref name="name"/> with their JSON paths, each checked for unknown properties (non-objects are reported and skipped).</summary>
    IEnumerable<(JsonElement Element, string Path)> Objects(JsonElement obj, string name, string path, int max, string what, string[] props)
    {
        var items = Array(obj, name, path, max);
        for (int i = 0; i < items.Count; i++)
        {
            var p = $"{path}.{name}[{i}]";
            if (!IsObject(items[i], p, what)) continue;
            CheckProperties(items[i], p, props);
            yield return (items[i], p);
        }
    }

    string? Asset(JsonElement obj, string path, string name = "asset", bool required = true)
    {
        var a = Str(obj, name, path, required);
        if (a is null) return null;
        if (!Identifiers.IsSafeAssetName(a, out var why)) { Err($"{path}.{name}", $"asset name {why}"); return null; }
        return a;
    }

    IReadOnlyDictionary<string, string>? Palette(JsonElement obj, string path)
    {
        if (!Get(obj, "palette", out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var p = $"{path}.palette";
        if (!IsObject(v, p, "a palette (region → \"#rrggbb\")")) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int n = 0;
        foreach (var e in v.EnumerateObject())
        {
            if (++n > ShotSpecJson.MaxPaletteEntries) { Err(p, $"has more than {ShotSpecJson.MaxPaletteEntries} entries"); break; }
            if (!Identifiers.IsSafeId(e.Name, out var why)) { Err($"{p}.{SafeName(e.Name)}", $"region name {why}"); continue; }
            if (e.Value.ValueKind != JsonValueKind.String || !SpecVocabulary.IsColour(e.Value.GetString()))
            { Err($"{p}.{e.Name}", $"colour {(e.Value.ValueKind == JsonValueKind.String ? $"'{Identifiers.Printable(e.Value.GetString()!)}'" : Kind(e.Value))} is not of the form #rrggbb"); continue; }
            if (!result.TryAdd(e.Name, e.Value.GetString()!)) Err($"{p}.{e.Name}", "is given twice");
        }
        return result;
    }

    public ShotSpec? ReadSpec(JsonElement root, string path, string? defaultProduction, int? defaultSequence)
    {
        if (!IsObject(root, path, "a shot spec")) return null;
        int errorsBefore = Errors.Count;
        CheckProperties(root, path, SpecProps);

        var id = Str(root, "id", path, required: true);
        if (id is not null && !Identifiers.IsSafeId(id, out var whyId)) { Err($"{path}.id", $"shot id {whyId}"); id = null; }
        var production = Str(root, "production", path, nullable: false) ?? defaultProduction ?? "default";
        if (!Identifiers.IsSafeId(production, out var whyP)) Err($"{path}.production", $"production {whyP}");
        int sequence = Int(root, "sequence", path) ?? defaultSequence ?? 0;
        if (sequence < 0) Err($"{path}.sequence", $"{sequence} is negative");

        int fps = 24;
        var fpsIn = Int(root, "fps", path);
        if (fpsIn is { } f)
        {
            if (Limits.FpsProblem(f) is { } why) Err($"{path}.fps", why);
            else fps = f;
        }

        var resolution = new Resolution(1280, 720);
        if (Get(root, "resolution", out var res) && IsObject(res, $"{path}.resolution", "a resolution"))
        {
            var rp = $"{path}.resolution";
            CheckProperties(res, rp, ["width", "height"]);
            var w = Int(res, "width", rp, required: true);
            var h = Int(res, "height", rp, required: true);
            if (w is { } wv && Limits.WidthProblem(wv) is { } whyW) { Err($"{rp}.width", whyW); w = null; }
            if (h is { } hv && Limits.HeightProblem(hv) is { } whyH) { Err($"{rp}.height", whyH); h = null; }
            resolution = new Resolution(w ?? 1280, h ?? 720);
        }

        double? duration = Num(root, "durationSeconds", path, nullable: true);
        if (duration is { } d && (d <= 0 || d > Limits.MaxShotSeconds)) { Err($"{path}.durationSeconds", $"{d} is outside (0, {Limits.MaxShotSeconds}] seconds"); duration = null; }
        FrameRange? frames = null;
        bool framesBad = false;
        if (Get(root, "frames", out var fr) && fr.ValueKind != JsonValueKind.Null)
        {
            var fp = $"{path}.frames";
            if (IsObject(fr, fp, "a frame range"))
            {
                CheckProperties(fr, fp, ["start", "end"]);
                var s = Int(fr, "start", fp, required: true);
                var e = Int(fr, "end", fp, required: true);
                if (s is < 0) { Err($"{fp}.start", $"{s} is negative"); s = null; }
                if (s is { } sv && e is { } ev)
                {
                    if (ev < sv) Err(fp, $"range is inverted: end {ev} is before start {sv}");
                    else if ((long)ev - sv + 1 > (long)(Limits.MaxShotSeconds * fps)) Err(fp, $"{(long)ev - sv + 1} frames is longer than {Limits.MaxShotSeconds} s at {fps} fps");
                    else frames = new FrameRange(sv, ev);
                }
            }
            framesBad = frames is null;
        }
        int? frameCount = frames is { } rng ? rng.End - rng.Start + 1 : duration is { } dd ? (int)Math.Round(dd * fps) : null;
        if (frames is null && duration is null && !framesBad && !Errors.Any(x => x.Path == $"{path}.durationSeconds"))
            Err($"{path}.durationSeconds", "a shot needs durationSeconds or frames");
        if (frames is null && duration is { } d2 && frameCount is 0) { Err($"{path}.durationSeconds", $"{d2} s is less than one frame at {fps} fps"); frameCount = null; }

        var characters = new List<CharacterSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var charEls = Array(root, "characters", path, ShotSpecJson.MaxCharacters);
        for (int i = 0; i < charEls.Count; i++)
        {
            var c = ReadCharacter(charEls[i], $"{path}.characters[{i}]", frameCount);
            if (c is null) continue;
            if (!names.Add(c.Name)) Err($"{path}.characters[{i}].name", $"character '{c.Name}' is given twice");
            characters.Add(c);
        }

        var palette = Palette(root, path);
        PlateSpec? plate = null;
        string background = ShotSpec.PlateBackground;
        if (Get(root, "background", out var bgv) && bgv.ValueKind == JsonValueKind.Object) plate = ReadPlate(bgv, $"{path}.background");
        else background = Known(root, "background", path, "day", SpecVocabulary.Backgrounds, "background (a preset name, or a plate object)");
        var lighting = Known(root, "lighting", path, "key-left", SpecVocabulary.Lightings, "lighting");

        var effects = new List<EffectSpec>();
        var effEls = Array(root, "effects", path, ShotSpecJson.MaxEffects);
        for (int i = 0; i < effEls.Count; i++)
        {
            var p = $"{path}.effects[{i}]";
            if (!IsObject(effEls[i], p, "an effect")) continue;
            var e = effEls[i];
            CheckProperties(e, p, EffectProps);
            int start = Frame(e, "startFrame", p, frameCount, required: false);
            int? end = Int(e, "endFrame", p, nullable: true);
            if (end is { } ev)
            {
                if (ev < start) { Err($"{p}.endFrame", $"frame range is inverted: endFrame {ev} is before startFrame {start}"); end = null; }
                else if (frameCount is { } n && ev >= n) { Err($"{p}.endFrame", $"frame {ev} is outside the shot (frames 0–{n - 1})"); end = null; }
            }
            effects.Add(new EffectSpec
            {
                Type = Known(e, "type", p, "smoke", SpecVocabulary.Effects, "effect type"),
                X = NumIn(e, "x", p, 0.5, 0, 1),
                Y = NumIn(e, "y", p, 0.85, 0, 1),
                StartFrame = start,
                EndFrame = end,
                Strength = NumIn(e, "strength", p, 1.0, 0, 10),
            });
            if (!Get(e, "type", out _)) Err($"{p}.type", "is required");
        }

        var camera = new List<CameraMove>();
        var camEls = Array(root, "camera", path, ShotSpecJson.MaxKeys);
        int lastCamFrame = -1;
        for (int i = 0; i < camEls.Count; i++)
        {
            var p = $"{path}.camera[{i}]";
            if (!IsObject(camEls[i], p, "a camera move")) continue;
            var e = camEls[i];
            CheckProperties(e, p, CameraProps);
            int frame = Frame(e, "frame", p, frameCount);
            if (Get(e, "frame", out _) && frame <= lastCamFrame) Err($"{p}.frame", $"camera keys must be in increasing frame order ({frame} after {lastCamFrame})");
            lastCamFrame = Math.Max(lastCamFrame, frame);
            camera.Add(new CameraMove
            {
                Frame = frame,
                Move = Known(e, "move", p, "static", SpecVocabulary.CameraMoves, "camera move"),
                Zoom = NumIn(e, "zoom", p, 1.0, 0.25, 8),
                PanX = NumIn(e, "panX", p, 0, -2, 2),
                Focus = Get(e, "focus", out var fv) && fv.ValueKind != JsonValueKind.Null ? NumIn(e, "focus", p, 1, 0, 1.5) : null,
                Aperture = NumIn(e, "aperture", p, 0, 0, 0.05),
            });
        }

        AudioSpec? audio = null;
        if (Get(root, "audio", out var au) && au.ValueKind != JsonValueKind.Null && IsObject(au, $"{path}.audio", "an audio"))
        {
            var p = $"{path}.audio";
            CheckProperties(au, p, AudioProps);
            var asset = Asset(au, p);
            var offset = NumIn(au, "offsetSeconds", p, 0, -Limits.MaxFilmSeconds, Limits.MaxFilmSeconds);
            if (asset is not null) audio = new AudioSpec(asset, offset);
        }

        var dialogue = new List<DialogueLine>();
        foreach (var (e, p) in Objects(root, "dialogue", path, ShotSpecJson.MaxDialogue, "a dialogue line", DialogueProps))
        {
            var who = Str(e, "character", p, required: true);
            if (who is { Length: 0 } || who?.Length > Limits.MaxNameLength) Err($"{p}.character", who!.Length == 0 ? "must not be empty" : $"is longer than {Limits.MaxNameLength} characters");
            var text = Str(e, "text", p, required: true);
            if (text is { } t && (t.Trim().Length == 0 || t.Length > Limits.MaxTextLength)) Err($"{p}.text", t.Trim().Length == 0 ? "must not be empty" : $"is longer than {Limits.MaxTextLength} characters");
            int a = Frame(e, "startFrame", p, frameCount), b = Frame(e, "endFrame", p, frameCount);
            if (Get(e, "startFrame", out _) && Get(e, "endFrame", out _) && b < a) Err($"{p}.endFrame", $"frame range is inverted: endFrame {b} is before startFrame {a}");
            var par = Str(e, "parenthetical", p);
            if (par?.Length > Limits.MaxTextLength) Err($"{p}.parenthetical", $"is longer than {Limits.MaxTextLength} characters");
            var voice = Asset(e, p, "audio", required: false);
            dialogue.Add(new DialogueLine(who ?? "", text ?? "", a, b, par, voice));
        }

        var sounds = new List<SoundCue>();
        foreach (var (e, p) in Objects(root, "sounds", path, ShotSpecJson.MaxEffects, "a sound cue", SoundProps))
        {
            var name = Str(e, "name", p, required: true);
            int frame = Frame(e, "frame", p, frameCount, required: false);
            var asset = Asset(e, p, "asset", required: false);
            if (name is null) continue;
            if (!SoundEffects.IsCueName(name)) { Err($"{p}.name", $"sound name '{Identifiers.Printable(name)}' must be 1 to 32 of a-z, 0-9, '-'"); continue; }
            if (asset is null && !SoundEffects.Names.Contains(name))
            { Err($"{p}.name", $"sound '{name}' is not in the effects library ({string.Join(", ", SoundEffects.Names)}); name an audio asset for it"); continue; }
            sounds.Add(new SoundCue(name, frame, asset));
        }
        double? loudness = null;
        if (Get(root, "loudness", out var lu) && lu.ValueKind != JsonValueKind.Null)
            loudness = NumIn(root, "loudness", path, Limits.DefaultLoudness, Limits.MinLoudness, Limits.MaxLoudness);

        var transition = Known(root, "transition", path, "cut", SpecVocabulary.Transitions, "transition");
        var title = Str(root, "title", path);
        if (title?.Length > 200) Err($"{path}.title", "is longer than 200 characters");
        string? mood = null;
        if (Get(root, "mood", out var mv) && mv.ValueKind != JsonValueKind.Null) mood = Known(root, "mood", path, "calm", SpecVocabulary.Emotions, "mood (emotion)");

        var delivery = Known(root, "delivery", path, "sdr", SpecVocabulary.Deliveries, "delivery");
        string? layers = null;
        if (Get(root, "layers", out var lv) && lv.ValueKind != JsonValueKind.Null) layers = Known(root, "layers", path, "exr", SpecVocabulary.LayerFormats, "layers format");
        var flux = Known(root, "flux", path, "classic", SpecVocabulary.FluxMethods, "FLUX inbetweener");
        var upscale = Int(root, "upscale", path, nullable: true);
        if (upscale is { } up && ShotSpecJson.UpscaleProblem(up, resolution, layers) is { } whyUp) { Err($"{path}.upscale", whyUp); upscale = null; }
        double? echoBudget = null;
        if (Get(root, "echoBudget", out var eb) && eb.ValueKind != JsonValueKind.Null)
            echoBudget = NumIn(root, "echoBudget", path, Limits.DefaultEchoBudget, 0, Limits.MaxEchoBudget);

        if (Errors.Count > errorsBefore || id is null) return null;
        return new ShotSpec
        {
            Id = id, Production = production, Sequence = sequence, Fps = fps, Resolution = resolution, DurationSeconds = duration, Frames = frames,
            Characters = characters, Palette = palette, Background = background, Plate = plate, Lighting = lighting, Effects = effects, Camera = camera,
            Audio = audio, Dialogue = dialogue, Transition = transition, Title = title, Mood = mood,
            Delivery = delivery, Layers = layers, Sounds = sounds, Loudness = loudness, Flux = flux, Upscale = upscale, EchoBudget = echoBudget,
        };
    }

    /// <summary>A background plate (docs/plates.md): <c>{ "groundLine": 0.82, "layers": [ { "image", "depth", "depthMap" } ] }</c>.</summary>
    PlateSpec? ReadPlate(JsonElement obj, string path)
    {
        int errorsBefore = Errors.Count;
        CheckProperties(obj, path, PlateProps);
        var layers = new List<PlateLayer>();
        var items = Array(obj, "layers", path, Limits.MaxPlateLayers, required: true, minItems: 1);
        // Procedural layers (a background document's, docs/plates.md) come first, behind every image layer.
        int procedural = items.TakeWhile(l => l.ValueKind == JsonValueKind.Object && l.TryGetProperty("procedural", out _)).Count();
        string? backdrop = null;
        if (procedural > 0)
        {
            var reader = new Talos.Gpu.Aether.BackgroundReader();
            reader.Layers(items.Take(procedural).ToList(), path, "plate");
            Errors.AddRange(reader.Errors);
            backdrop = "[" + string.Join(",", items.Take(procedural).Select(l => l.GetRawText())) + "]";
        }
        for (int i = procedural; i < items.Count; i++)
        {
            var p = $"{path}.layers[{i}]";
            if (!IsObject(items[i], p, "a plate layer")) continue;
            if (items[i].TryGetProperty("procedural", out _)) { Err($"{p}.procedural", "procedural layers come first, behind every image layer"); continue; }
            CheckProperties(items[i], p, PlateLayerProps);
            var image = Asset(items[i], p, "image");
            var depthMap = Asset(items[i], p, "depthMap", required: false);
            if (image is not null) layers.Add(new PlateLayer(image, Num(items[i], "depth", p) ?? 1.0, depthMap));
        }
        var plate = new PlateSpec { GroundLine = Num(obj, "groundLine", path) ?? 0.82, Layers = layers, Procedural = backdrop };
        foreach (var (at, message) in Talos.Gpu.Aether.Plate.Problems(plate))
            if (at != "layers") Err($"{path}.{at}", message);
        return Errors.Count > errorsBefore ? null : plate;
    }

    CharacterSpec? ReadCharacter(JsonElement c, string path, int? frameCount)
    {
        if (!IsObject(c, path, "a character")) return null;
        CheckProperties(c, path, CharacterProps);
        var name = Str(c, "name", path, required: true);
        if (name is not null && (name.Trim().Length == 0 || name.Length > Limits.MaxNameLength))
        { Err($"{path}.name", name.Trim().Length == 0 ? "must not be empty" : $"is longer than {Limits.MaxNameLength} characters"); name = null; }
        var rig = Str(c, "rig", path, nullable: false) ?? "lanky";
        if (!SpecVocabulary.IsRig(rig)) { Err($"{path}.rig", SpecVocabulary.RigProblem(rig)); rig = "lanky"; }
        var palette = Palette(c, path);
        var voice = Str(c, "voice", path);
        if (voice is not null && Voice.ScratchVoice.Parse(voice, out var badVoice) is null) Err($"{path}.voice", badVoice);

        var keys = new List<PoseKey>();
        var keyEls = Array(c, "keyframes", path, ShotSpecJson.MaxKeys);
        int last = -1;
        for (int i = 0; i < keyEls.Count; i++)
        {
            var p = $"{path}.keyframes[{i}]";
            if (!IsObject(keyEls[i], p, "a keyframe")) continue;
            var k = keyEls[i];
            CheckProperties(k, p, KeyProps);
            int frame = Frame(k, "frame", p, frameCount);
            if (Get(k, "frame", out _) && frame <= last) Err($"{p}.frame", $"keyframes must be in increasing frame order ({frame} after {last})");
            last = Math.Max(last, frame);
            int facing = Int(k, "facing", p) ?? 1;
            if (facing is not (1 or -1)) { Err($"{p}.facing", $"{facing} must be 1 (right) or -1 (left)"); facing = 1; }
            keys.Add(new PoseKey
            {
                Frame = frame,
                Pose = Known(k, "pose", p, "idle", SpecVocabulary.Poses, "pose"),
                Emotion = Known(k, "emotion", p, "calm", SpecVocabulary.Emotions, "emotion"),
                X = NumIn(k, "x", p, 0.5, -0.5, 1.5),
                Facing = facing,
                Ease = Known(k, "ease", p, "ease-in-out", SpecVocabulary.Eases, "ease"),
            });
        }

        var images = new List<KeyframeImage>();
        var imgEls = Array(c, "keyframeImages", path, ShotSpecJson.MaxKeys);
        for (int i = 0; i < imgEls.Count; i++)
        {
            var p = $"{path}.keyframeImages[{i}]";
            if (!IsObject(imgEls[i], p, "a keyframe image")) continue;
            CheckProperties(imgEls[i], p, ImageProps);
            int frame = Frame(imgEls[i], "frame", p, frameCount);
            var asset = Asset(imgEls[i], p);
            if (asset is not null) images.Add(new KeyframeImage(frame, asset));
        }
        if (name is null) return null;
        return new CharacterSpec { Name = name, Rig = rig, Palette = palette, Voice = voice, Keyframes = keys, KeyframeImages = images };
    }
}
