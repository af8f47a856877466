using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Talos.Messages.Specs;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>One subtitle: shown from <paramref name="Start"/> to <paramref name="End"/> (film time), with the speaking character when known.</summary>
public sealed record SubtitleCue(TimeSpan Start, TimeSpan End, string Text, string? Speaker = null);

/// <summary>Subtitles from a film's shots, and as a scene to burn in.</summary>
public static class SubtitleCues
{
    /// <summary>
    /// The dialogue of <paramref name="specsInCutOrder"/> as cues in film time. A shot starts at the sum of the earlier
    /// shots' lengths (FrameCount / Fps): FilmEditor's transitions overlap the shots' own frames and add no time, so the
    /// clips sum to the film. A line on frames StartFrame..EndFrame (inclusive, within its shot) runs from
    /// offset + StartFrame / fps to offset + (EndFrame + 1) / fps. Every shot must run at the first shot's rate, as in FilmEditor.
    /// </summary>
    public static IReadOnlyList<SubtitleCue> FromShots(IReadOnlyList<ShotSpec> specsInCutOrder)
    {
        ArgumentNullException.ThrowIfNull(specsInCutOrder);
        var cues = new List<SubtitleCue>();
        long offsetFrames = 0;
        int fps = 0;
        for (int i = 0; i < specsInCutOrder.Count; i++)
        {
            var s = specsInCutOrder[i] ?? throw new CutturaException($"shot #{i} is null");
            if (Limits.FpsProblem(s.Fps) is { } fp) throw new CutturaException($"shot '{s.Id}' fps {fp}");
            if (i == 0) fps = s.Fps;
            else if (s.Fps != fps) throw new CutturaException($"shot '{s.Id}' runs at {s.Fps} fps but the film runs at {fps} fps");
            int frames = s.FrameCount;
            if (frames <= 0) throw new CutturaException($"shot '{s.Id}' has no frames");
            foreach (var d in s.Dialogue)
            {
                if (d.StartFrame < 0 || d.EndFrame < d.StartFrame || d.EndFrame >= frames)
                    throw new CutturaException($"shot '{s.Id}' dialogue \"{d.Text}\" runs on frames {d.StartFrame}..{d.EndFrame}, outside the shot's 0..{frames - 1}");
                if (string.IsNullOrWhiteSpace(d.Text)) continue;
                cues.Add(new SubtitleCue(FrameTime(offsetFrames + d.StartFrame, fps), FrameTime(offsetFrames + d.EndFrame + 1, fps), d.Text.Trim(), d.Character));
            }
            offsetFrames += frames;
        }
        return cues.OrderBy(c => c.Start).ThenBy(c => c.End).ToList();
    }

    /// <summary>The time of film frame <paramref name="frame"/> at <paramref name="fps"/>, to the tick (100 ns).</summary>
    public static TimeSpan FrameTime(long frame, int fps) => TimeSpan.FromTicks((long)Math.Round(frame * (double)TimeSpan.TicksPerSecond / fps));

    /// <summary>The film frame that starts nearest to <paramref name="t"/> (cue times are rounded to the millisecond, far less than a frame).</summary>
    public static int FrameAt(TimeSpan t, int fps) => (int)Math.Round(t.Ticks * (double)fps / TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero);

    /// <summary>The style subtitles are burned in with: white, a dark outline and soft shadow, sized from the frame height.</summary>
    public static TextStyle DefaultStyle(int height) => new()
    {
        Size = Math.Max(12, height / 18f), Color = "#ffffff", OutlineWidth = Math.Max(1, height / 360f), OutlineColor = "#000000",
        ShadowY = Math.Max(1, height / 360f), ShadowBlur = Math.Max(1, height / 360f), ShadowColor = "#000000a0", LineHeight = 1.2f,
    };

    /// <summary>
    /// A scene of the cues bottom-centred inside the title-safe area (the lower third of it, lines no wider than 80 % of
    /// the safe width), each element on the frames its cue covers at <paramref name="fps"/>.
    /// </summary>
    public static TitleScene ToScene(IReadOnlyList<SubtitleCue> cues, int width, int height, int fps, TextStyle? style = null, FontLibrary? fonts = null)
    {
        ArgumentNullException.ThrowIfNull(cues);
        if (Limits.FpsProblem(fps) is { } fp) throw new CutturaException($"subtitle fps {fp}");
        style ??= DefaultStyle(height);
        var safe = SafeAreas.TitleSafe(width, height);
        var box = SkiaSharp.SKRect.Create(safe.Left + safe.Width * 0.1f, safe.Top + safe.Height * 2 / 3f, safe.Width * 0.8f, safe.Height / 3f);
        var elements = new List<SceneElement>();
        foreach (var c in cues)
        {
            int start = FrameAt(c.Start, fps), end = Math.Max(start + 1, FrameAt(c.End, fps));
            var element = new TitleElement(c.Text, style, FrameBox.FromPixels(box), start, end) { Anchor = Anchor.Bottom };
            elements.Add(SafeAreas.FitInto(element, box, width, height, fonts: fonts) with { Anchor = Anchor.Bottom });
        }
        return new TitleScene(elements, fonts);
    }
}

/// <summary>SubRip (.srt): numbered cues, "HH:MM:SS,mmm --> HH:MM:SS,mmm", text lines, a blank line.</summary>
public static partial class Srt
{
    /// <summary>Writes the cues (times rounded to the millisecond); with <paramref name="speakers"/> each cue's text starts "SPEAKER: ".</summary>
    public static string Write(IReadOnlyList<SubtitleCue> cues, bool speakers = false)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cues.Count; i++)
        {
            var c = SubtitleText.Check(cues[i], i);
            sb.Append(i + 1).Append('\n');
            sb.Append(SubtitleText.Time(c.Start, ',')).Append(" --> ").Append(SubtitleText.Time(c.End, ',')).Append('\n');
            sb.Append(speakers && c.Speaker is { } s ? $"{s}: {c.Text}" : c.Text).Append("\n\n");
        }
        return sb.ToString();
    }

    /// <summary>Parses SubRip strictly: a malformed index, timing line or time, an end before its start, or a cue without text is an error naming its line.</summary>
    public static IReadOnlyList<SubtitleCue> Parse(string srt)
    {
        ArgumentNullException.ThrowIfNull(srt);
        var lines = SubtitleText.Lines(srt);
        var cues = new List<SubtitleCue>();
        int i = 0;
        while (i < lines.Length)
        {
            if (lines[i].Trim().Length == 0) { i++; continue; }
            if (!int.TryParse(lines[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index != cues.Count + 1)
                throw new CutturaException($"SRT line {i + 1}: expected cue number {cues.Count + 1}, found \"{Clip(lines[i])}\"");
            i++;
            var (start, end, text) = SubtitleText.CueBody(lines, ref i, ',', hoursRequired: true, "SRT", $"cue {index}");
            cues.Add(new SubtitleCue(start, end, text));
        }
        return cues;
    }

    static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>WebVTT (.vtt): a "WEBVTT" header, cues "HH:MM:SS.mmm --> HH:MM:SS.mmm", the speaker as a voice span &lt;v Name&gt;.</summary>
public static partial class WebVtt
{
    public static string Write(IReadOnlyList<SubtitleCue> cues)
    {
        var sb = new StringBuilder("WEBVTT\n\n");
        for (int i = 0; i < cues.Count; i++)
        {
            var c = SubtitleText.Check(cues[i], i);
            sb.Append(i + 1).Append('\n');
            sb.Append(SubtitleText.Time(c.Start, '.')).Append(" --> ").Append(SubtitleText.Time(c.End, '.')).Append('\n');
            var text = Escape(c.Text);
            sb.Append(c.Speaker is { } s ? $"<v {Escape(s)}>{text}" : text).Append("\n\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Parses WebVTT strictly: the header, cue identifiers, timing lines (hours optional, cue settings allowed after the
    /// end time), a cue's text; NOTE, STYLE and REGION blocks are skipped; a leading &lt;v Name&gt; becomes the speaker.
    /// A malformed timing line or time is an error naming its line.
    /// </summary>
    public static IReadOnlyList<SubtitleCue> Parse(string vtt)
    {
        ArgumentNullException.ThrowIfNull(vtt);
        var lines = SubtitleText.Lines(vtt.TrimStart('\uFEFF'));
        if (lines.Length == 0 || !(lines[0] == "WEBVTT" || lines[0].StartsWith("WEBVTT ", StringComparison.Ordinal) || lines[0].StartsWith("WEBVTT\t", StringComparison.Ordinal)))
            throw new CutturaException("WebVTT line 1: the file must start with \"WEBVTT\"");
        int i = 1;
        while (i < lines.Length && lines[i].Trim().Length > 0) i++; // header lines
        var cues = new List<SubtitleCue>();
        while (i < lines.Length)
        {
            if (lines[i].Trim().Length == 0) { i++; continue; }
            if (lines[i].StartsWith("NOTE", StringComparison.Ordinal) || lines[i] == "STYLE" || lines[i] == "REGION")
            {
                while (i < lines.Length && lines[i].Trim().Length > 0) i++;
                continue;
            }
            if (!lines[i].Contains("-->", StringComparison.Ordinal)) i++; // cue identifier
            var (start, end, joined) = SubtitleText.CueBody(lines, ref i, '.', hoursRequired: false, "WebVTT", "cue");
            string? speaker = null;
            var m = Voice().Match(joined);
            if (m.Success)
            {
                speaker = Unescape(m.Groups[1].Value.Trim());
                joined = joined[m.Length..].Replace("</v>", "", StringComparison.Ordinal);
            }
            cues.Add(new SubtitleCue(start, end, Unescape(joined), speaker));
        }
        return cues;
    }

    static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    static string Unescape(string s) => s.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal)
        .Replace("&nbsp;", "\u00A0", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);

    [GeneratedRegex(@"^<v(?:\.[^ \t>]+)*[ \t]+([^>]+)>", RegexOptions.CultureInvariant)]
    private static partial Regex Voice();
}

/// <summary>What SRT and WebVTT share: time formatting, the strict timing-line parser, line splitting, cue checks.</summary>
static partial class SubtitleText
{
    /// <summary>Longest a cue may run (the longest film Talos makes).</summary>
    static readonly TimeSpan MaxTime = TimeSpan.FromHours(100);

    public static string[] Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');

    public static SubtitleCue Check(SubtitleCue c, int i)
    {
        if (c is null) throw new CutturaException($"subtitle cue #{i + 1} is null");
        if (c.Start < TimeSpan.Zero || c.End <= c.Start || c.End >= MaxTime)
            throw new CutturaException($"subtitle cue #{i + 1} runs from {c.Start} to {c.End}; it needs 0 <= start < end < 100 h");
        if (string.IsNullOrWhiteSpace(c.Text)) throw new CutturaException($"subtitle cue #{i + 1} has no text");
        if (c.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Any(l => l.Trim().Length == 0))
            throw new CutturaException($"subtitle cue #{i + 1} has a blank line inside its text, which would end the cue");
        if (c.Text.Contains("-->", StringComparison.Ordinal)) throw new CutturaException($"subtitle cue #{i + 1} contains \"-->\"");
        return c;
    }

    /// <summary>HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT), rounded to the millisecond.</summary>
    public static string Time(TimeSpan t, char separator)
    {
        long ms = (long)Math.Round(t.Ticks / (double)TimeSpan.TicksPerMillisecond, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000:00}:{ms / 60_000 % 60:00}:{ms / 1000 % 60:00}{separator}{ms % 1000:000}");
    }

    /// <summary>A cue's timing line at <paramref name="i"/> and the text lines after it; <paramref name="i"/> ends past them.</summary>
    public static (TimeSpan Start, TimeSpan End, string Text) CueBody(string[] lines, ref int i, char separator, bool hoursRequired, string format, string cue)
    {
        if (i >= lines.Length) throw new CutturaException($"{format} line {i + 1}: {cue} has no timing line");
        var (start, end) = Timing(lines[i], separator, hoursRequired, format, i + 1);
        i++;
        var text = new List<string>();
        while (i < lines.Length && lines[i].Trim().Length > 0) text.Add(lines[i++]);
        if (text.Count == 0) throw new CutturaException($"{format} line {i + 1}: {cue} has no text");
        return (start, end, string.Join("\n", text));
    }

    public static (TimeSpan Start, TimeSpan End) Timing(string line, char separator, bool hoursRequired, string format, int lineNumber)
    {
        var m = TimingLine().Match(line);
        if (!m.Success)
            throw new CutturaException($"{format} line {lineNumber}: expected a timing line \"00:00:01{separator}000 --> 00:00:02{separator}500\", found \"{(line.Length <= 60 ? line : line[..60] + "…")}\"");
        var start = ParseTime(m.Groups[1].Value, separator, hoursRequired, format, lineNumber);
        var end = ParseTime(m.Groups[2].Value, separator, hoursRequired, format, lineNumber);
        if (end <= start) throw new CutturaException($"{format} line {lineNumber}: the cue ends ({m.Groups[2].Value}) at or before it starts ({m.Groups[1].Value})");
        return (start, end);
    }

    static TimeSpan ParseTime(string s, char separator, bool hoursRequired, string format, int lineNumber)
    {
        var m = TimeStamp().Match(s);
        if (!m.Success || m.Groups[5].Value[0] != separator || (hoursRequired && !m.Groups[1].Success))
            throw new CutturaException($"{format} line {lineNumber}: malformed time \"{s}\" (expected {(hoursRequired ? "HH:" : "[HH:]")}MM:SS{separator}mmm)");
        int h = m.Groups[1].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        int min = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), sec = int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
        int ms = int.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture);
        if (min > 59 || sec > 59) throw new CutturaException($"{format} line {lineNumber}: time \"{s}\" has minutes or seconds above 59");
        return new TimeSpan(0, h, min, sec, ms);
    }

    [GeneratedRegex(@"^\s*(\S+)\s+-->\s+(\S+)(?:\s.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimingLine();

    [GeneratedRegex(@"^((\d{2,}):)?(\d{2}):(\d{2})([,.])(\d{3})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeStamp();
}
