// Hand-off timelines of an edited film: OpenTimelineIO JSON (the library's own serialization: OTIO_SCHEMA, metadata,
// name on every object; cf. opentimelineio.readthedocs.io, "Timeline Structure" and "File Format Specification") and
// CMX 3600 EDLs. Both describe the cut FilmEditor made; neither is read back by Talos.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Talos.Gpu.Cuttura;

/// <summary>An ECHO finding on a shot, at <paramref name="Frame"/> (within the shot) for <paramref name="Frames"/> frames.</summary>
public sealed record TimelineMarker(string Name, int Frame, int Frames);

/// <summary>A shot on the timeline. <paramref name="MediaUrl"/>: its video, or null when it has none (a gap of its length).</summary>
/// <param name="Transition">How it is entered: cut, dissolve or fade (as <see cref="ShotClip.Transition"/>).</param>
public sealed record TimelineShot(string ShotId, int Frames, string Transition, string? MediaUrl, IReadOnlyList<TimelineMarker> Markers);

/// <summary>The film's audio: its media, starting <paramref name="OffsetFrames"/> into the film (negative: its start is cut).</summary>
public sealed record TimelineAudio(string MediaUrl, int OffsetFrames);

/// <summary>A film's cut as FilmEditor makes it: shots in order at one integer rate, mixes of up to TransitionFrames.</summary>
public sealed record FilmTimeline(string Name, int Fps, int TransitionFrames, IReadOnlyList<TimelineShot> Shots, TimelineAudio? Audio)
{
    public int Frames => Shots.Sum(s => s.Frames);

    /// <summary>Frames mixed each side of the cut into shot <paramref name="i"/> (0 for a cut and for the first shot).</summary>
    public int HalfTransition(int i) =>
        i <= 0 ? 0 : FilmEditor.TransitionHalf(Shots[i].Transition, Shots[i - 1].Frames, Shots[i].Frames, TransitionFrames);
}

/// <summary>Writes a <see cref="FilmTimeline"/> as OTIO JSON and as a CMX 3600 EDL.</summary>
public static class TimelineWriter
{
    /// <summary>Record timecode of the film's first frame (the usual programme start).</summary>
    public const string RecordStart = "01:00:00:00";

    static long RecordStartFrame(TimecodeRate rate) => rate.Parse(rate.DropFrame ? RecordStart[..8] + ";00" : RecordStart);

    /// <summary>
    /// OTIO JSON: Timeline.1 → Stack.1 → a Video Track.1 of Clip.2 (ExternalReference.1 media, ECHO findings as Marker.2)
    /// and Gap.1 for shots without media, a Transition.1 (SMPTE_Dissolve, h frames each side of the cut) before each mixed
    /// shot; an Audio Track.1 when the film has audio. Transitions take no track time, so the clips sum to the film.
    /// </summary>
    public static string Otio(FilmTimeline t, TimecodeRate rate)
    {
        Check(t, rate);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            Head(w, "Timeline.1", t.Name);
            w.WritePropertyName("global_start_time"); Time(w, RecordStartFrame(rate), rate);
            w.WritePropertyName("tracks");
            w.WriteStartObject();
            Head(w, "Stack.1", "tracks");
            Item(w);
            w.WriteStartArray("children");
            w.WriteStartObject();
            Head(w, "Track.1", "Video");
            Item(w);
            w.WriteStartArray("children");
            for (int i = 0; i < t.Shots.Count; i++)
            {
                var s = t.Shots[i];
                if (t.HalfTransition(i) is > 0 and var h)
                {
                    w.WriteStartObject();
                    Head(w, "Transition.1", s.Transition, () => { w.WriteStartObject("talos"); w.WriteString("transition", s.Transition); w.WriteEndObject(); });
                    w.WritePropertyName("in_offset"); Time(w, h, rate);
                    w.WritePropertyName("out_offset"); Time(w, h, rate);
                    w.WriteString("transition_type", "SMPTE_Dissolve");
                    w.WriteStartObject("parameters"); w.WriteEndObject();
                    w.WriteEndObject();
                }
                if (s.MediaUrl is null) Gap(w, s.ShotId, s.Frames, rate);
                else Clip(w, s.ShotId, s.MediaUrl, 0, s.Frames, s.Frames, rate, s.Markers);
            }
            w.WriteEndArray();
            w.WriteString("kind", "Video");
            w.WriteEndObject();
            if (t.Audio is { } a)
            {
                w.WriteStartObject();
                Head(w, "Track.1", "Audio");
                Item(w);
                w.WriteStartArray("children");
                if (a.OffsetFrames > 0) Gap(w, "", Math.Min(a.OffsetFrames, t.Frames), rate);
                int start = Math.Max(0, -a.OffsetFrames), length = t.Frames - Math.Max(0, a.OffsetFrames);
                if (length > 0) Clip(w, "audio", a.MediaUrl, start, length, null, rate, []);
                w.WriteEndArray();
                w.WriteString("kind", "Audio");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// CMX 3600: one event per shot on track V, reel from the shot id (BL for a shot without media), source timecode
    /// from 00:00:00:00 in each shot's own media, record timecode from <see cref="RecordStart"/>. A mixed shot's event is
    /// <c>D nnn</c> with the mix's whole length; Talos centres mixes on the cut (the media's held end frames are the
    /// handles), so record in/out stay at the cuts and the events are contiguous.
    /// </summary>
    public static string Edl(FilmTimeline t, TimecodeRate rate)
    {
        Check(t, rate);
        var e = new StringBuilder();
        e.Append("TITLE: ").Append(Title(t.Name)).Append('\n');
        e.Append(rate.DropFrame ? "FCM: DROP FRAME\n" : "FCM: NON-DROP FRAME\n");
        var reels = Reels(t.Shots);
        long record = RecordStartFrame(rate);
        for (int i = 0; i < t.Shots.Count; i++)
        {
            var s = t.Shots[i];
            int h = t.HalfTransition(i);
            var (kind, length) = h > 0 ? ("D", (2 * h).ToString("000", CultureInfo.InvariantCulture)) : ("C", "");
            e.Append('\n').Append(CultureInfo.InvariantCulture, $"{i + 1:000}  {reels[i],-8} {"V",-5} {kind,-4} {length,3} ")
                .Append(CultureInfo.InvariantCulture, $"{rate.Format(0)} {rate.Format(s.Frames)} {rate.Format(record)} {rate.Format(record + s.Frames)}\n");
            e.Append("* FROM CLIP NAME: ").Append(Comment(s.ShotId)).Append('\n');
            if (s.Transition == "fade" && h > 0) e.Append("* TALOS FADE THROUGH BLACK\n");
            foreach (var m in s.Markers)
                e.Append(CultureInfo.InvariantCulture, $"* ECHO {rate.Format(record + m.Frame)}: {Comment(m.Name)}\n");
            record += s.Frames;
        }
        return e.ToString();
    }

    /// <summary>Reel names: the shot id's letters and digits, upper case, its last 8, made unique with a number; BL for no media.</summary>
    public static IReadOnlyList<string> Reels(IReadOnlyList<TimelineShot> shots)
    {
        var taken = new HashSet<string> { "BL" };
        var reels = new List<string>(shots.Count);
        foreach (var s in shots)
        {
            if (s.MediaUrl is null) { reels.Add("BL"); continue; }
            var b = new string(s.ShotId.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
            if (b.Length == 0) b = "SHOT";
            var reel = b.Length > 8 ? b[^8..] : b; // the end of an id tells its shots apart (scene-01-shot-02 → 01SHOT02)
            for (int n = 1; !taken.Add(reel); n++)
            {
                var suffix = n.ToString(CultureInfo.InvariantCulture);
                reel = b[^Math.Min(b.Length, 8 - suffix.Length)..] + suffix;
            }
            reels.Add(reel);
        }
        return reels;
    }

    static void Check(FilmTimeline t, TimecodeRate rate)
    {
        if (t.Shots.Count == 0) throw new CutturaException($"the timeline of '{t.Name}' has no shots");
        if (rate.Nominal != t.Fps) throw new CutturaException($"rate {rate.Name} counts {rate.Nominal} frames a second but '{t.Name}' runs at {t.Fps}");
        foreach (var s in t.Shots)
        {
            if (s.Frames <= 0) throw new CutturaException($"shot '{s.ShotId}' has no frames");
            if (!FilmEditor.Transitions.Contains(s.Transition)) throw new CutturaException($"shot '{s.ShotId}' has unknown transition '{s.Transition}'");
        }
    }

    // An EDL line is one line of printable ASCII.
    static string Comment(string s) => new(s.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
    static string Title(string s) { var c = Comment(s); return c.Length > 70 ? c[..70] : c; }

    /// <summary>OTIO_SCHEMA, metadata and name: the keys every SerializableObjectWithMetadata writes.</summary>
    static void Head(Utf8JsonWriter w, string schema, string name, Action? metadata = null)
    {
        w.WriteString("OTIO_SCHEMA", schema);
        w.WriteStartObject("metadata");
        metadata?.Invoke();
        w.WriteEndObject();
        w.WriteString("name", name);
    }

    /// <summary>The rest of an Item (Stack, Track) without its own range: source_range, effects, markers, enabled.</summary>
    static void Item(Utf8JsonWriter w, TimeRangeArgs? range = null, Action? markers = null)
    {
        w.WritePropertyName("source_range");
        if (range is { } r) Range(w, r.Start, r.Frames, r.Rate); else w.WriteNullValue();
        w.WriteStartArray("effects"); w.WriteEndArray();
        w.WriteStartArray("markers"); markers?.Invoke(); w.WriteEndArray();
        w.WriteBoolean("enabled", true);
    }

    readonly record struct TimeRangeArgs(long Start, long Frames, TimecodeRate Rate);

    static void Gap(Utf8JsonWriter w, string name, int frames, TimecodeRate rate)
    {
        w.WriteStartObject();
        Head(w, "Gap.1", name);
        Item(w, new TimeRangeArgs(0, frames, rate));
        w.WriteEndObject();
    }

    static void Clip(Utf8JsonWriter w, string name, string url, int start, int frames, int? available, TimecodeRate rate, IReadOnlyList<TimelineMarker> markers)
    {
        w.WriteStartObject();
        Head(w, "Clip.2", name);
        Item(w, new TimeRangeArgs(start, frames, rate), () =>
        {
            foreach (var m in markers)
            {
                w.WriteStartObject();
                Head(w, "Marker.2", m.Name);
                w.WritePropertyName("marked_range"); Range(w, m.Frame, m.Frames, rate);
                w.WriteString("color", "RED");
                w.WriteString("comment", "ECHO");
                w.WriteEndObject();
            }
        });
        w.WriteStartObject("media_references");
        w.WriteStartObject("DEFAULT_MEDIA");
        Head(w, "ExternalReference.1", "");
        w.WritePropertyName("available_range");
        if (available is { } n) Range(w, 0, n, rate); else w.WriteNullValue();
        w.WriteNull("available_image_bounds");
        w.WriteString("target_url", url);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("active_media_reference_key", "DEFAULT_MEDIA");
        w.WriteEndObject();
    }

    static void Range(Utf8JsonWriter w, long start, long frames, TimecodeRate rate)
    {
        w.WriteStartObject();
        w.WriteString("OTIO_SCHEMA", "TimeRange.1");
        w.WritePropertyName("duration"); Time(w, frames, rate);
        w.WritePropertyName("start_time"); Time(w, start, rate);
        w.WriteEndObject();
    }

    static void Time(Utf8JsonWriter w, long frames, TimecodeRate rate)
    {
        w.WriteStartObject();
        w.WriteString("OTIO_SCHEMA", "RationalTime.1");
        w.WritePropertyName("rate"); Real(w, rate.PerSecond);
        w.WritePropertyName("value"); Real(w, frames);
        w.WriteEndObject();
    }

    // OTIO writes rates and values as doubles (24.0, not 24).
    static void Real(Utf8JsonWriter w, double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        w.WriteRawValue(s.Contains('.') || s.Contains('E') ? s : s + ".0");
    }
}
