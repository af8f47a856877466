namespace Talos.Gpu.Prism;

/// <summary>The kinds of element of a Fountain 1.1 screenplay (notes and boneyard are removed while parsing).</summary>
public enum FountainElementKind
{
    SceneHeading, Action, Character, Parenthetical, Dialogue, Transition, Centered, Lyrics, Section, Synopsis, PageBreak,
}

/// <summary>
/// One element of a screenplay with its 1-based source line (the first line for multi-line elements).
/// Text has emphasis markers (*, **, ***, _) removed; multi-line action and dialogue keep their line breaks as '\n'.
/// </summary>
public sealed record FountainElement(FountainElementKind Kind, string Text, int Line)
{
    /// <summary>Forced with a Fountain marker (. ! @ &gt;).</summary>
    public bool Forced { get; init; }
    /// <summary>Scene number from a heading's trailing <c>#1A#</c>.</summary>
    public string? SceneNumber { get; init; }
    /// <summary>Character cue (and its dialogue) is part of a dual-dialogue pair (<c>^</c>).</summary>
    public bool Dual { get; init; }
    /// <summary>Character extensions such as V.O., O.S., CONT'D (without parentheses).</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];
    /// <summary>Section depth (number of '#').</summary>
    public int Depth { get; init; }
}

public sealed record TitlePageEntry(string Key, string Value, int Line);

/// <summary>A parsed Fountain screenplay.</summary>
public sealed record Screenplay(string Source, IReadOnlyList<TitlePageEntry> TitlePage, IReadOnlyList<FountainElement> Elements)
{
    public string? Title => TitlePage.FirstOrDefault(e => e.Key.Equals("Title", StringComparison.OrdinalIgnoreCase))?.Value.Replace('\n', ' ');
    public IEnumerable<FountainElement> SceneHeadings => Elements.Where(e => e.Kind == FountainElementKind.SceneHeading);
    public int SceneCount => Elements.Count(e => e.Kind == FountainElementKind.SceneHeading);
}
