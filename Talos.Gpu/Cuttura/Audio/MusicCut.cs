using Talos.Gpu.Flux;
using Talos.Messages.Specs;

namespace Talos.Gpu.Cuttura.Audio;

/// <summary>
/// What `talos render --music TRACK` does to the shots, as plain functions over the specs: cuts snapped to the beats,
/// and the beats written into the specs as data the stages already read — a camera zoom pulse (CameraMove keys, read by
/// FLUX/AXIS/RAYGEN's camera path) and effect bursts (short EffectSpecs beside each effect, read by STOKES). No new
/// spec fields: a render with music is an ordinary production.
/// </summary>
public static class MusicCut
{
    /// <summary>How far (frames) a cut may move to land on a beat.</summary>
    public const int MaxShift = 4;
    /// <summary>The zoom pulse: the camera's zoom grows by this fraction on a beat, scaled by 0.5 + the low band (the kick).</summary>
    public const double ZoomPulse = 0.04;

    /// <summary>Snaps the cuts, then drives each shot's camera and effects from the beats at their film frames.</summary>
    public static IReadOnlyList<ShotSpec> Apply(IReadOnlyList<ShotSpec> shots, MusicFrames music, double musicOffsetSeconds = 0)
    {
        var snapped = SnapCuts(shots, music.Beats.Beats.Select(b => b + musicOffsetSeconds).ToArray());
        var result = new List<ShotSpec>(snapped.Count);
        double start = 0;
        foreach (var s in snapped)
        {
            result.Add(Drive(s, music, start - musicOffsetSeconds));
            start += (double)s.FrameCount / s.Fps;
        }
        return result;
    }

    /// <summary>
    /// Moves each cut (the end of every shot but the last) to the nearest beat within ±<see cref="MaxShift"/> frames by
    /// lengthening or shortening that shot; later shots keep their lengths, so their cuts move with it before they are
    /// snapped in turn. A shot is never shortened below one frame or past a pose, drawing, effect start or line it holds.
    /// </summary>
    public static IReadOnlyList<ShotSpec> SnapCuts(IReadOnlyList<ShotSpec> shots, IReadOnlyList<double> beatSeconds)
    {
        var beats = beatSeconds.Order().ToArray();
        var result = new List<ShotSpec>(shots.Count);
        double start = 0;
        for (int i = 0; i < shots.Count; i++)
        {
            var s = shots[i];
            int n = s.FrameCount;
            if (i < shots.Count - 1 && beats.Length > 0)
            {
                int floor = Math.Max(1, LastUsedFrame(s) + 1);
                // the shot lengths that put the cut on a beat, nearest the present cut first, that the shot's content allows
                var best = beats.Select(b => (int)Math.Round((b - start) * s.Fps))
                    .Where(len => Math.Abs(len - n) <= MaxShift && len >= floor && len <= Limits.MaxShotSeconds * s.Fps)
                    .OrderBy(len => Math.Abs(len - n)).ThenBy(len => len).Cast<int?>().FirstOrDefault();
                if (best is { } len && len != n) s = WithLength(s, len);
            }
            result.Add(s);
            start += (double)s.FrameCount / s.Fps;
        }
        return result;
    }

    /// <summary>The shot at a new length; a shortened shot's camera ends where it ended (the keys past the new end
    /// become one key on its last frame, with the final key's framing) and its effects stop at the new end.</summary>
    static ShotSpec WithLength(ShotSpec s, int frames)
    {
        int last = frames - 1;
        var camera = s.Camera.Where(c => c.Frame < last).ToList();
        if (s.Camera.LastOrDefault(c => c.Frame >= last) is { } end) camera.Add(end with { Frame = last });
        return s with
        {
            Frames = new FrameRange(s.Frames?.Start ?? 0, (s.Frames?.Start ?? 0) + last), DurationSeconds = null,
            Camera = camera,
            Effects = s.Effects.Select(e => e.EndFrame > last ? e with { EndFrame = last } : e).ToList(),
        };
    }

    /// <summary>The last frame a pose, a drawing, a line or an effect's start names: a shot is never cut before it.</summary>
    static int LastUsedFrame(ShotSpec s) => new[] { 0 }
        .Concat(s.Characters.SelectMany(c => c.Keyframes.Select(k => k.Frame).Concat(c.KeyframeImages.Select(k => k.Frame))))
        .Concat(s.Effects.Select(e => e.StartFrame))
        .Concat(s.Dialogue.Select(d => d.EndFrame)).Max();

    /// <summary>
    /// The beats inside one shot (film time <paramref name="shotStartInTrack"/> of the track is its frame 0) drive its
    /// camera — a zoom pulse on each beat: the path's own zoom one frame before, times 1 + pulse on the beat, the path's
    /// own two frames after — and its effects: each effect active on a beat gets a two-frame burst there with its strength
    /// times 0.5 + the low band (up to the spec's limit of effects).
    /// </summary>
    public static ShotSpec Drive(ShotSpec s, MusicFrames music, double shotStartInTrack)
    {
        int n = s.FrameCount;
        var beats = music.Beats.Beats
            .Select(b => (int)Math.Round((b - shotStartInTrack) * s.Fps))
            .Where(f => f >= 1 && f < n).Distinct().ToArray();
        if (beats.Length == 0) return s;
        float LowAt(int f)
        {
            int mf = (int)Math.Round((shotStartInTrack + (double)f / s.Fps) * music.Fps);
            return music.Low[Math.Clamp(mf, 0, music.Frames - 1)];
        }

        // camera: sample the existing path at every key we need, pulse the beat frames
        var keys = new SortedDictionary<int, double>(); // frame → zoom factor over the path
        foreach (var f in beats)
        {
            keys.TryAdd(f - 1, 1);
            keys[f] = 1 + ZoomPulse * (0.5 + LowAt(f));
            if (f + 2 < n) keys.TryAdd(f + 2, 1);
        }
        foreach (var m in s.Camera) keys.TryAdd(m.Frame, 1);
        var camera = keys.Select(k =>
        {
            var own = s.Camera.LastOrDefault(m => m.Frame <= k.Key) ?? s.Camera.FirstOrDefault();
            var at = CameraPath.At(s.Camera, k.Key);
            bool lens = s.Camera.Any(m => m.Focus is not null);
            return new CameraMove
            {
                Frame = k.Key, Move = own?.Move ?? "static",
                Zoom = Math.Round(at.Zoom * k.Value, 6), PanX = Math.Round(at.PanX, 6),
                Focus = lens ? Math.Round(at.Focus, 6) : null, Aperture = lens ? Math.Round(at.Aperture, 6) : 0,
            };
        }).ToList();

        var effects = s.Effects.ToList();
        foreach (var f in beats)
            foreach (var e in s.Effects)
            {
                if (effects.Count >= Talos.Gpu.Prism.ShotSpecJson.MaxEffects) break;
                if (f < e.StartFrame || e.EndFrame is { } end && f > end || f + 1 >= n) continue;
                effects.Add(e with { StartFrame = f, EndFrame = f + 1, Strength = Math.Round(e.Strength * (0.5 + LowAt(f)), 4) });
            }
        return s with { Camera = camera, Effects = effects };
    }
}
