using System.Text;
using System.Text.RegularExpressions;
using Talos.Gpu.Prism;
using Talos.Tests.Support;
using Xunit;
using K = Talos.Gpu.Prism.FountainElementKind;

namespace Talos.Tests.Prism;

/// <summary>
/// The real screenplays in ../shared/corpus/fountain, read in place. What the parser should find is counted here by a
/// separate, deliberately simple line scanner (paragraphs between blank lines), not by asking the parser.
/// </summary>
public sealed partial class CorpusTests
{
    static string Read(string name) => File.ReadAllText(Repo.Corpus(name));

    static SceneGraph Graph(string text, string source) => SceneGraphBuilder.Build(FountainParser.Parse(text, source));

    [GeneratedRegex(@"^(INT\./EXT|INT/EXT|EXT/INT|EXT\./INT|INT|EXT|EST|I/E|E/I)[. ]", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingStart();

    /// <summary>The corpus files hold no notes or boneyard, so raw lines are the lines the parser sees.</summary>
    sealed record Para(int Line, List<string> Lines);

    static List<Para> Paragraphs(string text)
    {
        var raw = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var result = new List<Para>();
        Para? cur = null;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i].Trim().Length == 0) { cur = null; continue; }
            if (cur is null) { cur = new Para(i + 1, []); result.Add(cur); }
            cur.Lines.Add(raw[i].Trim());
        }
        // The title page is the first paragraph when it starts with "Key:".
        if (result.Count > 0 && Regex.IsMatch(result[0].Lines[0], @"^Title\s*:", RegexOptions.IgnoreCase)) result.RemoveAt(0);
        return result;
    }

    static bool IsHeading(Para p) =>
        p.Lines.Count == 1 && (HeadingStart().IsMatch(p.Lines[0]) || (p.Lines[0].Length > 1 && p.Lines[0][0] == '.' && p.Lines[0][1] != '.'));

    static string Unemph(string s) => s.Replace("*", "").Replace("_", "");

    static bool IsTransitionLine(Para p)
    {
        if (p.Lines.Count != 1) return false;
        var t = Unemph(p.Lines[0]).Trim();
        if (t.StartsWith('>')) return !t.EndsWith('<');
        return !t.Any(char.IsLower) && (t.EndsWith("TO:") || t is "FADE IN:" or "FADE OUT." or "FADE TO BLACK." or "CUT TO BLACK.");
    }

    static IEnumerable<string> CenteredLines(Para p) => p.Lines.Where(l => l.StartsWith('>') && l.EndsWith('<'));

    /// <summary>A cue: a paragraph of two or more lines whose first line, without its extensions and markers, has no lower-case letter.</summary>
    static string? CueName(Para p)
    {
        if (p.Lines.Count < 2 || IsHeading(p)) return null;
        var s = p.Lines[0];
        if (s[0] is '!' or '>' or '~' or '=' or '#' or '.') return null;
        bool forced = s.StartsWith('@');
        s = s.TrimStart('@').TrimEnd('^').Trim();
        int paren = s.IndexOf('(');
        if (paren >= 0) s = s[..paren].Trim();
        if (!s.Any(char.IsLetter) || (!forced && s.Any(char.IsLower))) return null;
        return string.Join(' ', Unemph(s).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
    }

    /// <summary>Every dialogue run (lines between parentheticals) of every cue: its first line → (speaker, text).</summary>
    static Dictionary<int, (string Speaker, string Text)> ExpectedDialogue(string text)
    {
        var expected = new Dictionary<int, (string, string)>();
        foreach (var p in Paragraphs(text))
        {
            if (CueName(p) is not { } name) continue;
            int start = 0; var sb = new StringBuilder();
            for (int k = 1; k <= p.Lines.Count; k++)
            {
                bool paren = k < p.Lines.Count && p.Lines[k].StartsWith('(') && p.Lines[k].EndsWith(')');
                if (k == p.Lines.Count || paren)
                {
                    if (start > 0) expected[start] = (name, sb.ToString());
                    start = 0; sb.Clear();
                    continue;
                }
                if (start == 0) start = p.Line + k;
                sb.Append(' ').Append(p.Lines[k]);
            }
        }
        return expected;
    }

    static string Letters(string s) => new(s.Where(char.IsLetterOrDigit).ToArray());

    [Theory]
    [InlineData("big_fish.fountain", 192)]
    [InlineData("big_fish_crlf.fountain", 192)]
    [InlineData("brick_and_steel.fountain", 8)]
    public void Scene_count_matches_an_independent_count_of_headings_forced_ones_included(string file, int scenes)
    {
        var text = Read(file);
        var paras = Paragraphs(text);
        int counted = paras.Count(IsHeading);
        Assert.Equal(scenes, counted);
        var play = FountainParser.Parse(text, file);
        Assert.Equal(counted, play.SceneCount);
        Assert.Equal(paras.Where(IsHeading).Select(p => p.Line), play.SceneHeadings.Select(h => h.Line));
        // Nothing before the first heading but a prologue scene; every heading becomes exactly one scene of the graph.
        var graph = SceneGraphBuilder.Build(play);
        Assert.Equal(counted, graph.Scenes.Count(s => s.Heading.Length > 0));
        Assert.Equal(paras.Where(IsHeading).Select(p => p.Line), graph.Scenes.Where(s => s.Heading.Length > 0).Select(s => s.Line));
    }

    [Fact]
    public void Brick_and_steel_forced_headings_are_scenes()
    {
        var graph = Graph(Read("brick_and_steel.fountain"), "brick");
        Assert.Equal(["SNIPER SCOPE POV", "OPENING TITLES"], graph.Scenes.Where(s => s.Setting == "").Select(s => s.Heading));
        Assert.Equal("close", graph.Scenes.Single(s => s.Heading == "SNIPER SCOPE POV").Shots[0].Camera); // POV in the heading
    }

    [Fact]
    public void Big_fish_lf_crlf_and_cr_give_the_same_scene_graph_json()
    {
        var lf = Read("big_fish.fountain");
        Assert.DoesNotContain('\r', lf);
        var json = Graph(lf, "big_fish").ToJson();
        Assert.Equal(json, Graph(lf.Replace("\n", "\r\n"), "big_fish").ToJson());
        Assert.Equal(json, Graph(lf.Replace("\n", "\r"), "big_fish").ToJson());
        Assert.Equal(json, Graph(lf.Replace("\n", " \r\n"), "big_fish").ToJson()); // a trailing space too (two would be Fountain's blank line inside dialogue)

        // The corpus' CRLF copy, as stored (with its CR bytes), gives the very same graph.
        var copyText = Read("big_fish_crlf.fountain");
        Assert.Contains('\r', copyText);
        var copy = Graph(copyText, "big_fish");
        Assert.Equal(json, copy.ToJson());
    }

    [Theory]
    [InlineData("big_fish.fountain")]
    [InlineData("brick_and_steel.fountain")]
    public void Every_dialogue_is_attributed_to_its_character_with_all_its_words(string file)
    {
        var text = Read(file);
        var expected = ExpectedDialogue(text);
        Assert.True(expected.Count > (file.StartsWith("big") ? 600 : 20), $"only {expected.Count} dialogue runs found");
        var graph = Graph(text, file);
        var spoken = graph.Scenes.SelectMany(s => s.Shots).SelectMany(s => s.Lines).GroupBy(l => l.Line).ToDictionary(g => g.Key, g => g.ToList());
        var problems = new List<string>();
        foreach (var (line, (speaker, words)) in expected.OrderBy(e => e.Key))
        {
            if (!spoken.TryGetValue(line, out var got)) { problems.Add($"line {line}: {speaker}'s \"{words}\" is missing"); continue; }
            if (got.Any(l => l.Character != speaker)) problems.Add($"line {line}: spoken by {string.Join(",", got.Select(l => l.Character).Distinct())}, not {speaker}");
            if (Letters(string.Concat(got.Select(l => l.Text))) != Letters(Unemph(words))) problems.Add($"line {line}: text \"{string.Join(" ", got.Select(l => l.Text))}\" ≠ \"{words}\"");
        }
        foreach (var line in spoken.Keys.Where(k => !expected.ContainsKey(k))) problems.Add($"line {line}: spoken line that is no dialogue");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        Assert.Equal(expected.Values.Select(v => v.Speaker).Distinct().Order(), graph.Characters.Where(c => expected.Values.Any(v => v.Speaker == c)).Order());
    }

    [Fact]
    public void Brick_and_steel_dual_dialogue_is_paired_in_one_shot()
    {
        var text = Read("brick_and_steel.fountain");
        int marked = text.Split('\n').Count(l => l.TrimEnd().EndsWith('^'));
        Assert.Equal(1, marked);
        var graph = Graph(text, "brick");
        var dualShots = graph.Scenes.SelectMany(s => s.Shots).Where(s => s.Lines.Any(l => l.Dual)).ToList();
        Assert.Equal(marked, dualShots.Count);
        var lines = dualShots[0].Lines;
        Assert.Equal([("STEEL", "Screw retirement."), ("BRICK", "Screw retirement.")], lines.Select(l => (l.Character, l.Text)));
        Assert.All(lines, l => Assert.True(l.Dual));
        Assert.Equal(lines[0].StartSeconds, lines[1].StartSeconds);
        Assert.Contains("STEEL", dualShots[0].Characters);
        Assert.Contains("BRICK", dualShots[0].Characters);
        Assert.True(dualShots[0].DurationSeconds >= lines.Max(l => l.EndSeconds) - 1e-9);
    }

    [Theory]
    [InlineData("big_fish.fountain")]
    [InlineData("brick_and_steel.fountain")]
    public void Transitions_are_kept_and_set_how_the_next_shot_is_entered(string file)
    {
        var text = Read(file);
        var paras = Paragraphs(text);
        var play = FountainParser.Parse(text, file);
        var transitions = play.Elements.Where(e => e.Kind == K.Transition).ToList();
        Assert.Equal(paras.Where(IsTransitionLine).Select(p => p.Line), transitions.Select(t => t.Line));
        Assert.NotEmpty(transitions);

        // The shot that follows a transition (the next scene's first, or the next shot of the same scene) is entered with it.
        var graph = SceneGraphBuilder.Build(play);
        var shots = graph.Scenes.SelectMany(s => s.Shots.Select(x => (Scene: s, Shot: x))).ToList();
        foreach (var t in transitions)
        {
            var next = shots.FirstOrDefault(x => x.Shot.Line > t.Line);
            if (next.Shot is null) continue; // the last line of the film
            if (transitions.Any(o => o.Line > t.Line && o.Line < next.Shot.Line)) continue; // a later transition wins
            Assert.True(next.Shot.TransitionIn == Lexicon.Default.Transition(t.Text),
                $"\"{t.Text}\" (line {t.Line}) → shot at line {next.Shot.Line} enters with {next.Shot.TransitionIn}");
        }
    }

    [Theory]
    [InlineData("big_fish.fountain", 2)]
    [InlineData("brick_and_steel.fountain", 5)]
    public void Centred_text_is_kept_and_filmed(string file, int count)
    {
        var text = Read(file);
        var paras = Paragraphs(text);
        var expected = paras.SelectMany(CenteredLines).Select(l => Unemph(l[1..^1]).Trim()).ToList();
        Assert.Equal(count, expected.Count);
        var play = FountainParser.Parse(text, file);
        Assert.Equal(expected, play.Elements.Where(e => e.Kind == K.Centered).Select(e => e.Text));
        var actions = string.Join("\n", SceneGraphBuilder.Build(play).Scenes.SelectMany(s => s.Shots).Select(s => s.Action));
        Assert.All(expected, c => Assert.Contains(c, actions));
    }
}
