using System.Text;

namespace Talos.Gpu.Prism;

/// <summary>
/// Free-text prompt → <see cref="SceneGraph"/>, by heuristics (docs/scenegraph.md):
/// paragraphs (blank-line separated) are scenes, sentences are shots; capitalised words that are not common words or
/// lexicon words are character names; quoted text is dialogue spoken by the last name before it in the sentence;
/// a sentence naming nobody keeps the previous shot's characters ("She waves."). Emotions, effects, camera, poses,
/// time of day and lighting come from the same <see cref="Lexicon"/> as for screenplays (any letter case).
/// </summary>
public static class PromptParser
{
    public const int MaxChars = 100_000;

    sealed record Sentence(string Narration, List<(int At, string Text)> Quotes, int Line, string Raw);

    public static SceneGraph Build(string prompt, PrismOptions? options = null)
    {
        if (prompt is null) throw new PrismException("prompt is null");
        options ??= PrismOptions.Default;
        options.Validate();
        if (prompt.Length > MaxChars) throw new PrismException($"prompt is {prompt.Length} characters long; the limit is {MaxChars}");
        if (!prompt.Any(char.IsLetter)) throw new PrismException(prompt.Trim().Length == 0 ? "prompt is empty" : "prompt has no letters: nothing to film");
        foreach (char c in prompt)
            if ((c < 32 && c is not '\t' and not '\n' and not '\r') || c == 127)
                throw new PrismException($"prompt contains control character U+{(int)c:X4} (binary data?)");
        var lx = options.Lexicon;

        var paragraphs = SplitParagraphs(prompt);
        var sentencesByScene = paragraphs.Select(p => SplitSentences(p.Text, p.Line)).Where(s => s.Count > 0).ToList();
        var names = FindNames(sentencesByScene.SelectMany(s => s), lx);
        var matcher = new NameMatcher(names);
        var composer = new ShotComposer(options, matcher);

        var scenes = new List<SceneNode>();
        string? previousBackground = null;
        string transition = lx.DefaultTransition;
        foreach (var sentences in sentencesByScene)
        {
            var all = string.Join(" ", sentences.Select(s => s.Raw));
            var words = Lexicon.Tokenize(all);
            string setting = words.Any(lx.IsInteriorWord) ? "INT" : "";
            var time = lx.TimeOfDayWord(all);
            var background = setting.Length > 0 && lx.Background(setting, "", null) is { } ib && ib != lx.DefaultBackground
                ? ib : lx.TimeOfDayBackground(all, anyCase: true) ?? previousBackground ?? lx.DefaultBackground;
            var heading = sentences[0].Raw.Length <= 60 ? sentences[0].Raw : sentences[0].Raw[..57].TrimEnd() + "...";
            var draft = new SceneDraft(heading, null, setting, "", time, background, transition, sentences[0].Line);
            transition = lx.DefaultTransition;

            var shots = new List<ShotNode>();
            string emotion = "calm";
            foreach (var s in sentences)
            {
                var named = matcher.Find(s.Narration);
                var onScreen = named.Count > 0 ? named.Take(ShotComposer.MaxOnScreen).ToList() : shots.Count > 0 ? shots[^1].Characters.ToList() : [];
                var lines = new List<SpokenLine>();
                double t = 0;
                foreach (var (at, text) in s.Quotes)
                {
                    var before = matcher.Find(s.Narration[..Math.Min(at, s.Narration.Length)]);
                    string speaker = before.Count > 0 ? before[^1] : onScreen.Count > 0 ? onScreen[0] : "NARRATOR";
                    bool off = !onScreen.Contains(speaker);
                    double len = ShotComposer.Words(text) / options.WordsPerSecond;
                    lines.Add(new SpokenLine(speaker, ShotComposer.Collapse(text), null, t, t + len, off, false, s.Line));
                    t += len;
                }
                double seconds = composer.Clamp(Math.Max(ShotComposer.Words(s.Narration) / options.ActionWordsPerSecond, t));
                // A prompt's camera words may be in any case ("close on Mara").
                var shot = composer.MakeShot(draft, shots, s.Line, onScreen, lines, s.Narration, [], seconds, ref emotion);
                if (lx.Camera(s.Narration) is null && lx.Camera(s.Narration, anyCase: true) is { } cam) shot = shot with { Camera = cam };
                if (lx.TransitionIn(s.Narration) is { } tr) transition = tr; // "… fade to black." enters the next scene that way
                shots.Add(shot);
            }
            scenes.Add(new SceneNode(scenes.Count + 1, draft.Heading, null, setting, "", time, background, draft.TransitionIn, draft.Line, shots));
            previousBackground = background;
        }
        if (scenes.Count == 0) throw new PrismException("prompt has no sentences: nothing to film");
        return new SceneGraph("prompt", null, scenes, ShotComposer.CharacterOrder(scenes));
    }

    static List<(string Text, int Line)> SplitParagraphs(string prompt)
    {
        var lines = prompt.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var result = new List<(string, int)>();
        var sb = new StringBuilder(); int start = 0;
        for (int i = 0; i <= lines.Length; i++)
        {
            if (i == lines.Length || string.IsNullOrWhiteSpace(lines[i]))
            {
                if (sb.Length > 0) result.Add((sb.ToString(), start));
                sb.Clear();
                continue;
            }
            if (sb.Length == 0) start = i + 1; else sb.Append(' ');
            sb.Append(lines[i].Trim());
        }
        return result;
    }

    static bool IsOpenQuote(char c) => c is '"' or '“';
    static bool IsCloseQuote(char c) => c is '"' or '”';

    /// <summary>Sentences end at . ! ? (outside quotes) followed by a space or the end; quoted text is kept apart.</summary>
    static List<Sentence> SplitSentences(string text, int line)
    {
        var result = new List<Sentence>();
        var narration = new StringBuilder(); var raw = new StringBuilder(); var quote = new StringBuilder();
        var quotes = new List<(int, string)>();
        bool inQuote = false;
        void Flush()
        {
            var n = ShotComposer.Collapse(narration.ToString());
            if (n.Any(char.IsLetter) || quotes.Count > 0) result.Add(new Sentence(n, [.. quotes], line, ShotComposer.Collapse(raw.ToString())));
            narration.Clear(); raw.Clear(); quotes.Clear();
        }
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            raw.Append(c);
            if (inQuote)
            {
                if (IsCloseQuote(c))
                {
                    inQuote = false;
                    var q = quote.ToString().Trim();
                    if (q.Any(char.IsLetterOrDigit)) quotes.Add((narration.Length, q));
                    quote.Clear();
                    // A quote that ends a sentence ("… says "Look!" Theo laughs.") ends the shot too.
                    if (q.Length > 0 && q[^1] is '.' or '!' or '?' && (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1]))) Flush();
                }
                else quote.Append(c);
                continue;
            }
            if (IsOpenQuote(c)) { inQuote = true; continue; }
            narration.Append(c);
            if (c is '.' or '!' or '?' && (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1])) && !IsAbbreviation(narration)) Flush();
        }
        if (inQuote && quote.Length > 0) quotes.Add((narration.Length, quote.ToString().Trim()));
        Flush();
        return result;
    }

    /// <summary>The narration so far ends in "Mr." (or Mrs, Ms, Dr, St, Jr, Sr, vs): looks only at its last few characters.</summary>
    static bool IsAbbreviation(StringBuilder sb)
    {
        int end = sb.Length;
        while (end > 0 && sb[end - 1] == '.') end--;
        int k = end;
        while (k > 0 && end - k <= 3 && char.IsLetter(sb[k - 1])) k--;
        if (k > 0 && char.IsLetter(sb[k - 1])) return false; // a longer word
        var word = sb.ToString(k, end - k);
        return word is "Mr" or "Mrs" or "Ms" or "Dr" or "St" or "Jr" or "Sr" or "vs";
    }

    /// <summary>Capitalised words outside quotes that are not common words or lexicon words, in order of first appearance.</summary>
    static List<string> FindNames(IEnumerable<Sentence> sentences, Lexicon lx)
    {
        var names = new List<string>();
        var nonName = new Dictionary<string, bool>(StringComparer.Ordinal); // each distinct word is looked up once
        foreach (var s in sentences)
            foreach (var w in Lexicon.Tokenize(s.Narration))
            {
                var word = w.EndsWith("'s", StringComparison.Ordinal) ? w[..^2] : w;
                if (word.Length < 2 || !char.IsUpper(word[0]) || !word.Skip(1).All(ch => char.IsLetter(ch) || ch is '-' or '\'')) continue;
                if (!nonName.TryGetValue(word, out var common)) nonName[word] = common = lx.IsNonName(word) || names.Contains(word);
                if (common) continue;
                names.Add(word);
                nonName[word] = true; // known now

            }
        return names;
    }
}
