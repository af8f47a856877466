using System.Text;
using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;

namespace Talos.Gpu.Cuttura.Audio;

/// <summary>A shot of the cut as the soundtrack sees it: its spec (dialogue, sound cues) and how many frames it has in the film.</summary>
public sealed record SoundtrackShot(ShotSpec Spec, int Frames);

/// <summary>
/// The film's sound from its shots: each shot starts at the sum of the earlier shots' frames / fps (transitions do not change
/// the length, <see cref="FilmEditor"/>); every dialogue line (<see cref="DialogueAudio.Line"/>) at shot start + StartFrame / fps;
/// every sound cue at shot start + Frame / fps — its asset when it names one, else <see cref="SoundEffects"/> (ambiences
/// last to the end of their shot; seeded by shot id and cue index); the music from <paramref name="musicOffsetSeconds"/>.
/// Then <see cref="FilmMix.Mix"/>. Null when the film has nothing to hear.
/// </summary>
public static class FilmSoundtrack
{
    public static PcmAudio? Build(IReadOnlyList<SoundtrackShot> shots, Func<string, byte[]?> asset, PcmAudio? music, double musicOffsetSeconds,
        double loudnessLufs, MixSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(shots);
        ArgumentNullException.ThrowIfNull(asset);
        if (shots.Count == 0) throw new CutturaException("the film has no shots to mix");
        int fps = shots[0].Spec.Fps;
        if (shots.Any(s => s.Spec.Fps != fps)) throw new CutturaException("the shots run at different frame rates; the soundtrack needs one");
        const int rate = FilmMix.SampleRate;
        var dialogue = new List<MixClip>();
        var effects = new List<MixClip>();
        // every line the film plays spoken and decoded at once, one ffmpeg for all (lip-sync's chunks then find them too)
        DialogueAudio.Prepare(shots.SelectMany(s => Enumerable.Range(0, s.Spec.Dialogue.Count).Where(i => s.Spec.Dialogue[i].StartFrame < s.Frames)
            .Select(i => (s.Spec, i))), asset);
        long frame = 0;
        foreach (var (spec, frames) in shots)
        {
            double start = frame / (double)fps, end = (frame + frames) / (double)fps;
            for (int i = 0; i < spec.Dialogue.Count; i++)
                if (spec.Dialogue[i].StartFrame < frames)
                    dialogue.Add(new MixClip(DialogueAudio.Line(spec, i, asset, rate), start + DialogueAudio.StartSeconds(spec, i)));
            for (int k = 0; k < spec.Sounds.Count; k++)
            {
                var cue = spec.Sounds[k];
                if (cue.Frame >= frames) continue;
                double at = start + cue.Frame / (double)fps;
                effects.Add(new MixClip(Effect(spec, k, asset, end - at), at));
            }
            frame += frames;
        }
        var m = music is null ? null : new MixClip(music.SampleRate == rate ? music : throw new ArgumentException($"music must be at {rate} Hz"), musicOffsetSeconds);
        return FilmMix.Mix(frame / (double)fps, dialogue, effects, m, (settings ?? new MixSettings()) with { LoudnessLufs = loudnessLufs });
    }

    /// <summary>Sound cue <paramref name="index"/> of <paramref name="spec"/>: its asset decoded, or the library's effect with <paramref name="room"/> seconds to fill.</summary>
    public static PcmAudio Effect(ShotSpec spec, int index, Func<string, byte[]?> asset, double room)
    {
        var cue = spec.Sounds[index];
        var what = $"sound '{cue.Name}' (cue {index + 1} of shot '{spec.Id}')";
        if (cue.Asset is { } name)
        {
            var bytes = asset(name) ?? throw new CutturaException($"{what}: audio asset '{name}' is not in the vault");
            return AudioDecoder.DecodeMono(bytes, FilmMix.SampleRate, $"'{name}' ({what})");
        }
        return SoundEffects.Synthesize(cue.Name, room, FilmMix.SampleRate, Seed(spec.Id, index));
    }

    /// <summary>The seed of a shot's cue: FNV-1a of "id#index".</summary>
    public static uint Seed(string shotId, int index) => Fnv1a($"{shotId}#{index}");

    /// <summary>32-bit FNV-1a of the UTF-8 bytes: a stable hash for seeds and voice choices (the same on every machine and run).</summary>
    public static uint Fnv1a(string text)
    {
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(text)) { h ^= b; h *= 16777619; }
        return h;
    }
}
