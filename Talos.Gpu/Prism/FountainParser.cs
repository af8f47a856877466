// Fountain 1.1 screenplay markup, after the syntax reference at https://fountain.io/syntax (Nima Yousefi & John August).
using System.Text;
using System.Text.RegularExpressions;

namespace Talos.Gpu.Prism;

/// <summary>
/// Parses Fountain 1.1 text into a <see cref="Screenplay"/>: title page, scene headings (INT/EXT/EST/INT./EXT/I/E, the
/// EXT/INT and E/I spellings real scripts use, and
/// forced '.'), scene numbers, action (forced '!'), character cues (forced '@', extensions, dual '^'), parentheticals,
/// dialogue, transitions (… TO:, FADE IN/OUT, forced '&gt;'), centred text, lyrics, sections, synopses and page breaks.
/// Notes [[…]] and boneyard /*…*/ are removed; emphasis markers are stripped. CRLF/CR line ends are accepted.
/// </summary>
public static partial class FountainParser
{
    /// <summary>Largest screenplay accepted, in characters.</summary>
    public const int MaxChars = 20 * 1024 * 1024;

    static readonly HashSet<string> TitleKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "title", "credit", "author", "authors", "source", "draft date", "date", "contact", "copyright", "notes", "revision",
        "format", "font", "episode", "series",
    };

    static readonly HashSet<string> BareTransitions = new(StringComparer.Ordinal)
    {
        "FADE IN:", "FADE IN.", "FADE IN", "FADE OUT.", "FADE OUT:", "FADE OUT", "FADE TO BLACK.", "FADE TO BLACK", "CUT TO BLACK.",
        "CUT TO BLACK", "THE END", "THE END.",
    };

    [GeneratedRegex(@"^(INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)[.\s]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingPrefix();

    [GeneratedRegex(@"\(([^)]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Parens();

    readonly record struct SourceLine(string Text, int Number);

    static readonly System.Buffers.SearchValues<char> SceneNumberChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-");

    /// <summary>Longest line taken as a character cue (real cues are a name and a few extensions).</summary>
    public const int MaxCueLength = 120;

    public static Screenplay Parse(string text, string sourceName = "screenplay")
    {
        if (text is null) throw new PrismException($"screenplay '{sourceName}' is null");
        if (text.Length > MaxChars) throw new PrismException($"screenplay '{sourceName}' is {text.Length} characters long; the limit is {MaxChars}");
        if (string.IsNullOrWhiteSpace(text)) throw new PrismException($"screenplay '{sourceName}' is empty");
        CheckIsText(text, sourceName);

        var lines = Preprocess(text, sourceName);
        int i = 0;
        var title = ParseTitlePage(lines, ref i);
        var elements = ParseBody(lines, i);

        if (!elements.Any(e => e.Kind is FountainElementKind.SceneHeading or FountainElementKind.Dialogue))
            throw new PrismException($"'{sourceName}' is not a screenplay: it has no scene heading (INT./EXT. …) and no dialogue in its {lines.Count} lines");
        return new Screenplay(sourceName, title, elements);
    }

    /// <summary>Rejects binary data: control characters (other than tab, line ends, form feed) or mostly undecodable bytes.</summary>
    static void CheckIsText(string text, string sourceName)
    {
        int line = 1, col = 1, replacement = 0;
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            if (c == '\n') { line++; col = 1; continue; }
            if (c == '\r')
            {
                if (k + 1 >= text.Length || text[k + 1] != '\n') { line++; col = 1; }
                continue;
            }
            if ((c < 32 && c is not '\t' and not '\f') || c == 127 || c is '\uFFFE' or '\uFFFF')
                throw new PrismException($"'{sourceName}' is not a screenplay: control character U+{(int)c:X4} at line {line}, column {col} (binary data?)");
            if (c == '\uFFFD') replacement++;
            col++;
        }
        if (replacement > 16 && replacement * 20 > text.Length)
            throw new PrismException($"'{sourceName}' is not a screenplay: {replacement} of {text.Length} characters are undecodable (not UTF-8 text)");
    }

    /// <summary>Splits into lines (1-based numbers kept), removes boneyard and notes. Lines whose whole content was a note or
    /// boneyard disappear (they do not count as blank lines), so removing them never splits a paragraph.</summary>
    static List<SourceLine> Preprocess(string text, string sourceName)
    {
        var raw = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var notes = new NoteCloser(raw);
        var result = new List<SourceLine>(raw.Length);
        bool inBoneyard = false, inNote = false;
        int boneyardLine = 0;
        var sb = new StringBuilder();
        for (int n = 0; n < raw.Length; n++)
        {
            var s = raw[n];
            sb.Clear();
            bool removed = false;
            for (int k = 0; k < s.Length; k++)
            {
                if (inBoneyard)
                {
                    removed = true;
                    if (s[k] == '*' && k + 1 < s.Length && s[k + 1] == '/') { inBoneyard = false; k++; }
                    continue;
                }
                if (inNote)
                {
                    removed = true;
                    if (s[k] == ']' && k + 1 < s.Length && s[k + 1] == ']') { inNote = false; k++; }
                    continue;
                }
                if (s[k] == '/' && k + 1 < s.Length && s[k + 1] == '*') { inBoneyard = true; boneyardLine = n + 1; removed = true; k++; continue; }
                if (s[k] == '[' && k + 1 < s.Length && s[k + 1] == '[' && notes.Closes(n, k + 2)) { inNote = true; removed = true; k++; continue; }
                sb.Append(s[k] == '\t' ? ' ' : s[k]);
            }
            var kept = sb.ToString();
            // A line that had content which was entirely a note/boneyard vanishes; a line that was blank stays blank.
            if (removed && string.IsNullOrWhiteSpace(kept) && !string.IsNullOrWhiteSpace(s)) continue;
            result.Add(new SourceLine(kept, n + 1));
        }
        if (inBoneyard) throw new PrismException($"'{sourceName}': boneyard '/*' opened at line {boneyardLine} is never closed with '*/'");
        return result;
    }

    /// <summary>A note [[ is only a note if it closes before the next blank line (Fountain: notes may span lines, not paragraphs).
    /// Answers in O(1) from tables built once (a line of 100,000 "[[" must not rescan its paragraph for each one).</summary>
    sealed class NoteCloser
    {
        readonly int[] _lastClose;     // index of the last "]]" on the line, or -1
        readonly bool[] _closesBelow;  // a later line of the same paragraph holds "]]"

        public NoteCloser(string[] raw)
        {
            _lastClose = new int[raw.Length];
            _closesBelow = new bool[raw.Length];
            for (int n = 0; n < raw.Length; n++) _lastClose[n] = raw[n].LastIndexOf("]]", StringComparison.Ordinal);
            for (int n = raw.Length - 2; n >= 0; n--)
                _closesBelow[n] = !string.IsNullOrWhiteSpace(raw[n + 1]) && (_lastClose[n + 1] >= 0 || _closesBelow[n + 1]);
        }

        public bool Closes(int line, int from) => _lastClose[line] >= from || _closesBelow[line];
    }

    static List<TitlePageEntry> ParseTitlePage(List<SourceLine> lines, ref int i)
    {
        var entries = new List<TitlePageEntry>();
        while (i < lines.Count && string.IsNullOrWhiteSpace(lines[i].Text)) i++;
        if (i >= lines.Count || !TryTitleKey(lines[i].Text, out var firstKey, out _) || !TitleKeys.Contains(firstKey)) { i = 0; return entries; }

        string? key = null; var value = new StringBuilder(); int keyLine = 0;
        void Flush()
        {
            if (key is not null) entries.Add(new TitlePageEntry(key, value.ToString(), keyLine));
        }
        for (; i < lines.Count && !string.IsNullOrWhiteSpace(lines[i].Text); i++)
        {
            var t = lines[i].Text;
            if (!char.IsWhiteSpace(t[0]) && TryTitleKey(t, out var k, out var v))
            {
                Flush();
                key = k; keyLine = lines[i].Number; value.Clear();
                if (v.Length > 0) value.Append(StripEmphasis(v));
            }
            else if (key is not null)
            {
                if (value.Length > 0) value.Append('\n');
                value.Append(StripEmphasis(t.Trim()));
            }
        }
        Flush();
        return entries;
    }

    static bool TryTitleKey(string t, out string key, out string value)
    {
        key = value = "";
        int colon = t.IndexOf(':');
        if (colon <= 0 || char.IsWhiteSpace(t[0])) return false;
        key = t[..colon].Trim();
        if (key.Length == 0 || key.Length > 40) return false;
        foreach (char c in key) if (!(char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')) return false;
        value = t[(colon + 1)..].Trim();
        return true;
    }

    static List<FountainElement> ParseBody(List<SourceLine> lines, int start)
    {
        var elements = new List<FountainElement>();
        bool Blank(int k) => k >= lines.Count || string.IsNullOrWhiteSpace(lines[k].Text);
        bool prevBlank = true;
        int i = start;
        while (i < lines.Count)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line.Text)) { prevBlank = true; i++; continue; }
            var t = line.Text.Trim();
            int no = line.Number;
            bool nextBlank = Blank(i + 1);

            if (t.Length >= 3 && t.All(c => c == '='))
            {
                elements.Add(new FountainElement(FountainElementKind.PageBreak, "", no));
                i++; prevBlank = false; continue;
            }
            if (t[0] == '#')
            {
                int depth = 0; while (depth < t.Length && t[depth] == '#') depth++;
                elements.Add(new FountainElement(FountainElementKind.Section, StripEmphasis(t[depth..].Trim()), no) { Depth = depth });
                i++; prevBlank = false; continue;
            }
            if (t[0] == '=')
            {
                elements.Add(new FountainElement(FountainElementKind.Synopsis, StripEmphasis(t[1..].Trim()), no));
                i++; prevBlank = false; continue;
            }
            if (t[0] == '>' && t.Length > 1 && t[^1] == '<')
            {
                elements.Add(new FountainElement(FountainElementKind.Centered, StripEmphasis(t[1..^1].Trim()), no));
                i++; prevBlank = false; continue;
            }
            if (t[0] == '>')
            {
                elements.Add(new FountainElement(FountainElementKind.Transition, StripEmphasis(t[1..].Trim()), no) { Forced = true });
                i++; prevBlank = false; continue;
            }
            if (t[0] == '~')
            {
                elements.Add(new FountainElement(FountainElementKind.Lyrics, StripEmphasis(t[1..].Trim()), no));
                i++; prevBlank = false; continue;
            }
            if (prevBlank && t.Length > 1 && t[0] == '.' && t[1] != '.')
            {
                elements.Add(Heading(t[1..].Trim(), no, forced: true));
                i++; prevBlank = false; continue;
            }
            if (prevBlank && nextBlank && HeadingPrefix().IsMatch(t))
            {
                elements.Add(Heading(t, no, forced: false));
                i++; prevBlank = false; continue;
            }
            if (prevBlank && nextBlank && IsTransition(t))
            {
                elements.Add(new FountainElement(FountainElementKind.Transition, StripEmphasis(t), no));
                i++; prevBlank = false; continue;
            }
            if (prevBlank && !nextBlank && t[0] != '!' && TryCharacterCue(t, out var name, out var exts, out bool dual, out bool forcedCue))
            {
                if (dual)
                {
                    // The cue before this one (the left column) is the other half of the pair.
                    int prev = elements.FindLastIndex(e => e.Kind == FountainElementKind.Character);
                    if (prev >= 0)
                    {
                        elements[prev] = elements[prev] with { Dual = true };
                        for (int k = prev + 1; k < elements.Count; k++)
                            if (elements[k].Kind is FountainElementKind.Dialogue or FountainElementKind.Parenthetical) elements[k] = elements[k] with { Dual = true };
                    }
                }
                elements.Add(new FountainElement(FountainElementKind.Character, name, no) { Extensions = exts, Dual = dual, Forced = forcedCue });
                i++;
                var dialogue = new StringBuilder(); int dialogueLine = 0;
                void FlushDialogue()
                {
                    if (dialogueLine == 0) return;
                    elements.Add(new FountainElement(FountainElementKind.Dialogue, dialogue.ToString(), dialogueLine) { Dual = dual });
                    dialogue.Clear(); dialogueLine = 0;
                }
                // Dialogue runs to the next blank line; a line of two spaces is an empty line inside the dialogue.
                while (i < lines.Count && (!string.IsNullOrWhiteSpace(lines[i].Text) || (lines[i].Text.Length >= 2 && lines[i].Text.Trim().Length == 0 && dialogueLine > 0 && !Blank(i + 1))))
                {
                    var d = lines[i].Text.Trim();
                    if (d.Length >= 2 && d[0] == '(' && d[^1] == ')')
                    {
                        FlushDialogue();
                        elements.Add(new FountainElement(FountainElementKind.Parenthetical, StripEmphasis(d), lines[i].Number) { Dual = dual });
                    }
                    else
                    {
                        if (dialogueLine == 0) dialogueLine = lines[i].Number; else dialogue.Append('\n');
                        dialogue.Append(StripEmphasis(d));
                    }
                    i++;
                }
                FlushDialogue();
                prevBlank = false;
                continue;
            }

            // Action: this line and every following one up to the next blank line.
            bool forced = t[0] == '!';
            var action = new StringBuilder(StripEmphasis(forced ? t[1..].Trim() : t));
            i++;
            while (i < lines.Count && !string.IsNullOrWhiteSpace(lines[i].Text))
            {
                action.Append('\n').Append(StripEmphasis(lines[i].Text.Trim()));
                i++;
            }
            elements.Add(new FountainElement(FountainElementKind.Action, action.ToString(), no) { Forced = forced });
            prevBlank = false;
        }
        return elements;
    }

    static FountainElement Heading(string t, int line, bool forced)
    {
        string? number = null;
        // A trailing "#12A#" (letters, digits, '.', '-'), read by hand: a regex with \s*…$ backtracks quadratically on long lines.
        var end = t.TrimEnd();
        if (end.Length >= 3 && end[^1] == '#')
        {
            int open = end.LastIndexOf('#', end.Length - 2);
            if (open >= 0 && open < end.Length - 2 && end.AsSpan(open + 1, end.Length - open - 2).IndexOfAnyExcept(SceneNumberChars) < 0)
            {
                number = end[(open + 1)..^1];
                t = end[..open];
            }
        }
        return new FountainElement(FountainElementKind.SceneHeading, StripEmphasis(t.Trim()), line) { Forced = forced, SceneNumber = number };
    }

    static bool IsTransition(string t)
    {
        var s = StripEmphasis(t).Trim();
        if (s.Any(char.IsLower) || !s.Any(char.IsLetter)) return false;
        return s.EndsWith("TO:", StringComparison.Ordinal) || BareTransitions.Contains(s);
    }

    static bool TryCharacterCue(string t, out string name, out IReadOnlyList<string> extensions, out bool dual, out bool forced)
    {
        name = ""; extensions = []; dual = false; forced = false;
        if (t.Length > MaxCueLength) return false;
        var s = t;
        if (s.EndsWith('^')) { dual = true; s = s[..^1].TrimEnd(); }
        if (s.StartsWith('@')) { forced = true; s = s[1..].Trim(); }
        int paren = s.IndexOf('(');
        var baseName = (paren >= 0 ? s[..paren] : s).Trim();
        if (baseName.Length == 0 || !baseName.Any(char.IsLetter)) return false;
        if (!forced && baseName.Any(char.IsLower)) return false;
        if (paren >= 0)
        {
            var rest = s[paren..];
            var exts = Parens().Matches(rest).Select(m => m.Groups[1].Value.Trim()).Where(x => x.Length > 0).ToList();
            if (Parens().Replace(rest, "").Trim().Length > 0) return false; // text after the extensions: not a cue
            extensions = exts;
        }
        name = StripEmphasis(baseName);
        return name.Length > 0;
    }

    /// <summary>Removes Fountain emphasis markers (*italic*, **bold**, ***both***, _underline_); <c>\*</c> and <c>\_</c> stay literal.
    /// An underscore between two letters or digits (snake_case) is kept.</summary>
    public static string StripEmphasis(string s)
    {
        if (s.IndexOfAny(['*', '_', '\\']) < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (int k = 0; k < s.Length; k++)
        {
            char c = s[k];
            if (c == '\\' && k + 1 < s.Length && s[k + 1] is '*' or '_') { sb.Append(s[k + 1]); k++; continue; }
            if (c == '*') continue;
            if (c == '_')
            {
                bool inWord = k > 0 && k + 1 < s.Length && char.IsLetterOrDigit(s[k - 1]) && char.IsLetterOrDigit(s[k + 1]);
                if (!inWord) continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
