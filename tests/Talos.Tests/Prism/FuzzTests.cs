using System.Diagnostics;
using System.Text;
using Talos.Gpu.Prism;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Prism;

/// <summary>
/// 10,000 mutated screenplays (seeded, so every run feeds the same ones): windows of the corpus and the examples with
/// random bytes and control characters, cut and duplicated lines, huge lines, deeply nested or unclosed notes and
/// boneyards, Fountain markers in odd places and mixed line endings. PRISM (parse, scene graph, JSON, shot specs; and the
/// prompt parser on a share of them) must either succeed or throw <see cref="PrismException"/>, within 1 s per input.
/// </summary>
public sealed class FuzzTests
{
    const int Cases = 10_000;
    const ulong Seed = 0x7A105_5EED;

    /// <summary>SplitMix64: small, seeded, identical on every platform.</summary>
    sealed class Rng(ulong seed)
    {
        ulong _s = seed;
        public ulong Next()
        {
            ulong z = _s += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        public int Int(int maxExclusive) => (int)(Next() % (ulong)maxExclusive);
        public int Int(int min, int maxExclusive) => min + Int(maxExclusive - min);
        public bool Chance(int percent) => Int(100) < percent;
        public T Pick<T>(IReadOnlyList<T> items) => items[Int(items.Count)];
    }

    static readonly string[] Markers = ["INT. ", "EXT. ", "EXT/INT. ", "I/E ", ".", "!", "@", "> ", "<", "~", "=", "# ", "===", "^", "(", ")", "[[", "]]", "/*", "*/",
        "**", "*", "_", "\\", "#1A#", "CUT TO:", "  ", "\t", "(V.O.)", "(CONT'D)", "…", "“", "\"", "—", "日本", "\u200B", "\uFEFF", "\uFFFD", "\U0001F600"];

    static readonly string[] Sources = Load();

    static string[] Load()
    {
        var texts = new List<string>
        {
            File.ReadAllText(Repo.Corpus("big_fish.fountain")),
            File.ReadAllText(Repo.Corpus("brick_and_steel.fountain")),
        };
        texts.AddRange(Directory.GetFiles(Path.Combine(Repo.Root, "examples"), "*.fountain").Order(StringComparer.Ordinal).Select(File.ReadAllText));
        return [.. texts];
    }

    /// <summary>One mutated screenplay: a window of a source (at most 6 KB) and 1–6 mutations; a few are huge by design.</summary>
    static string Mutate(Rng r)
    {
        var src = r.Pick(Sources);
        int len = Math.Min(src.Length, r.Int(200, 6_000));
        int start = r.Int(0, src.Length - len + 1);
        var lines = src.Substring(start, len).Split('\n').ToList();
        int mutations = r.Int(1, 7);
        for (int m = 0; m < mutations; m++)
        {
            if (lines.Count == 0) lines.Add("");
            int at = r.Int(lines.Count);
            switch (r.Int(14))
            {
                case 0: // random bytes decoded as UTF-8 (replacement characters, controls, NULs)
                {
                    var bytes = new byte[r.Int(1, 64)];
                    for (int k = 0; k < bytes.Length; k++) bytes[k] = (byte)r.Int(256);
                    lines[at] = lines[at].Insert(r.Int(lines[at].Length + 1), Encoding.UTF8.GetString(bytes));
                    break;
                }
                case 1: // a control character
                    lines[at] = lines[at].Insert(r.Int(lines[at].Length + 1), ((char)r.Pick<int>([1, 7, 8, 11, 12, 27, 127, 0x85, 0x2028])).ToString());
                    break;
                case 2: // cut lines
                    lines.RemoveRange(at, Math.Min(lines.Count - at, r.Int(1, 20)));
                    break;
                case 3: // cut a line short
                    lines[at] = lines[at][..r.Int(lines[at].Length + 1)];
                    break;
                case 4: // a huge line of words, of one repeated marker, or of spaces
                {
                    int n = r.Int(4_000, 40_000);
                    var unit = r.Pick<string>(["word ", "WORD ", "(", "[[", "/*", "*", "_", " ", "-- ", ". ", "Mr. ", "#", "^", "A", "\"", "EDWARD "]);
                    lines[at] = (r.Chance(50) ? r.Pick<string>(["", "INT. ", ".", "@", "!", "> ", "EDWARD ", "A"]) : "") + string.Concat(Enumerable.Repeat(unit, n / unit.Length));
                    break;
                }
                case 5: // deeply nested / unclosed notes
                {
                    int depth = r.Int(1, 3000);
                    var sb = new StringBuilder();
                    for (int k = 0; k < depth; k++) sb.Append("[[").Append(r.Chance(20) ? "\n" : "");
                    if (r.Chance(50)) for (int k = 0; k < r.Int(depth + 1); k++) sb.Append("]]");
                    lines.Insert(at, sb.ToString());
                    break;
                }
                case 6: // nested / unclosed boneyards
                {
                    int depth = r.Int(1, 2000);
                    var sb = new StringBuilder();
                    for (int k = 0; k < depth; k++) sb.Append("/*").Append(r.Chance(10) ? "\n\n" : " ");
                    if (r.Chance(60)) for (int k = 0; k < r.Int(depth + 1); k++) sb.Append("*/");
                    lines.Insert(at, sb.ToString());
                    break;
                }
                case 7: // a Fountain marker at the start, end or middle of a line
                {
                    var mk = r.Pick(Markers);
                    int pos = r.Pick<int>([0, lines[at].Length, r.Int(lines[at].Length + 1)]);
                    lines[at] = lines[at].Insert(pos, mk);
                    break;
                }
                case 8: // duplicate a run of lines
                {
                    int n = Math.Min(lines.Count - at, r.Int(1, 40));
                    lines.InsertRange(r.Int(lines.Count + 1), lines.GetRange(at, n));
                    break;
                }
                case 9: // blank lines removed or added (paragraph structure)
                    if (r.Chance(50)) lines.RemoveAll(l => l.Length == 0 && r.Chance(50));
                    else lines.Insert(at, "");
                    break;
                case 10: // many character cues, each a new name
                    for (int k = 0; k < r.Int(1, 300); k++) lines.Insert(at, $"\nNAME{r.Int(100_000)} ^\nLine {k}.");
                    break;
                case 11: // upper-case everything in a stretch (cues, transitions everywhere)
                    for (int k = at; k < Math.Min(lines.Count, at + 50); k++) lines[k] = lines[k].ToUpperInvariant();
                    break;
                case 12: // swap two lines
                {
                    int b = r.Int(lines.Count);
                    (lines[at], lines[b]) = (lines[b], lines[at]);
                    break;
                }
                default: // a title-page key line
                    lines.Insert(r.Chance(50) ? 0 : at, r.Pick<string>(["Title: x", "Author:", "Notes:\n\t[[", "Contact: a\n\tb", "Key with spaces: v"]));
                    break;
            }
        }
        // Mixed line endings: each join is LF, CRLF or CR.
        var sbOut = new StringBuilder();
        for (int k = 0; k < lines.Count; k++)
        {
            if (k > 0) sbOut.Append(r.Int(10) switch { < 6 => "\n", < 9 => "\r\n", _ => "\r" });
            sbOut.Append(lines[k]);
        }
        return sbOut.ToString();
    }

    static void RunPrism(string text, bool asPrompt)
    {
        var graph = SceneGraphBuilder.Build(FountainParser.Parse(text, "fuzz.fountain"));
        _ = graph.ToJson();
        _ = ShotPlanner.ToShotSpecs(graph, new RenderSettings(64, 36, 12, null, null, 30));
        if (asPrompt) _ = PromptParser.Build(text.Length > PromptParser.MaxChars ? text[..PromptParser.MaxChars] : text);
    }

    [Fact]
    public void Ten_thousand_mutated_screenplays_parse_or_fail_with_a_prism_error_within_a_second_each()
    {
        var rng = new Rng(Seed);
        var failures = new List<string>();
        var slow = new List<string>();
        var slowCases = new List<(int Case, string Text, bool Prompt, TimeSpan Took)>();
        int ok = 0, rejected = 0;
        long totalChars = 0;
        var clock = new Stopwatch();
        var all = Stopwatch.StartNew();
        for (int i = 0; i < Cases; i++)
        {
            var text = Mutate(rng);
            bool prompt = rng.Chance(5);
            totalChars += text.Length;
            clock.Restart();
            try { RunPrism(text, prompt); ok++; }
            catch (PrismException e)
            {
                rejected++;
                if (string.IsNullOrWhiteSpace(e.Message)) failures.Add($"case {i}: PrismException without a message");
            }
            catch (Exception e) { failures.Add($"case {i} ({text.Length} chars): {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').FirstOrDefault()}"); }
            clock.Stop();
            if (clock.Elapsed.TotalSeconds > 1) slowCases.Add((i, text, prompt, clock.Elapsed));
        }
        // A case over a second is timed twice more and kept only if its best time is still over: a stall of the machine
        // (the first call's JIT, a collection, a loaded CI runner) does not repeat; a pathological input does every time.
        foreach (var (i, text, prompt, first) in slowCases)
        {
            var best = first;
            for (int again = 0; again < 2 && best.TotalSeconds > 1; again++)
            {
                clock.Restart();
                try { RunPrism(text, prompt); } catch (PrismException) { }
                clock.Stop();
                if (clock.Elapsed < best) best = clock.Elapsed;
            }
            if (best.TotalSeconds > 1) slow.Add($"case {i} ({text.Length} chars): {best.TotalMilliseconds:F0} ms at best of three");
        }
        TestContext.Current.SendDiagnosticMessage($"fuzz: {ok} parsed, {rejected} rejected, {totalChars / 1e6:F1} M chars in {all.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, $"{failures.Count} inputs threw something else than PrismException:\n" + string.Join("\n", failures.Take(10)));
        Assert.True(slow.Count == 0, $"{slow.Count} inputs took over 1 s:\n" + string.Join("\n", slow.Take(10)));
        Assert.True(ok > Cases / 10, $"only {ok} of {Cases} mutated screenplays parsed: the mutations are too destructive to test much");
        Assert.True(rejected > 0, "no mutation was rejected: the fuzzer never reaches the error paths");
    }

    /// <summary>The shapes that were quadratic before (a note opener rescanning its paragraph, backtracking regexes on long
    /// runs, the prompt's abbreviation check copying the whole narration at every full stop).</summary>
    [Theory]
    [InlineData("notes")]
    [InlineData("heading-spaces")]
    [InlineData("cue-parens")]
    [InlineData("prompt-abbreviations")]
    [InlineData("many-names")]
    public void Former_quadratic_inputs_parse_in_linear_time(string shape)
    {
        const int N = 200_000;
        string text = shape switch
        {
            "notes" => "INT. A - DAY\n\n" + string.Concat(Enumerable.Repeat("[[", N / 2)) + "\nmore\n",
            "heading-spaces" => "INT. A" + new string(' ', N) + "x #1#\n\nBOB\nHi.\n",
            "cue-parens" => "INT. A - DAY\n\nBOB" + new string('(', N) + "\nHi.\n",
            "prompt-abbreviations" => string.Concat(Enumerable.Repeat("Mr. ", 25_000)),
            _ => "INT. A - DAY\n\n" + string.Concat(Enumerable.Range(0, 3000).Select(k => $"NAME{k}\nLine.\n\n")) + string.Concat(Enumerable.Repeat("Name5 walks. ", 10_000)),
        };
        var clock = Stopwatch.StartNew();
        try
        {
            if (shape.StartsWith("prompt")) PromptParser.Build(text);
            else _ = SceneGraphBuilder.Build(FountainParser.Parse(text)).ToJson();
        }
        catch (PrismException) { }
        // Linear takes tens of milliseconds here; quadratic at N = 200,000 is ~2·10¹⁰ steps, tens of seconds. The bound sits
        // between them with room for a loaded CI machine (1 s did not: a test must fail on the defect, not on the load).
        Assert.True(clock.Elapsed.TotalSeconds < 5, $"{shape}: {clock.Elapsed.TotalMilliseconds:F0} ms");
    }
}
