using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;

namespace Talos.Gpu.Axis.LipSync;

/// <summary>
/// The mouth of every character on every frame of a shot: each dialogue line's audio (<see cref="DialogueAudio.Line"/>, the
/// same samples the film plays) analysed once into mouth cues (<see cref="LipSyncAnalyzer"/>), placed at the line's start
/// frame. A frame inside a line shows the cue heard during that frame (a swap of drawings, never a blend); a frame outside
/// every line of its character is null: the pose's own mouth (the emotion's rest mouth, Rhubarb's X). The line's speaker is
/// the character whose name matches (case-insensitively). Lines are analysed lazily, so a shot without dialogue never loads
/// the model. Deterministic: same spec and assets, same mouths.
/// </summary>
public sealed class ShotLipSync : IDisposable
{
    readonly ShotSpec _spec;
    readonly Func<string, byte[]?> _asset;
    readonly Func<SileroVad> _loadVad;
    readonly Dictionary<int, MouthTrack> _tracks = new();
    readonly object _gate = new();
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, MouthTrack> Analysed = new();
    SileroVad? _vad;

    public ShotLipSync(ShotSpec spec, Func<string, byte[]?> asset, Func<SileroVad>? loadVad = null)
    {
        _spec = spec ?? throw new ArgumentNullException(nameof(spec));
        _asset = asset ?? throw new ArgumentNullException(nameof(asset));
        _loadVad = loadVad ?? (() => SileroVad.LoadDefault());
    }

    /// <summary>Does anyone speak in this shot (then <see cref="MouthAt"/> may return a cue)?</summary>
    public static bool Speaks(ShotSpec spec) => spec.Dialogue.Count > 0;

    /// <summary>The cues of dialogue line <paramref name="line"/>, in seconds from the line's first sample.</summary>
    public MouthTrack Track(int line)
    {
        lock (_gate)
        {
            if (_tracks.TryGetValue(line, out var t)) return t;
            // the line's inputs name the analysis: every chunk of every stage of the shot (and a re-render) speaks, decodes and
            // analyses a line once per process
            var key = DialogueAudio.InputKey(_spec, line, _asset, SileroVad.SampleRate);
            if (!Analysed.TryGetValue(key, out t))
            {
                var audio = DialogueAudio.Line(_spec, line, _asset, SileroVad.SampleRate);
                _vad ??= _loadVad();
                t = LipSyncAnalyzer.Analyze(audio, _vad);
                if (Analysed.Count >= 512) Analysed.Clear();
                Analysed[key] = t;
            }
            return _tracks[line] = t;
        }
    }

    /// <summary>The mouth drawing of character <paramref name="character"/> on <paramref name="frame"/>: a cue's shape while one of its lines sounds, else null.</summary>
    public MouthShape? MouthAt(int character, int frame)
    {
        var name = _spec.Characters[character].Name;
        MouthShape? shape = null;
        for (int i = 0; i < _spec.Dialogue.Count; i++)
        {
            var line = _spec.Dialogue[i];
            if (frame < line.StartFrame || !string.Equals(line.Character?.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase)) continue;
            var track = Track(i);
            if ((frame - line.StartFrame) / (double)_spec.Fps >= track.Duration) continue;
            var cue = track.AtFrame(frame, line.StartFrame, _spec.Fps);
            if (cue != MouthShape.X || shape is null) shape = cue; // a later line that speaks wins over an earlier one that rests
        }
        return shape;
    }

    public void Dispose() => _vad?.Dispose();
}
