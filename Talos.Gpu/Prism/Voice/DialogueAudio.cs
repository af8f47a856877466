using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Voice;

/// <summary>
/// The sound of a shot's dialogue — the one place a line becomes samples, for the film's mix and for lip-sync alike. A line
/// with <see cref="DialogueLine.Audio"/> is that asset (name or <c>sha256/HASH</c>) decoded by <see cref="AudioDecoder"/>; a
/// line without is the scratch voice (<see cref="ScratchVoice"/>: espeak-ng, the voice the cast gives the character, else one
/// by a stable hash of its name). A line starts at <see cref="StartSeconds"/> = StartFrame / fps of its shot and plays to its end (it may run past
/// its EndFrame). Pure and deterministic: the same spec and asset bytes give the same samples.
/// </summary>
public static class DialogueAudio
{
    /// <summary>Where line <paramref name="lineIndex"/> starts in its shot, in seconds.</summary>
    public static double StartSeconds(ShotSpec spec, int lineIndex) => Check(spec, lineIndex).StartFrame / (double)spec.Fps;

    /// <summary>
    /// The rates a line is decoded at together, by one ffmpeg process: lip-sync's (<see cref="Axis.LipSync.SileroVad.SampleRate"/>)
    /// and the mix's (<see cref="FilmMix.SampleRate"/>). AXIS asks for the first, the edit for the second; the line is spoken
    /// and decoded once per process, not once per rate.
    /// </summary>
    public static readonly IReadOnlyList<int> DecodedRates = [Axis.LipSync.SileroVad.SampleRate, FilmMix.SampleRate];

    /// <summary>Lines decoded (or being decoded) in this process by <see cref="InputKey"/>; emptied of every decoded line when it would hold more than
    /// <see cref="MaxCachedSamples"/> (a line longer than a quarter of that, about half a minute at both rates, is not kept). A line
    /// being decoded is a task every caller asking for it waits on, so two chunks (or AXIS and the mix) asking at once speak and
    /// decode it once.</summary>
    static readonly Dictionary<string, Task<PcmAudio>> Decoded = new(StringComparer.Ordinal);
    static long _cachedSamples;
    const long MaxCachedSamples = 8_000_000; // 32 MB: ~4 minutes of lines at 48 kHz

    /// <summary>A line to decode: its name in errors, its asset's bytes (null: the scratch voice speaks <see cref="Text"/> in <see cref="Voice"/>),
    /// and the task of each rate this caller promised to decode (null: someone else's, or already decoded).</summary>
    sealed record Pending(string What, byte[]? Bytes, ScratchVoiceSettings? Voice, string Text, IReadOnlyList<int> Rates, string[] Keys,
        TaskCompletionSource<PcmAudio>?[] Promised);

    /// <summary>
    /// The audio of line <paramref name="lineIndex"/> of <paramref name="spec"/>, mono at <paramref name="sampleRate"/>, from its
    /// first sample (place it at <see cref="StartSeconds"/>). <paramref name="asset"/> gives an asset's bytes by name or hash,
    /// null when there is no such asset. A line with no letters or digits ("...") is silence as long as its frames. A line
    /// asked for at one of <see cref="DecodedRates"/> is decoded at all of them and kept by <see cref="InputKey"/>, so the
    /// other rate's call (lip-sync's, then the mix's) neither speaks nor decodes it again: the same samples, since espeak-ng
    /// and ffmpeg are deterministic and each rate has its own resampler. A line another caller is decoding is waited for
    /// (<see cref="Prepare"/> decodes a whole film's lines with one ffmpeg). Each call gets its own copy of the samples.
    /// </summary>
    public static PcmAudio Line(ShotSpec spec, int lineIndex, Func<string, byte[]?> asset, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(asset);
        var line = Check(spec, lineIndex);
        if (line.Audio is null && !ScratchVoice.Speakable(line.Text))
            return new PcmAudio(new float[Math.Max(1, (int)Math.Round((line.EndFrame - line.StartFrame + 1) / (double)spec.Fps * sampleRate))], sampleRate);
        IReadOnlyList<int> rates = DecodedRates.Contains(sampleRate) ? DecodedRates : [sampleRate];
        var pending = Promise(spec, lineIndex, asset, rates, out var tasks);
        if (pending is not null) Decode([pending]);
        var mine = tasks[rates.ToList().IndexOf(sampleRate)].GetAwaiter().GetResult();
        return mine with { Samples = (float[])mine.Samples.Clone() };
    }

    /// <summary>
    /// Speaks and decodes every line of <paramref name="lines"/> (shot spec, line index) that is neither decoded nor being decoded
    /// in this process, at <see cref="DecodedRates"/>, with one ffmpeg process for all of them (<see cref="AudioDecoder.DecodeAll(IReadOnlyList{ValueTuple{byte[], string}}, IReadOnlyList{int})"/>:
    /// each line's samples bit for bit those of its own decode), so the <see cref="Line"/> calls that follow (the mix's, lip-sync's in
    /// every chunk) find them. A film's lines are otherwise asked for one at a time by the chunks that draw them, each an ffmpeg start.
    /// Never throws for a line: a line that cannot be spoken or decoded fails its <see cref="Line"/> calls with its own error.
    /// </summary>
    public static void Prepare(IEnumerable<(ShotSpec Spec, int Line)> lines, Func<string, byte[]?> asset)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(asset);
        var mine = new List<Pending>();
        foreach (var (spec, index) in lines)
        {
            try
            {
                var line = Check(spec, index);
                if (line.Audio is null && !ScratchVoice.Speakable(line.Text)) continue;
                if (Promise(spec, index, asset, DecodedRates, out _) is { } p) mine.Add(p);
            }
            catch (CutturaException) { } // a missing asset, a voice that is not one: the line's own Line call says so
        }
        if (mine.Count > 0) Decode(mine);
    }

    /// <summary>
    /// The tasks of line <paramref name="lineIndex"/> at each of <paramref name="rates"/> (<paramref name="tasks"/>), and the work this
    /// caller must now do: null when every rate is decoded or being decoded by someone else, else the rates this caller promised
    /// (the others' keys are left to whoever holds them).
    /// </summary>
    static Pending? Promise(ShotSpec spec, int lineIndex, Func<string, byte[]?> asset, IReadOnlyList<int> rates, out Task<PcmAudio>[] tasks)
    {
        var line = spec.Dialogue[lineIndex];
        var what = What(spec, lineIndex);
        var bytes = line.Audio is { } name ? AssetBytes(spec, lineIndex, name, asset) : null;
        var voice = bytes is null ? ScratchVoice.For(line.Character, VoiceOf(spec, line.Character)) : null;
        var sha = bytes is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var keys = rates.Select(rate => sha is not null ? AssetKey(rate, sha) : VoiceKey(rate, voice!, line.Text)).ToArray();
        var promised = new TaskCompletionSource<PcmAudio>?[rates.Count];
        tasks = new Task<PcmAudio>[rates.Count];
        lock (Decoded)
        {
            for (int i = 0; i < keys.Length; i++)
            {
                if (!Decoded.TryGetValue(keys[i], out var t))
                {
                    promised[i] = new TaskCompletionSource<PcmAudio>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Decoded[keys[i]] = t = promised[i]!.Task;
                }
                tasks[i] = t;
            }
        }
        return promised.Any(p => p is not null)
            ? new Pending(bytes is null ? what : $"'{line.Audio}' ({what})", bytes, voice, line.Text, rates, keys, promised)
            : null;
    }

    /// <summary>
    /// Speaks the scratch lines of <paramref name="work"/>, decodes all of them with one ffmpeg (a failed batch: each line alone,
    /// so each error is its own line's), and keeps or fails each promised task. A line whose task fails is forgotten (the next
    /// caller tries again); so is one too long to keep, once its callers have it.
    /// </summary>
    static void Decode(List<Pending> work)
    {
        var wavs = new byte[work.Count][];
        var errors = new Exception?[work.Count];
        for (int i = 0; i < work.Count; i++)
        {
            try { wavs[i] = work[i].Bytes ?? ScratchVoice.SpeakWav(work[i].Text, work[i].Voice!, work[i].What); }
            catch (Exception e) { errors[i] = e; }
        }
        var ok = Enumerable.Range(0, work.Count).Where(i => errors[i] is null).ToList();
        var decoded = new PcmAudio[work.Count][];
        // lines decoded together share their rates (DecodedRates); a line asked for at another rate alone is decoded alone
        foreach (var group in ok.GroupBy(i => string.Join(',', work[i].Rates)))
        {
            var members = group.ToList();
            try
            {
                var all = AudioDecoder.DecodeAll([.. members.Select(i => (wavs[i], work[i].What))], work[members[0]].Rates);
                for (int k = 0; k < members.Count; k++) decoded[members[k]] = all[k];
            }
            catch (Exception) when (members.Count > 1)
            {
                foreach (var i in members)
                {
                    try { decoded[i] = AudioDecoder.DecodeMono(wavs[i], work[i].Rates, work[i].What); }
                    catch (Exception e) { errors[i] = e; }
                }
            }
            catch (Exception e) { errors[members[0]] = e; }
        }
        for (int i = 0; i < work.Count; i++) Keep(work[i], decoded[i], errors[i]);
    }

    static void Keep(Pending p, PcmAudio[]? decoded, Exception? error)
    {
        long size = decoded is null ? 0 : Enumerable.Range(0, p.Keys.Length).Where(r => p.Promised[r] is not null).Sum(r => (long)decoded[r].Samples.Length);
        bool keep = decoded is not null && decoded.Sum(d => (long)d.Samples.Length) <= MaxCachedSamples / 4; // a long recorded line is decoded again rather than held
        lock (Decoded)
        {
            if (keep && _cachedSamples + size > MaxCachedSamples)
            {
                // make room: forget what is decoded, not what others are still decoding
                foreach (var k in Decoded.Where(e => e.Value.IsCompleted).Select(e => e.Key).ToList()) Decoded.Remove(k);
                _cachedSamples = 0;
            }
            for (int r = 0; r < p.Keys.Length; r++)
            {
                if (p.Promised[r] is not { } promise || !Decoded.TryGetValue(p.Keys[r], out var t) || t != promise.Task) continue;
                if (keep) _cachedSamples += decoded![r].Samples.Length;
                else Decoded.Remove(p.Keys[r]);
            }
        }
        for (int r = 0; r < p.Keys.Length; r++)
        {
            if (p.Promised[r] is not { } promise) continue;
            if (decoded is not null) promise.SetResult(decoded[r]);
            else promise.SetException(error ?? new CutturaException($"{p.What}: no audio"));
        }
    }

    /// <summary>
    /// A name for the inputs that make line <paramref name="lineIndex"/>'s samples at <paramref name="sampleRate"/>: the asset's
    /// SHA-256, or the scratch voice's settings and text, or the silence's length. Equal names give equal <see cref="Line"/>
    /// samples (in one process: the same espeak-ng and ffmpeg), so a caller may key work on a line by it without speaking or
    /// decoding the line again.
    /// </summary>
    public static string InputKey(ShotSpec spec, int lineIndex, Func<string, byte[]?> asset, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(asset);
        var line = Check(spec, lineIndex);
        if (line.Audio is { } name)
            return AssetKey(sampleRate, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(AssetBytes(spec, lineIndex, name, asset))));
        if (!ScratchVoice.Speakable(line.Text))
            return $"silence|{Invariant(sampleRate)}|{line.EndFrame - line.StartFrame + 1}|{Invariant(spec.Fps)}";
        return VoiceKey(sampleRate, ScratchVoice.For(line.Character, VoiceOf(spec, line.Character)), line.Text);
    }

    static string AssetKey(int rate, string sha) => $"asset|{Invariant(rate)}|{sha}";
    static string VoiceKey(int rate, ScratchVoiceSettings voice, string text) => $"voice|{Invariant(rate)}|{voice}|{text}";
    static string Invariant(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The voice the shot's cast gives <paramref name="character"/> (its <see cref="CharacterSpec.Voice"/>, names matched
    /// case-insensitively), or null for the voice chosen by the name.</summary>
    static string? VoiceOf(ShotSpec spec, string character) =>
        spec.Characters.FirstOrDefault(c => string.Equals(c.Name.Trim(), character.Trim(), StringComparison.OrdinalIgnoreCase))?.Voice;

    /// <summary>
    /// The shot's whole dialogue track: FrameCount / fps seconds of mono audio at <paramref name="sampleRate"/>, every line
    /// added at its start (sample round(StartFrame / fps × rate)); what runs past the shot's end is cut.
    /// </summary>
    public static PcmAudio Shot(ShotSpec spec, Func<string, byte[]?> asset, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var track = new float[(int)Math.Round(spec.FrameCount / (double)spec.Fps * sampleRate)];
        for (int i = 0; i < spec.Dialogue.Count; i++)
        {
            var line = Line(spec, i, asset, sampleRate);
            AddAt(track, line.Samples, (long)Math.Round(StartSeconds(spec, i) * sampleRate));
        }
        return new PcmAudio(track, sampleRate);
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="track"/> from sample <paramref name="at"/> (what falls outside is dropped).</summary>
    public static void AddAt(float[] track, ReadOnlySpan<float> source, long at)
    {
        for (long k = Math.Max(0, -at); k < source.Length; k++)
        {
            long dst = at + k;
            if (dst >= track.Length) break;
            track[dst] += source[(int)k];
        }
    }

    static string What(ShotSpec spec, int lineIndex) => $"dialogue line {lineIndex + 1} of shot '{spec.Id}'";

    /// <summary>The bytes of a line's audio asset, or one error naming the line and the asset.</summary>
    static byte[] AssetBytes(ShotSpec spec, int lineIndex, string name, Func<string, byte[]?> asset) =>
        asset(name) ?? throw new CutturaException($"{What(spec, lineIndex)}: audio asset '{name}' is not in the vault");

    static DialogueLine Check(ShotSpec spec, int lineIndex)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Fps <= 0) throw new CutturaException($"shot '{spec.Id}' has an invalid frame rate {spec.Fps}");
        if (lineIndex < 0 || lineIndex >= spec.Dialogue.Count)
            throw new ArgumentOutOfRangeException(nameof(lineIndex), lineIndex, $"shot '{spec.Id}' has {spec.Dialogue.Count} dialogue line(s)");
        return spec.Dialogue[lineIndex];
    }
}
