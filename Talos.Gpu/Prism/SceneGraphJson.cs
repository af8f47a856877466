using System.Text.Json;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism;

/// <summary>
/// Scene graphs from outside PRISM (an LLM's answer, <see cref="SceneGraph.FromJson"/>) read by code, the way
/// <see cref="ShotSpecJson"/> reads shot specs: every rule docs/scenegraph.schema.json states is checked here, and every
/// problem is reported at once with its JSON path (<c>$.scenes[0].shots[2].emotion: unknown emotion 'bored' (known: …)</c>).
/// The schema is the documentation (and what an LLM is shown); a test holds it to the same names, enums and bounds.
/// </summary>
public static class SceneGraphJson
{
    /// <summary>Largest scene graph accepted, in characters.</summary>
    public const int MaxChars = 20 * 1024 * 1024;
    /// <summary>Longest character name in a graph (a Fountain cue may be long; shot specs hold names to <see cref="Limits.MaxNameLength"/>).</summary>
    public const int MaxNameLength = 200;

    static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 32 };

    static readonly Lazy<string> Schema = new(() =>
    {
        using var stream = typeof(SceneGraphJson).Assembly.GetManifestResourceStream("scenegraph.schema.json")
                           ?? throw new InvalidOperationException("scenegraph.schema.json is not embedded in Talos.Gpu");
        return new StreamReader(stream).ReadToEnd();
    });

    /// <summary>docs/scenegraph.schema.json as shipped (embedded): the shape shown to an LLM.</summary>
    public static string SchemaText => Schema.Value;

    /// <summary>A scene graph; <see cref="SpecValidationException"/> (subject "scene graph") lists every problem.</summary>
    public static SceneGraph Parse(string json)
    {
        using var doc = JsonPathReader.Open(json, "scene graph JSON", MaxChars, ReadOptions, out var problem)
                        ?? throw new SpecValidationException([new SpecError("$", problem)], "scene graph");
        var r = new SceneGraphReader();
        var graph = r.ReadGraph(doc.RootElement);
        if (r.Errors.Count > 0 || graph is null) throw new SpecValidationException(r.Errors, "scene graph");
        return graph;
    }
}

/// <summary>Reads a scene graph out of a JsonElement, collecting every problem with its JSON path.</summary>
sealed class SceneGraphReader : JsonPathReader
{
    static readonly string[] GraphProps = ["source", "title", "characters", "scenes"];
    static readonly string[] SceneProps = ["number", "heading", "sceneNumber", "setting", "location", "timeOfDay", "background", "transitionIn", "line", "shots"];
    static readonly string[] ShotProps = ["index", "line", "characters", "lines", "beats", "action", "emotion", "camera", "effects", "sounds", "lighting", "durationSeconds", "transitionIn"];
    static readonly string[] LineProps = ["character", "text", "parenthetical", "startSeconds", "endSeconds", "offScreen", "dual", "line"];
    static readonly string[] BeatProps = ["character", "pose"];
    /// <summary>What a scene heading's setting may be ("" for forced headings and prompts).</summary>
    public static readonly IReadOnlyList<string> Settings = ["", "INT", "EXT", "INT/EXT", "EST"];

    public SceneGraph? ReadGraph(JsonElement root)
    {
        if (!IsObject(root, "$", "a scene graph")) return null;
        CheckProperties(root, "$", GraphProps);
        var source = Str(root, "source", "$", required: true);
        var title = Str(root, "title", "$");
        var characters = Names(root, "characters", "$");
        var sceneEls = Array(root, "scenes", "$", int.MaxValue, required: true, minItems: 1);
        var scenes = new List<SceneNode>();
        for (int i = 0; i < sceneEls.Count; i++)
            if (ReadScene(sceneEls[i], $"$.scenes[{i}]") is { } s) scenes.Add(s);
        return Errors.Count > 0 ? null : new SceneGraph(source!, title, scenes, characters);
    }

    SceneNode? ReadScene(JsonElement e, string path)
    {
        if (!IsObject(e, path, "a scene")) return null;
        CheckProperties(e, path, SceneProps);
        int number = Whole(e, "number", path, 1);
        var heading = Str(e, "heading", path, required: true);
        var sceneNumber = Str(e, "sceneNumber", path);
        if (sceneNumber is not null && (sceneNumber.Length == 0 || !sceneNumber.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-')))
            Err($"{path}.sceneNumber", $"'{Identifiers.Printable(sceneNumber)}' is not a scene number (letters, digits, '.', '-')");
        var setting = Known(e, "setting", path, "", Settings, "setting", required: true);
        var location = Str(e, "location", path, required: true);
        var timeOfDay = Str(e, "timeOfDay", path, required: true);
        var background = Known(e, "background", path, "day", SpecVocabulary.Backgrounds, "background", required: true);
        var transition = Known(e, "transitionIn", path, "cut", SpecVocabulary.Transitions, "transition", required: true);
        int line = Whole(e, "line", path, 1);
        var shotEls = Array(e, "shots", path, int.MaxValue, required: true, minItems: 1);
        var shots = new List<ShotNode>();
        for (int i = 0; i < shotEls.Count; i++)
            if (ReadShot(shotEls[i], $"{path}.shots[{i}]") is { } s) shots.Add(s);
        return new SceneNode(number, heading ?? "", sceneNumber, setting, location ?? "", timeOfDay ?? "", background, transition, line, shots);
    }

    ShotNode? ReadShot(JsonElement e, string path)
    {
        if (!IsObject(e, path, "a shot")) return null;
        CheckProperties(e, path, ShotProps);
        int index = Whole(e, "index", path, 1);
        int line = Whole(e, "line", path, 1);
        var characters = Names(e, "characters", path);
        var lines = new List<SpokenLine>();
        var lineEls = Array(e, "lines", path, int.MaxValue, required: true);
        for (int i = 0; i < lineEls.Count; i++)
            if (ReadLine(lineEls[i], $"{path}.lines[{i}]") is { } l) lines.Add(l);
        var beats = new List<CharacterBeat>();
        var beatEls = Array(e, "beats", path, int.MaxValue, required: true);
        for (int i = 0; i < beatEls.Count; i++)
        {
            var p = $"{path}.beats[{i}]";
            if (!IsObject(beatEls[i], p, "a beat")) continue;
            CheckProperties(beatEls[i], p, BeatProps);
            beats.Add(new CharacterBeat(Name(beatEls[i], "character", p), Known(beatEls[i], "pose", p, "idle", SpecVocabulary.Poses, "pose", required: true)));
        }
        var action = Str(e, "action", path, required: true);
        var emotion = Known(e, "emotion", path, "calm", SpecVocabulary.Emotions, "emotion", required: true);
        var camera = Known(e, "camera", path, "static", SpecVocabulary.CameraMoves, "camera move", required: true);
        var effects = Words(e, "effects", path, required: true, w => SpecVocabulary.Effects.Contains(w) ? null : $"unknown effect '{Identifiers.Printable(w)}' (known: {SpecVocabulary.OneOf(SpecVocabulary.Effects)})");
        var sounds = Words(e, "sounds", path, required: false, w => w.Length is >= 1 and <= 32 && w.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? null : $"sound '{Identifiers.Printable(w)}' must be 1 to 32 of a-z, 0-9, '-'");
        var lighting = Known(e, "lighting", path, "key-left", SpecVocabulary.Lightings, "lighting", required: true);
        var duration = Num(e, "durationSeconds", path);
        if (duration is null && !Get(e, "durationSeconds", out _)) Err($"{path}.durationSeconds", "is required");
        else if (duration is { } d && (d <= 0 || d > Limits.MaxShotSeconds)) Err($"{path}.durationSeconds", $"{d} is outside (0, {Limits.MaxShotSeconds}] seconds");
        var transition = Known(e, "transitionIn", path, "cut", SpecVocabulary.Transitions, "transition", required: true);
        return new ShotNode(index, line, characters, lines, beats, action ?? "", emotion, camera, effects, lighting, duration ?? 0, transition) { Sounds = sounds };
    }

    SpokenLine? ReadLine(JsonElement e, string path)
    {
        if (!IsObject(e, path, "a spoken line")) return null;
        CheckProperties(e, path, LineProps);
        var character = Name(e, "character", path);
        var text = Str(e, "text", path, required: true);
        var parenthetical = Str(e, "parenthetical", path);
        double start = Seconds(e, "startSeconds", path), end = Seconds(e, "endSeconds", path);
        if (end < start) Err($"{path}.endSeconds", $"the line ends ({end}) before it starts ({start})");
        bool offScreen = Bool(e, "offScreen", path, required: true), dual = Bool(e, "dual", path, required: true);
        int line = Whole(e, "line", path, 1);
        return new SpokenLine(character, text ?? "", parenthetical, start, end, offScreen, dual, line);
    }

    /// <summary>A required integer ≥ <paramref name="min"/> (numbers and source lines are 1-based).</summary>
    int Whole(JsonElement e, string name, string path, int min)
    {
        var v = Int(e, name, path, required: true);
        if (v < min) { Err($"{path}.{name}", $"{v} is less than {min}"); return min; }
        return v ?? min;
    }

    double Seconds(JsonElement e, string name, string path)
    {
        var v = Num(e, name, path);
        if (v is null) { if (!Get(e, name, out _)) Err($"{path}.{name}", "is required"); return 0; }
        if (v is < 0 or > Limits.MaxFilmSeconds) { Err($"{path}.{name}", $"{v} is outside 0..{Limits.MaxFilmSeconds} seconds"); return 0; }
        return v.Value;
    }

    string Name(JsonElement e, string name, string path)
    {
        var s = Str(e, name, path, required: true);
        if (s is { Length: 0 } || s?.Length > SceneGraphJson.MaxNameLength)
            Err($"{path}.{name}", s!.Length == 0 ? "must not be empty" : $"is longer than {SceneGraphJson.MaxNameLength} characters");
        return s ?? "";
    }

    /// <summary>A required array of distinct character names.</summary>
    List<string> Names(JsonElement obj, string name, string path)
    {
        var els = Array(obj, name, path, int.MaxValue, required: true);
        var names = new List<string>();
        for (int i = 0; i < els.Count; i++)
        {
            var p = $"{path}.{name}[{i}]";
            if (els[i].ValueKind != JsonValueKind.String) { Err(p, $"must be a string, not {Kind(els[i])}"); continue; }
            var s = els[i].GetString()!;
            if (s.Length is 0 or > SceneGraphJson.MaxNameLength) { Err(p, s.Length == 0 ? "must not be empty" : $"is longer than {SceneGraphJson.MaxNameLength} characters"); continue; }
            if (names.Contains(s)) Err(p, $"'{Identifiers.Printable(s)}' is given twice");
            names.Add(s);
        }
        return names;
    }

    /// <summary>An array of distinct words, each checked by <paramref name="problem"/> (null = fine).</summary>
    List<string> Words(JsonElement obj, string name, string path, bool required, Func<string, string?> problem)
    {
        var words = new List<string>();
        var els = Array(obj, name, path, int.MaxValue, required);
        for (int i = 0; i < els.Count; i++)
        {
            var p = $"{path}.{name}[{i}]";
            if (els[i].ValueKind != JsonValueKind.String) { Err(p, $"must be a string, not {Kind(els[i])}"); continue; }
            var w = els[i].GetString()!;
            if (problem(w) is { } why) { Err(p, why); continue; }
            if (words.Contains(w)) Err(p, $"'{w}' is given twice");
            words.Add(w);
        }
        return words;
    }
}
