using System.Text.Json;

namespace Talos.Gpu.Prism;

/// <summary>
/// PRISM's word rules, loaded from JSON (the built-in one is <see cref="Default"/>; format in docs/scenegraph.md).
/// Immutable and thread-safe. Every lookup is deterministic: ties are broken by the order of the JSON lists.
/// </summary>
public sealed class Lexicon
{
    /// <summary>A rule's one-word patterns are answered by <see cref="SingleMask"/> (bit <see cref="Bit"/>); multi-word ones are matched in place.</summary>
    sealed record WordRule(string Name, string[][] Patterns)
    {
        public ulong Bit;
        public bool AnyCase;
        public string[][] Multi = [.. Patterns.Where(p => p.Length > 1)];
        public HashSet<string> Exact = new(Patterns.Where(p => p.Length == 1 && !p[0].EndsWith('*')).Select(p => p[0]), StringComparer.Ordinal);
        public string[] Prefixes = [.. Patterns.Where(p => p.Length == 1 && p[0].EndsWith('*')).Select(p => p[0][..^1])];
        public bool MatchesSingle(string token) => Exact.Contains(token) || Prefixes.Any(p => token.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>Lower-case token → which rules' one-word patterns it matches (one bit per rule), so a long text costs one
    /// dictionary look-up per word instead of a pass over every pattern. Bounded; rules past the 64th are never cached.</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, ulong> _masks = new(StringComparer.Ordinal);
    readonly List<WordRule> _allRules = [];
    const int MaxCachedTokens = 50_000;
    sealed record PhraseRule(string Phrase, string Value);

    readonly List<WordRule> _emotions = [], _effects = [], _poses = [], _sounds = [];
    readonly List<PhraseRule> _camera = [], _transitions = [], _timeOfDay = [];
    readonly Dictionary<string, string> _settingBackgrounds = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, string> _lightingByEmotion = new(StringComparer.Ordinal), _lightingByBackground = new(StringComparer.Ordinal);
    readonly HashSet<string> _nonNames = new(StringComparer.OrdinalIgnoreCase), _interiorWords = new(StringComparer.OrdinalIgnoreCase);

    public int Version { get; private set; }
    public double ParentheticalWeight { get; private set; } = 2;
    public string DefaultTransition { get; private set; } = "cut";
    public string DefaultBackground { get; private set; } = "day";
    public string FirstShotCamera { get; private set; } = "wide";
    public string DialogueCamera { get; private set; } = "medium";
    public string ActionCamera { get; private set; } = "static";

    static readonly Lazy<Lexicon> BuiltIn = new(() => Parse(LexiconData.Json));
    /// <summary>The lexicon shipped with PRISM.</summary>
    public static Lexicon Default => BuiltIn.Value;

    Lexicon() { }

    /// <summary>Loads a lexicon from JSON; any unknown emotion/effect/pose/camera/transition/background/lighting name is an error.</summary>
    public static Lexicon Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) throw new PrismException("lexicon JSON is empty");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new PrismException($"lexicon JSON is malformed at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}"); }
        using (doc)
        {
            try { return Load(doc.RootElement); }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
            { throw new PrismException($"lexicon JSON is not a lexicon: {e.Message}"); }
        }
    }

    static Lexicon Load(JsonElement root)
    {
        var lx = new Lexicon();
        if (root.TryGetProperty("version", out var v)) lx.Version = v.GetInt32();
        if (root.TryGetProperty("parentheticalWeight", out var w)) lx.ParentheticalWeight = w.GetDouble();
        LoadWordRules(root, "emotions", SpecVocabulary.Emotions, lx._emotions);
        LoadWordRules(root, "effects", SpecVocabulary.Effects, lx._effects);
        LoadWordRules(root, "poses", SpecVocabulary.Poses, lx._poses);
        LoadWordRules(root, "sounds", null, lx._sounds);
        if (root.TryGetProperty("sounds", out var sounds))
            foreach (var (e, k) in sounds.EnumerateArray().Select((e, k) => (e, k)))
                if (e.TryGetProperty("anyCase", out var ac) && ac.GetBoolean()) lx._sounds[k].AnyCase = true;
        LoadPhraseRules(root, "camera", "move", SpecVocabulary.CameraMoves, lx._camera);
        LoadPhraseRules(root, "transitions", "transition", SpecVocabulary.Transitions, lx._transitions);
        LoadPhraseRules(root, "timeOfDay", "background", SpecVocabulary.Backgrounds, lx._timeOfDay);
        if (root.TryGetProperty("defaultCamera", out var dc))
        {
            lx.FirstShotCamera = Known(dc.GetProperty("firstShot").GetString(), SpecVocabulary.CameraMoves, "defaultCamera.firstShot");
            lx.DialogueCamera = Known(dc.GetProperty("dialogue").GetString(), SpecVocabulary.CameraMoves, "defaultCamera.dialogue");
            lx.ActionCamera = Known(dc.GetProperty("action").GetString(), SpecVocabulary.CameraMoves, "defaultCamera.action");
        }
        if (root.TryGetProperty("defaultTransition", out var dt)) lx.DefaultTransition = Known(dt.GetString(), SpecVocabulary.Transitions, "defaultTransition");
        if (root.TryGetProperty("defaultBackground", out var db)) lx.DefaultBackground = Known(db.GetString(), SpecVocabulary.Backgrounds, "defaultBackground");
        LoadMap(root, "settingBackgrounds", null, SpecVocabulary.Backgrounds, lx._settingBackgrounds);
        LoadMap(root, "lightingByEmotion", SpecVocabulary.Emotions, SpecVocabulary.Lightings, lx._lightingByEmotion);
        LoadMap(root, "lightingByBackground", SpecVocabulary.Backgrounds, SpecVocabulary.Lightings, lx._lightingByBackground);
        if (root.TryGetProperty("nonNames", out var nn)) foreach (var s in nn.EnumerateArray()) lx._nonNames.Add(s.GetString()!);
        if (root.TryGetProperty("interiorWords", out var iw)) foreach (var s in iw.EnumerateArray()) lx._interiorWords.Add(s.GetString()!);
        lx._allRules.AddRange(lx._emotions.Concat(lx._effects).Concat(lx._poses).Concat(lx._sounds));
        for (int k = 0; k < lx._allRules.Count && k < 64; k++) lx._allRules[k].Bit = 1UL << k;
        return lx;
    }

    /// <summary>Sound cue names are free (CUTTURA's sound library is the studio's): lower-case letters, digits and '-'.</summary>
    static string SoundName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 32 || !name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            throw new PrismException($"lexicon sounds: name '{name}' must be 1–32 lower-case letters, digits or '-'");
        return name;
    }

    static string Known(string? name, IReadOnlyList<string> known, string where)
    {
        if (name is null || !known.Contains(name)) throw new PrismException($"lexicon {where}: unknown name '{name}' (known: {SpecVocabulary.OneOf(known)})");
        return name;
    }

    static void LoadWordRules(JsonElement root, string key, IReadOnlyList<string>? known, List<WordRule> into)
    {
        if (!root.TryGetProperty(key, out var arr)) return;
        foreach (var e in arr.EnumerateArray())
        {
            var name = known is null ? SoundName(e.GetProperty("name").GetString()) : Known(e.GetProperty("name").GetString(), known, key);
            var patterns = e.GetProperty("words").EnumerateArray()
                .Select(x => Tokenize(x.GetString() ?? "", keepStar: true).Select(t => t.ToLowerInvariant()).ToArray())
                .Where(p => p.Length > 0).ToArray();
            into.Add(new WordRule(name, patterns));
        }
    }

    static void LoadPhraseRules(JsonElement root, string key, string valueKey, IReadOnlyList<string> known, List<PhraseRule> into)
    {
        if (!root.TryGetProperty(key, out var arr)) return;
        foreach (var e in arr.EnumerateArray())
            into.Add(new PhraseRule(e.GetProperty("phrase").GetString() ?? "", Known(e.GetProperty(valueKey).GetString(), known, key)));
    }

    static void LoadMap(JsonElement root, string key, IReadOnlyList<string>? keys, IReadOnlyList<string> values, Dictionary<string, string> into)
    {
        if (!root.TryGetProperty(key, out var obj)) return;
        foreach (var p in obj.EnumerateObject())
        {
            if (keys is not null) Known(p.Name, keys, key);
            into[p.Name] = Known(p.Value.GetString(), values, key);
        }
    }

    /// <summary>Words of a text: runs of letters, digits, apostrophes and inner hyphens ("wide-eyed", "let's"); a trailing '*' is kept.</summary>
    internal static List<string> Tokenize(string text, bool keepStar = false)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            int s = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || ((text[i] is '\'' or '’' or '-') && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])))) i++;
            if (keepStar && i < text.Length && text[i] == '*') i++;
            tokens.Add(text[s..i].Replace('’', '\''));
        }
        return tokens;
    }

    ulong SingleMask(string token)
    {
        if (_masks.TryGetValue(token, out var m)) return m;
        m = 0;
        foreach (var r in _allRules) if (r.Bit != 0 && r.MatchesSingle(token)) m |= r.Bit;
        if (_masks.Count < MaxCachedTokens) _masks.TryAdd(token, m);
        return m;
    }

    bool RuleMatchesAt(WordRule r, IReadOnlyList<string> lowerTokens, int t)
    {
        if (r.Bit != 0 ? (SingleMask(lowerTokens[t]) & r.Bit) != 0 : r.MatchesSingle(lowerTokens[t])) return true;
        foreach (var p in r.Multi) if (MatchesAt(p, lowerTokens, t)) return true;
        return false;
    }

    int CountMatches(WordRule r, IReadOnlyList<string> lowerTokens)
    {
        int n = 0;
        for (int t = 0; t < lowerTokens.Count; t++)
            if (RuleMatchesAt(r, lowerTokens, t)) n++;
        return n;
    }

    static bool MatchesAt(string[] pattern, IReadOnlyList<string> tokens, int at)
    {
        if (at + pattern.Length > tokens.Count) return false;
        for (int k = 0; k < pattern.Length; k++)
        {
            var p = pattern[k]; var t = tokens[at + k];
            if (p.EndsWith('*') ? !t.StartsWith(p.AsSpan(0, p.Length - 1), StringComparison.Ordinal) : !t.Equals(p, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    static List<string> LowerTokens(string text) => Tokenize(text).Select(t => t.ToLowerInvariant()).ToList();

    /// <summary>Emotion with the highest score (parenthetical hits weigh <see cref="ParentheticalWeight"/>, action hits 1); null when nothing matches.</summary>
    public string? Emotion(string parentheticals, string action)
    {
        var pt = LowerTokens(parentheticals); var at = LowerTokens(action);
        string? best = null; double bestScore = 0;
        foreach (var r in _emotions)
        {
            double score = ParentheticalWeight * CountMatches(r, pt) + CountMatches(r, at);
            if (score > bestScore) { bestScore = score; best = r.Name; }
        }
        return best;
    }

    /// <summary>Effect types named by a text, in lexicon order.</summary>
    public IReadOnlyList<string> Effects(string text)
    {
        var t = LowerTokens(text);
        return _effects.Where(r => CountMatches(r, t) > 0).Select(r => r.Name).Distinct().ToList();
    }

    /// <summary>Sound cues for CUTTURA, in lexicon order: rules marked anyCase (ambience: rain, wind, …) match any word; the
    /// others only words written in capitals, the screenplay convention for sound effects ("A loud CRASH.", "SLAMS").</summary>
    public IReadOnlyList<string> Sounds(string text)
    {
        var all = Tokenize(text);
        var lower = all.Select(t => t.ToLowerInvariant()).ToList();
        var caps = all.Select((t, k) => (t, k)).Where(x => x.t.Count(char.IsLetter) >= 2 && !x.t.Any(char.IsLower)).Select(x => lower[x.k]).ToList();
        var result = new List<string>();
        foreach (var r in _sounds)
            if (CountMatches(r, r.AnyCase ? lower : caps) > 0 && !result.Contains(r.Name)) result.Add(r.Name);
        return result;
    }

    /// <summary>The pose of the first pose word in a text (earliest position; lexicon order breaks a tie); null when none.</summary>
    public string? Pose(string text)
    {
        var t = LowerTokens(text);
        for (int i = 0; i < t.Count; i++)
            foreach (var r in _poses)
                if (RuleMatchesAt(r, t, i)) return r.Name;
        return null;
    }

    /// <summary>Camera move named by a direction in the text (first rule in lexicon order that matches); null when none.
    /// Screenplays: upper-case phrases only (directions are capitalised). Prompts: any case.</summary>
    public string? Camera(string text, bool anyCase = false) => FirstPhrase(_camera, text, anyCase);

    /// <summary>Transition for a transition line such as "SMASH CUT TO:" (the default when no phrase matches).</summary>
    public string Transition(string text) => FirstPhrase(_transitions, text, anyCase: true) ?? DefaultTransition;

    /// <summary>Transition named inside prose (prompts), or null.</summary>
    public string? TransitionIn(string text) => FirstPhrase(_transitions.Where(r => r.Value != "cut").ToList(), text, anyCase: true);

    static string? FirstPhrase(List<PhraseRule> rules, string text, bool anyCase)
    {
        foreach (var r in rules)
            if (ContainsPhrase(text, r.Phrase, anyCase)) return r.Value;
        return null;
    }

    /// <summary>Phrase occurs with a non-letter on each side.</summary>
    internal static bool ContainsPhrase(string text, string phrase, bool anyCase)
    {
        if (phrase.Length == 0) return false;
        var cmp = anyCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        int from = 0;
        while (true)
        {
            int i = text.IndexOf(phrase, from, cmp);
            if (i < 0) return false;
            int end = i + phrase.Length;
            bool left = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
            bool right = end >= text.Length || !char.IsLetterOrDigit(text[end]);
            if (left && right) return true;
            from = i + 1;
        }
    }

    /// <summary>Background preset for a scene: the setting's (INT → interior) first, then the time of day, then <paramref name="previous"/>
    /// (a scene without a time of day continues the last one), then the default.</summary>
    public string Background(string setting, string timeOfDay, string? previous)
    {
        if (setting.Length > 0 && _settingBackgrounds.TryGetValue(setting, out var b)) return b;
        return TimeOfDayBackground(timeOfDay, anyCase: false) ?? previous ?? DefaultBackground;
    }

    /// <summary>Background for a time-of-day phrase found in the text ("NIGHT (1973)" → night), or null.</summary>
    public string? TimeOfDayBackground(string text, bool anyCase) => FirstPhrase(_timeOfDay, text, anyCase);

    /// <summary>The time-of-day phrase found in the text (e.g. "NIGHT"), or "".</summary>
    public string TimeOfDayWord(string text)
    {
        foreach (var r in _timeOfDay) if (ContainsPhrase(text, r.Phrase, anyCase: true)) return r.Phrase;
        return "";
    }

    /// <summary>Lighting preset: the emotion's when it has one (calm has none), else the background's, else key-left.</summary>
    public string Lighting(string emotion, string background) =>
        _lightingByEmotion.TryGetValue(emotion, out var l) ? l : _lightingByBackground.TryGetValue(background, out var b) ? b : "key-left";

    /// <summary>Words that are capitalised at a sentence start without being names (for prompts).</summary>
    public bool IsNonName(string word) => _nonNames.Contains(word) || IsLexiconWord(word);

    public bool IsInteriorWord(string word) => _interiorWords.Contains(word);

    bool IsLexiconWord(string word)
    {
        var t = new List<string> { word.ToLowerInvariant() };
        return _emotions.Concat(_effects).Concat(_poses).Any(r => RuleMatchesAt(r, t, 0));
    }
}
