using System.Text;
using System.Text.RegularExpressions;

namespace Talos.Gpu.Prism;

/// <summary>
/// Screenplay → <see cref="SceneGraph"/>. Shot rules (docs/scenegraph.md):
/// <list type="bullet">
/// <item>Material before the first scene heading becomes a scene of its own (heading "").</item>
/// <item>A scene is cut into shots at each dialogue block (a character cue with its parentheticals and dialogue) and at each
/// group of consecutive action paragraphs; an action paragraph with a camera direction (CLOSE ON, ANGLE ON, …) starts a new group.
/// A dual-dialogue cue ('^') shares the shot of the block before it (both speak at once).</item>
/// <item>Timing: dialogue lasts words / WordsPerSecond, lines one after another; action lasts words / ActionWordsPerSecond;
/// every shot lasts at least MinShotSeconds and at most MaxShotSeconds (a longer speech is split into several shots at sentence ends).</item>
/// <item>Transition lines set how the next scene is entered. Sections, synopses and page breaks are not filmed.</item>
/// </list>
/// </summary>
public static partial class SceneGraphBuilder
{
    [GeneratedRegex(@"^(?<set>INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)\.?\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingSetting();

    // Non-backtracking: a heading of 100,000 spaces must not take quadratic time.
    [GeneratedRegex(@"\s+(?:-{1,2}|–|—)\s+", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex HeadingDash();

    static readonly HashSet<string> OffScreenExtensions = new(StringComparer.OrdinalIgnoreCase) { "V.O.", "V.O", "VO", "O.S.", "O.S", "OS", "O.C.", "O.C", "OC", "VOICE OVER", "OFF", "ON THE PHONE", "PHONE", "RADIO", "PRE-LAP" };

    public static SceneGraph Build(Screenplay screenplay, PrismOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(screenplay);
        options ??= PrismOptions.Default;
        options.Validate();
        var lx = options.Lexicon;
        var names = screenplay.Elements.Where(e => e.Kind == FountainElementKind.Character).Select(e => NormaliseName(e.Text)).Distinct(StringComparer.Ordinal).ToList();
        var composer = new ShotComposer(options, new NameMatcher(names));

        var scenes = new List<SceneNode>();
        SceneDraft? cur = null;
        string pendingTransition = lx.DefaultTransition;
        string? midScene = null; // a transition inside a scene: how its next shot is entered
        string? previousBackground = null;

        void Finish()
        {
            if (cur is null) return;
            var scene = composer.Compose(cur, scenes.Count + 1);
            scenes.Add(scene);
            previousBackground = scene.Background;
            cur = null;
        }
        SceneDraft Current(int line)
        {
            if (cur is null)
            {
                cur = new SceneDraft("", null, "", "", "", lx.DefaultBackground, pendingTransition, line);
                pendingTransition = lx.DefaultTransition;
            }
            return cur;
        }

        foreach (var e in screenplay.Elements)
        {
            switch (e.Kind)
            {
                case FountainElementKind.SceneHeading:
                {
                    Finish();
                    var (setting, location, time) = ParseHeading(e.Text, lx);
                    var background = lx.Background(setting, time, previousBackground);
                    cur = new SceneDraft(e.Text, e.SceneNumber, setting, location, time, background, pendingTransition, e.Line);
                    pendingTransition = lx.DefaultTransition;
                    midScene = null;
                    break;
                }
                case FountainElementKind.Action or FountainElementKind.Centered or FountainElementKind.Lyrics:
                    Current(e.Line).AddAction(e.Text, e.Line, lx, midScene);
                    if (midScene is not null) { pendingTransition = lx.DefaultTransition; midScene = null; }
                    break;
                case FountainElementKind.Character:
                    Current(e.Line).StartDialogue(NormaliseName(e.Text), e.Extensions.Any(OffScreenExtensions.Contains), e.Dual, e.Line, midScene);
                    if (midScene is not null) { pendingTransition = lx.DefaultTransition; midScene = null; }
                    break;
                case FountainElementKind.Parenthetical:
                    cur?.AddParenthetical(e.Text);
                    break;
                case FountainElementKind.Dialogue:
                    cur?.AddDialogue(e.Text, e.Line);
                    break;
                case FountainElementKind.Transition:
                    // Enters the next scene, or, when more of this scene follows ("CUT TO:" then action), its next shot.
                    cur?.EndBlock();
                    pendingTransition = lx.Transition(e.Text);
                    if (cur is not null) midScene = pendingTransition;
                    break;
            }
        }
        Finish();
        if (scenes.Count == 0) throw new PrismException($"'{screenplay.Source}' has nothing to film");
        return new SceneGraph(screenplay.Source, screenplay.Title, scenes, ShotComposer.CharacterOrder(scenes));
    }

    internal static string NormaliseName(string name) => string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    /// <summary>"INT.  WILL'S BEDROOM - NIGHT (1973)" → (INT, WILL'S BEDROOM, NIGHT).</summary>
    internal static (string Setting, string Location, string TimeOfDay) ParseHeading(string heading, Lexicon lx)
    {
        var text = heading.Trim();
        string setting = "";
        var m = HeadingSetting().Match(text);
        if (m.Success)
        {
            var s = m.Groups["set"].Value.ToUpperInvariant().Replace(".", "");
            setting = s switch { "INT" => "INT", "EXT" => "EXT", "EST" => "EST", _ => "INT/EXT" };
            text = text[m.Length..];
        }
        var parts = HeadingDash().Split(text).Where(p => p.Length > 0 && p.Trim('-', '–', '—').Length > 0).ToList();
        string time = "", location = text.Trim();
        if (parts.Count > 1)
        {
            var last = parts[^1].Trim();
            var word = lx.TimeOfDayWord(last);
            if (word.Length > 0 || last.All(c => !char.IsLower(c)))
            {
                time = word;
                location = string.Join(" - ", parts.Take(parts.Count - 1).Select(p => p.Trim()));
            }
        }
        return (setting, location, time);
    }
}

/// <summary>A scene being read: blocks of action or dialogue in order.</summary>
sealed class SceneDraft(string heading, string? sceneNumber, string setting, string location, string timeOfDay, string background, string transitionIn, int line)
{
    public string Heading { get; } = heading;
    public string? SceneNumber { get; } = sceneNumber;
    public string Setting { get; } = setting;
    public string Location { get; } = location;
    public string TimeOfDay { get; } = timeOfDay;
    public string Background { get; } = background;
    public string TransitionIn { get; } = transitionIn;
    public int Line { get; } = line;
    public List<Block> Blocks { get; } = [];
    Block? _open;

    public sealed class Block
    {
        public bool IsDialogue;
        public string Speaker = "";
        public bool OffScreen, Dual;
        public int Line;
        public readonly List<(string Text, int Line)> Paragraphs = [];
        public readonly List<(string Text, string? Parenthetical, int Line)> Lines = [];
        public readonly List<string> Parentheticals = [];
        public string? PendingParenthetical;
        /// <summary>Set when a transition line comes before this block inside the scene.</summary>
        public string? TransitionIn;
    }

    public void AddAction(string text, int line, Lexicon lx, string? transitionIn = null)
    {
        if (_open is { IsDialogue: true }) EndBlock();
        // A camera direction or a transition starts a new shot.
        if (_open is { Paragraphs.Count: > 0 } && (lx.Camera(text) is not null || transitionIn is not null)) EndBlock();
        _open ??= new Block { Line = line, TransitionIn = transitionIn };
        _open.Paragraphs.Add((text, line));
    }

    public void StartDialogue(string speaker, bool offScreen, bool dual, int line, string? transitionIn = null)
    {
        EndBlock();
        _open = new Block { IsDialogue = true, Speaker = speaker, OffScreen = offScreen, Dual = dual, Line = line, TransitionIn = transitionIn };
    }

    public void AddParenthetical(string text)
    {
        if (_open is not { IsDialogue: true }) return;
        var inner = text.Trim().TrimStart('(').TrimEnd(')').Trim();
        _open.Parentheticals.Add(inner);
        _open.PendingParenthetical = inner;
    }

    public void AddDialogue(string text, int line)
    {
        if (_open is not { IsDialogue: true }) return;
        _open.Lines.Add((text, _open.PendingParenthetical, line));
        _open.PendingParenthetical = null;
    }

    public void EndBlock()
    {
        if (_open is null) return;
        if (_open.Paragraphs.Count > 0 || _open.Lines.Count > 0) Blocks.Add(_open);
        _open = null;
    }
}

/// <summary>Finds known character names in text: the name in capitals or in title case, as whole words ("Edward's" counts).
/// One pass over the words of the text with a table keyed by each form's first word, so the cost does not grow with the
/// number of names times the text length (a fuzzed screenplay may have thousands of cues).</summary>
sealed class NameMatcher
{
    readonly List<(string Name, string[] Forms)> _names;
    readonly Dictionary<string, List<(string Form, int Name)>> _byFirstWord = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<(string Form, int Name)>>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    readonly List<(string Form, int Name)> _odd = []; // forms that do not start with a letter or digit

    public NameMatcher(IEnumerable<string> names)
    {
        _names = names.Where(n => n.Any(char.IsLetter))
            .Select(n => (n, new[] { n, TitleCase(n) }.Distinct(StringComparer.Ordinal).ToArray())).ToList();
        for (int k = 0; k < _names.Count; k++)
            foreach (var f in _names[k].Forms)
            {
                if (!char.IsLetterOrDigit(f[0])) { _odd.Add((f, k)); continue; }
                int e = 0; while (e < f.Length && char.IsLetterOrDigit(f[e])) e++;
                var first = f[..e];
                if (!_byFirstWord.TryGetValue(first, out var list)) _byFirstWord[first] = list = [];
                list.Add((f, k));
            }
        _lookup = _byFirstWord.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public IReadOnlyList<string> Names => _names.Select(n => n.Name).ToList();

    static string TitleCase(string upper)
    {
        var sb = new StringBuilder(upper.Length);
        bool start = true;
        foreach (char c in upper)
        {
            sb.Append(start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            start = c is ' ' or '-';
        }
        return sb.ToString();
    }

    /// <summary>Names found, in order of first mention (longer names win a tie at the same place).</summary>
    public List<string> Find(string text)
    {
        var first = new Dictionary<int, int>();
        void Seen(int name, int at)
        {
            if (!first.TryGetValue(name, out var was) || at < was) first[name] = at;
        }
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            int s = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            if (!_lookup.TryGetValue(text.AsSpan(s, i - s), out var candidates)) continue;
            foreach (var (form, name) in candidates)
            {
                if (first.ContainsKey(name)) continue; // scanning left to right: the first hit is the earliest
                int end = s + form.Length;
                if (end <= text.Length && text.AsSpan(s).StartsWith(form, StringComparison.Ordinal) && (end >= text.Length || !char.IsLetterOrDigit(text[end])))
                    Seen(name, s);
            }
        }
        foreach (var (form, name) in _odd)
        {
            int at = IndexOfWord(text, form);
            if (at >= 0) Seen(name, at);
        }
        return first.Select(p => (At: p.Value, _names[p.Key].Name))
            .OrderBy(f => f.At).ThenByDescending(f => f.Name.Length).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => f.Name).ToList();
    }

    static int IndexOfWord(string text, string word)
    {
        int from = 0;
        while (true)
        {
            int i = text.IndexOf(word, from, StringComparison.Ordinal);
            if (i < 0) return -1;
            int end = i + word.Length;
            if ((i == 0 || !char.IsLetterOrDigit(text[i - 1])) && (end >= text.Length || !char.IsLetterOrDigit(text[end]))) return i;
            from = i + 1;
        }
    }
}

/// <summary>Turns a scene's blocks into timed shots (shared by screenplays and prompts).</summary>
sealed partial class ShotComposer(PrismOptions options, NameMatcher names)
{
    public const int MaxOnScreen = 4;
    readonly Lexicon _lx = options.Lexicon;

    [GeneratedRegex(@"(?<=[.!?…])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEnd();

    public static int Words(string text) => Lexicon.Tokenize(text).Count;

    public static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static List<string> Sentences(string text) =>
        SentenceEnd().Split(Collapse(text)).Where(s => s.Length > 0).ToList();

    internal double Clamp(double seconds) => Math.Clamp(seconds, options.MinShotSeconds, options.MaxShotSeconds);

    public SceneNode Compose(SceneDraft draft, int number)
    {
        draft.EndBlock();
        var shots = new List<ShotNode>();
        string emotion = "calm";
        SceneDraft.Block? previousBlock = null;
        foreach (var block in draft.Blocks)
        {
            if (!block.IsDialogue)
            {
                var action = string.Join("\n\n", block.Paragraphs.Select(p => p.Text));
                var seconds = Clamp(Words(action) / options.ActionWordsPerSecond);
                var mentioned = names.Find(action);
                var onScreen = mentioned.Count > 0 ? mentioned.Take(MaxOnScreen).ToList() : shots.Count > 0 ? shots[^1].Characters.ToList() : [];
                shots.Add(MakeShot(draft, shots, block.Line, onScreen, [], action, [], seconds, ref emotion, block.TransitionIn));
            }
            else if (block.Dual && block.TransitionIn is null && previousBlock is { IsDialogue: true } && shots.Count > 0 && shots[^1].Lines.Count > 0)
            {
                // Dual dialogue: the two speakers talk at once, in the shot of the block before.
                var prev = shots[^1];
                double start = prev.Lines.Where(l => l.Dual).Select(l => l.StartSeconds).DefaultIfEmpty(prev.Lines[0].StartSeconds).Min();
                var lines = TimeLines(block, block.Lines, start);
                var all = prev.Lines.Select(l => l with { Dual = true }).Concat(lines).ToList();
                var onScreen = prev.Characters.ToList();
                if (!block.OffScreen && !onScreen.Contains(block.Speaker)) onScreen.Add(block.Speaker);
                var seconds = Clamp(all.Max(l => l.EndSeconds));
                var beats = Beats(onScreen, prev.Action, all, block.Parentheticals);
                shots[^1] = prev with { Characters = onScreen, Lines = all, Beats = beats, DurationSeconds = seconds };
            }
            else
            {
                string? transitionIn = block.TransitionIn;
                foreach (var piece in SplitSpeech(block))
                {
                    var lines = TimeLines(block, piece, 0);
                    // Everyone keeps their place on screen; a new speaker joins at the right; the longest-present listener leaves when full.
                    var onScreen = shots.Count > 0 ? shots[^1].Characters.ToList() : [];
                    if (!block.OffScreen && !onScreen.Contains(block.Speaker)) onScreen.Add(block.Speaker);
                    while (onScreen.Count > MaxOnScreen) onScreen.RemoveAt(onScreen[0] == block.Speaker ? 1 : 0);
                    var seconds = Clamp(lines.Count == 0 ? 0 : lines[^1].EndSeconds);
                    shots.Add(MakeShot(draft, shots, piece.Count > 0 ? piece[0].Line : block.Line, onScreen, lines, "", block.Parentheticals, seconds, ref emotion, transitionIn));
                    transitionIn = null;
                }
            }
            previousBlock = block;
        }
        if (shots.Count == 0)
            shots.Add(MakeShot(draft, shots, draft.Line, [], [], "", [], options.MinShotSeconds, ref emotion));
        return new SceneNode(number, draft.Heading, draft.SceneNumber, draft.Setting, draft.Location, draft.TimeOfDay, draft.Background, draft.TransitionIn, draft.Line, shots);
    }

    /// <summary>Cuts a speech into pieces that each fit MaxShotSeconds, at sentence ends (at word counts for a sentence too long alone).</summary>
    List<List<(string Text, string? Parenthetical, int Line)>> SplitSpeech(SceneDraft.Block block)
    {
        double wps = options.WordsPerSecond, max = options.MaxShotSeconds;
        int maxWords = Math.Max(1, (int)Math.Floor(max * wps + 1e-9));
        var units = new List<(string Text, string? Parenthetical, int Line, int Words, int Source)>();
        for (int s = 0; s < block.Lines.Count; s++)
        {
            var (text, par, line) = block.Lines[s];
            bool first = true;
            foreach (var sentence in Sentences(text))
            {
                var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int count = Words(sentence);
                if (count <= maxWords) { units.Add((sentence, first ? par : null, line, count, s)); first = false; continue; }
                for (int k = 0; k < words.Length; k += maxWords)
                {
                    var chunk = string.Join(' ', words.Skip(k).Take(maxWords));
                    units.Add((chunk, first ? par : null, line, Words(chunk), s));
                    first = false;
                }
            }
        }
        var pieces = new List<List<(string Text, string? Parenthetical, int Line)>>();
        var current = new List<(string Text, string? Parenthetical, int Line, int Words, int Source)>();
        int currentWords = 0;
        void Close()
        {
            if (current.Count == 0) return;
            // Sentences of the same dialogue line inside one piece are one spoken line again.
            pieces.Add(current.GroupBy(u => u.Source).Select(g => (string.Join(' ', g.Select(u => u.Text)), g.First().Parenthetical, g.First().Line)).ToList());
            current = []; currentWords = 0;
        }
        foreach (var u in units)
        {
            if (current.Count > 0 && currentWords + u.Words > maxWords) Close();
            current.Add(u); currentWords += u.Words;
        }
        Close();
        if (pieces.Count == 0) pieces.Add([]);
        return pieces;
    }

    List<SpokenLine> TimeLines(SceneDraft.Block block, IEnumerable<(string Text, string? Parenthetical, int Line)> lines, double start)
    {
        var result = new List<SpokenLine>();
        double t = start;
        foreach (var (text, par, line) in lines)
        {
            var collapsed = Collapse(text);
            double len = Words(collapsed) / options.WordsPerSecond;
            result.Add(new SpokenLine(block.Speaker, collapsed, par, t, t + len, block.OffScreen, block.Dual, line));
            t += len;
        }
        return result;
    }

    internal ShotNode MakeShot(SceneDraft draft, List<ShotNode> shots, int line, List<string> onScreen, List<SpokenLine> lines, string action,
        IReadOnlyList<string> parentheticals, double seconds, ref string emotion, string? transitionIn = null)
    {
        bool first = shots.Count == 0;
        var pars = string.Join(" ", parentheticals);
        emotion = _lx.Emotion(pars, action) ?? emotion;
        var camera = _lx.Camera(action) ?? (first ? _lx.Camera(draft.Heading) : null)
                     ?? (first ? _lx.FirstShotCamera : lines.Count > 0 ? _lx.DialogueCamera : _lx.ActionCamera);
        var cueText = first ? draft.Heading + "\n" + action : action;
        var effects = _lx.Effects(cueText);
        return new ShotNode(shots.Count + 1, line, onScreen, lines, Beats(onScreen, action, lines, parentheticals), action, emotion, camera,
            effects, _lx.Lighting(emotion, draft.Background), seconds, first ? draft.TransitionIn : transitionIn ?? _lx.DefaultTransition)
        { Sounds = _lx.Sounds(cueText) };
    }

    /// <summary>Poses: a pose verb in a sentence goes to the characters named in it, or (none named) to everyone not yet posed;
    /// a speaker's parenthetical verb is theirs; speakers without a pose gesture; the rest stand idle.</summary>
    internal List<CharacterBeat> Beats(IReadOnlyList<string> onScreen, string action, IReadOnlyList<SpokenLine> lines, IReadOnlyList<string> parentheticals)
    {
        var pose = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sentence in Sentences(action))
        {
            var verb = _lx.Pose(sentence);
            if (verb is null) continue;
            var named = names.Find(sentence).Where(onScreen.Contains).ToList();
            foreach (var c in named.Count > 0 ? named : onScreen) pose.TryAdd(c, verb);
        }
        var speakers = lines.Where(l => !l.OffScreen).Select(l => l.Character).Distinct().ToList();
        if (speakers.Count == 1 && parentheticals.Count > 0 && _lx.Pose(string.Join(". ", parentheticals)) is { } pv) pose.TryAdd(speakers[0], pv);
        foreach (var s in speakers) pose.TryAdd(s, "gesture");
        return onScreen.Select(c => new CharacterBeat(c, pose.GetValueOrDefault(c, "idle"))).ToList();
    }

    /// <summary>Characters in order of first appearance (on screen or speaking) across the whole graph.</summary>
    public static List<string> CharacterOrder(IEnumerable<SceneNode> scenes)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shot in scenes.SelectMany(s => s.Shots))
            foreach (var c in shot.Characters.Concat(shot.Lines.Select(l => l.Character)))
                if (seen.Add(c)) order.Add(c);
        return order;
    }
}
