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

    /// <summary>Lines decoded in this process by <see cref="InputKey"/>; cleared whole when it would hold more than <see cref="MaxCachedSamples"/>
    /// (a line longer than a quarter of that, about half a minute at both rates, is not kept).</summary>
    static readonly Dictionary<string, PcmAudio> Decoded = new(StringComparer.Ordinal);
    static long _cachedSamples;
    const long MaxCachedSamples = 8_000_000; // 32 MB: ~4 minutes of lines at 48 kHz

    /// <summary>
    /// The audio of line <paramref name="lineIndex"/> of <paramref name="spec"/>, mono at <paramref name="sampleRate"/>, from its
    /// first sample (place it at <see cref="StartSeconds"/>). <paramref name="asset"/> gives an asset's bytes by name or hash,
    /// null when there is no such asset. A line with no letters or digits ("...") is silence as long as its frames. A line
    /// asked for at one of <see cref="DecodedRates"/> is decoded at all of them and kept by <see cref="InputKey"/>, so the
    /// other rate's call (lip-sync's, then the mix's) neither speaks nor decodes it again: the same samples, since espeak-ng
    /// and ffmpeg are deterministic and each rate has its own resampler. Each call gets its own copy of the samples.
    /// </summary>
    public static PcmAudio Line(ShotSpec spec, int lineIndex, Func<string, byte[]?> asset, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(asset);
        var line = Check(spec, lineIndex);
        var what = What(spec, lineIndex);
        if (line.Audio is null && !ScratchVoice.Speakable(line.Text))
            return new PcmAudio(new float[Math.Max(1, (int)Math.Round((line.EndFrame - line.StartFrame + 1) / (double)spec.Fps * sampleRate))], sampleRate);
        var bytes = line.Audio is { } name ? AssetBytes(spec, lineIndex, name, asset) : null;
        var voice = bytes is null ? ScratchVoice.For(line.Character, VoiceOf(spec, line.Character)) : null;
        var sha = bytes is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        string Key(int rate) => sha is not null ? AssetKey(rate, sha) : VoiceKey(rate, voice!, line.Text);
        lock (Decoded)
            if (Decoded.TryGetValue(Key(sampleRate), out var hit)) return hit with { Samples = (float[])hit.Samples.Clone() };
        IReadOnlyList<int> rates = DecodedRates.Contains(sampleRate) ? DecodedRates : [sampleRate];
        var decoded = bytes is not null
            ? AudioDecoder.DecodeMono(bytes, rates, $"'{line.Audio}' ({what})")
            : AudioDecoder.DecodeMono(ScratchVoice.SpeakWav(line.Text, voice!, what), rates, what);
        long size = decoded.Sum(d => (long)d.Samples.Length);
        if (size <= MaxCachedSamples / 4) // a long recorded line is decoded again rather than held
            lock (Decoded)
            {
                if (_cachedSamples + size > MaxCachedSamples) { Decoded.Clear(); _cachedSamples = 0; }
                for (int i = 0; i < rates.Count; i++)
                    if (Decoded.TryAdd(Key(rates[i]), decoded[i])) _cachedSamples += decoded[i].Samples.Length;
            }
        var mine = decoded[rates.ToList().IndexOf(sampleRate)];
        return mine with { Samples = (float[])mine.Samples.Clone() };
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
