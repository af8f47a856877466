using System.Globalization;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Processes;

namespace Talos.Gpu.Prism.Voice;

/// <summary>One of the scratch voices: an espeak-ng English variant at a pitch (0–99).</summary>
public sealed record ScratchVoiceSettings(string Variant, int Pitch, int WordsPerMinute = 165)
{
    /// <summary>espeak-ng's <c>-v</c> argument.</summary>
    public string EspeakVoice => "en+" + Variant;
}

/// <summary>
/// The scratch voice: a line spoken by espeak-ng (installed with apt-get when missing and running as root), one voice per
/// character. A character's voice is chosen by a stable hash of its name (FNV-1a of the trimmed, upper-cased name, modulo
/// <see cref="Voices"/>), so MARA sounds the same in every shot, film and animatic whoever else is in the shot. espeak-ng
/// is deterministic: the same text and voice give the same samples. Animatics (<see cref="Boards.ScratchAudio"/>) and films
/// (<see cref="DialogueAudio"/>) both speak through here.
/// </summary>
public static class ScratchVoice
{
    /// <summary>The voices: male and female variants at low, middle and high pitches, far enough apart to tell speakers apart.</summary>
    public static readonly IReadOnlyList<ScratchVoiceSettings> Voices =
    [
        new("m1", 40), new("f2", 60), new("m3", 28), new("f4", 72), new("m7", 52), new("f1", 48), new("m2", 64), new("f5", 36),
        new("m4", 34), new("f3", 66), new("m6", 58), new("f2", 42),
    ];

    static readonly object Gate = new();
    static string? _espeak;

    /// <summary>The espeak-ng executable (installed when missing and allowed), or a <see cref="CutturaException"/> saying it is missing.</summary>
    public static string EnsureEspeak(Action<string>? log = null)
    {
        lock (Gate)
        {
            try { return _espeak ??= ProcessRunner.Require("espeak-ng", log: log); }
            catch (ProcessException e) { throw new CutturaException($"{e.Message} (needed for the scratch voice of dialogue without recorded audio)", e); }
        }
    }

    /// <summary>The voice of <paramref name="character"/>: index into <see cref="Voices"/> by FNV-1a of the trimmed upper-case name.</summary>
    public static int VoiceOf(string character)
    {
        return (int)(FilmSoundtrack.Fnv1a((character ?? "").Trim().ToUpperInvariant()) % (uint)Voices.Count);
    }

    /// <summary>The espeak-ng variants a cast may name as a character's <c>voice</c>: male m1–m8, female f1–f5.</summary>
    public static readonly IReadOnlyList<string> Variants = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5"];

    /// <summary>
    /// A voice named by a cast or a spec (<c>characters[].voice</c>): a variant (<see cref="Variants"/>) at pitch 50, or
    /// <c>VARIANT:PITCH</c> with a pitch 0–99 (<c>f2:60</c>). Null and the reason when it is not one.
    /// </summary>
    public static ScratchVoiceSettings? Parse(string? voice, out string problem)
    {
        problem = "";
        var parts = (voice ?? "").Split(':');
        if (parts.Length <= 2 && Variants.Contains(parts[0]))
        {
            if (parts.Length == 1) return new ScratchVoiceSettings(parts[0], 50);
            if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pitch) && pitch <= 99) return new ScratchVoiceSettings(parts[0], pitch);
        }
        problem = $"voice '{Talos.Messages.Specs.Identifiers.Printable(voice)}' is not a scratch voice: VARIANT or VARIANT:PITCH, the variant one of {string.Join(", ", Variants)}, the pitch 0–99 (e.g. f2:60)";
        return null;
    }

    /// <summary>The voice <paramref name="character"/> speaks in: <paramref name="voice"/> when the cast names one, else <see cref="VoiceOf"/>.</summary>
    public static ScratchVoiceSettings For(string character, string? voice) =>
        voice is null ? Voices[VoiceOf(character)] : Parse(voice, out var problem) ?? throw new CutturaException(problem);

    /// <summary>Whether espeak-ng would say anything: the text has a letter or digit.</summary>
    public static bool Speakable(string text) => text.Any(char.IsLetterOrDigit);

    /// <summary>The line as espeak-ng's WAV (16-bit mono, 22050 Hz). The text goes on stdin, so a line starting with '-' is never an option.</summary>
    public static byte[] SpeakWav(string text, int voice, string what, Action<string>? log = null) =>
        SpeakWav(text, Voices[((voice % Voices.Count) + Voices.Count) % Voices.Count], what, log);

    /// <summary>The line as espeak-ng's WAV in voice <paramref name="v"/>.</summary>
    public static byte[] SpeakWav(string text, ScratchVoiceSettings v, string what, Action<string>? log = null)
    {
        var espeak = EnsureEspeak(log);
        var clean = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var tmp = Path.Combine(Path.GetTempPath(), $"talos-voice-{Guid.NewGuid():N}.wav");
        try
        {
            try
            {
                ProcessRunner.Run(espeak, ["-v", v.EspeakVoice, "-s", v.WordsPerMinute.ToString(CultureInfo.InvariantCulture),
                    "-p", v.Pitch.ToString(CultureInfo.InvariantCulture), "-w", tmp, "--stdin"], clean, timeout: TimeSpan.FromMinutes(1));
            }
            catch (ProcessException e) { throw new CutturaException($"{what}: espeak-ng failed: {e.Message}", e); }
            if (!File.Exists(tmp) || new FileInfo(tmp).Length <= 44) throw new CutturaException($"{what}: espeak-ng wrote no speech");
            return File.ReadAllBytes(tmp);
        }
        finally { File.Delete(tmp); }
    }

    /// <summary>The line spoken in <paramref name="voice"/>, decoded by <see cref="AudioDecoder"/> to mono at <paramref name="sampleRate"/>.</summary>
    public static PcmAudio Speak(string text, int voice, int sampleRate, string what, Action<string>? log = null) =>
        AudioDecoder.DecodeMono(SpeakWav(text, voice, what, log), sampleRate, what);

    /// <summary>The line spoken in voice <paramref name="voice"/>, decoded to mono at <paramref name="sampleRate"/>.</summary>
    public static PcmAudio Speak(string text, ScratchVoiceSettings voice, int sampleRate, string what, Action<string>? log = null) =>
        AudioDecoder.DecodeMono(SpeakWav(text, voice, what, log), sampleRate, what);
}
