using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talos.Gpu.Prism;

/// <summary>
/// What PRISM understood of a screenplay or prompt: scenes → shots, with who is present, who says what when,
/// the action, emotion, camera, effects, timing and transitions. JSON (camelCase) via <see cref="ToJson"/>/<see cref="FromJson"/>.
/// Described in docs/scenegraph.md.
/// </summary>
public sealed record SceneGraph(string Source, string? Title, IReadOnlyList<SceneNode> Scenes, IReadOnlyList<string> Characters)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    [JsonIgnore] public double TotalSeconds => Scenes.Sum(s => s.Shots.Sum(x => x.DurationSeconds));
    [JsonIgnore] public int ShotCount => Scenes.Sum(s => s.Shots.Count);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads and checks scene graph JSON (<see cref="SceneGraphJson.Parse"/>): every problem with its JSON path.</summary>
    public static SceneGraph FromJson(string json) => SceneGraphJson.Parse(json);
}

/// <param name="Number">1-based position of the scene in the graph (the order --scenes A-B selects by).</param>
/// <param name="Heading">The heading as written ("INT. KITCHEN - NIGHT"); "" for material before the first heading.</param>
/// <param name="SceneNumber">The screenplay's own scene number (#12A#), if any.</param>
/// <param name="Setting">INT, EXT, INT/EXT, EST, or "" (forced headings, prompts).</param>
/// <param name="TimeOfDay">Recognised time-of-day word (DAY, NIGHT, DUSK, …) or "".</param>
/// <param name="Background">AETHER background preset for the scene.</param>
/// <param name="TransitionIn">How the scene is entered: cut, dissolve or fade.</param>
/// <param name="Line">1-based source line of the heading (of the first element for prologue/prompt scenes).</param>
public sealed record SceneNode(int Number, string Heading, string? SceneNumber, string Setting, string Location, string TimeOfDay,
    string Background, string TransitionIn, int Line, IReadOnlyList<ShotNode> Shots);

/// <param name="Index">1-based position of the shot in its scene.</param>
/// <param name="Line">1-based source line where the shot's material starts.</param>
/// <param name="Characters">Characters on screen (speakers not marked off-screen, listeners, characters named in the action).</param>
/// <param name="Lines">Who says what when, relative to the start of the shot.</param>
/// <param name="Beats">What each on-screen character does (a pose from the action verbs; "gesture" for speakers).</param>
/// <param name="Action">The action text the shot films ("" for pure dialogue).</param>
/// <param name="Emotion">calm, joy, anger, fear, sadness or surprise.</param>
/// <param name="Camera">static, wide, medium, close, pan or dolly.</param>
/// <param name="Effects">Effect types for STOKES cued by the shot's text (smoke, fire, magic, mist; rain, snow and fog are mist).</param>
/// <param name="Lighting">AETHER lighting preset from the mood and the background.</param>
/// <param name="TransitionIn">cut, dissolve or fade.</param>
public sealed record ShotNode(int Index, int Line, IReadOnlyList<string> Characters, IReadOnlyList<SpokenLine> Lines, IReadOnlyList<CharacterBeat> Beats,
    string Action, string Emotion, string Camera, IReadOnlyList<string> Effects, string Lighting, double DurationSeconds, string TransitionIn)
{
    /// <summary>Sound cues for CUTTURA (lexicon "sounds"): SFX words in capitals in the action ("a loud CRASH" → crash),
    /// ambience in any case (rain, wind, thunder, sea).</summary>
    public IReadOnlyList<string> Sounds { get; init; } = [];
}

/// <param name="OffScreen">V.O., O.S. or O.C.: heard, not seen.</param>
/// <param name="Dual">Spoken at the same time as the other half of a dual-dialogue pair.</param>
public sealed record SpokenLine(string Character, string Text, string? Parenthetical, double StartSeconds, double EndSeconds, bool OffScreen, bool Dual, int Line);

/// <summary>A character's pose in a shot.</summary>
public sealed record CharacterBeat(string Character, string Pose);

/// <summary>How PRISM times and reads text.</summary>
public sealed record PrismOptions
{
    /// <summary>Dialogue speed: a line of N words lasts N / WordsPerSecond seconds.</summary>
    public double WordsPerSecond { get; init; } = 2.5;
    /// <summary>Reading speed of action text: a paragraph group of N words gets N / ActionWordsPerSecond seconds.</summary>
    public double ActionWordsPerSecond { get; init; } = 4.0;
    public double MinShotSeconds { get; init; } = 1.5;
    /// <summary>Longest shot; a longer speech is split into several shots at sentence ends (action is capped).</summary>
    public double MaxShotSeconds { get; init; } = 8.0;
    public Lexicon Lexicon { get; init; } = Lexicon.Default;

    public static PrismOptions Default { get; } = new();

    internal void Validate()
    {
        static bool Ok(double v, double lo, double hi) => double.IsFinite(v) && v >= lo && v <= hi;
        if (!Ok(WordsPerSecond, 0.1, 50)) throw new ArgumentException($"PrismOptions.WordsPerSecond {WordsPerSecond} is outside 0.1–50");
        if (!Ok(ActionWordsPerSecond, 0.1, 100)) throw new ArgumentException($"PrismOptions.ActionWordsPerSecond {ActionWordsPerSecond} is outside 0.1–100");
        if (!Ok(MinShotSeconds, 0.05, 60)) throw new ArgumentException($"PrismOptions.MinShotSeconds {MinShotSeconds} is outside 0.05–60");
        if (!Ok(MaxShotSeconds, MinShotSeconds, 600)) throw new ArgumentException($"PrismOptions.MaxShotSeconds {MaxShotSeconds} must be between MinShotSeconds ({MinShotSeconds}) and 600");
        ArgumentNullException.ThrowIfNull(Lexicon, nameof(Lexicon));
    }
}
