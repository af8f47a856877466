using Talos.Gpu.Axis;
using Talos.Gpu.Flux;
using Talos.Messages.Specs;

namespace Talos.Gpu.Prism.Commercials;

/// <summary>A character's ink box in one shot: at each of its keys, and the union over every frame (frame pixels, unclipped).</summary>
public sealed record CharacterFraming(string Character, IReadOnlyList<(int Frame, Bounds Box)> Keys, Bounds Extent);

/// <summary>
/// Reframing for a deliverable: the same staging in another aspect ratio, not a blind crop. Each rig character's ink is
/// measured at every frame with AXIS's own drawing (<see cref="LineArt.InkBounds"/> through FLUX's motion and camera path);
/// then the characters' x positions are drawn together about the frame centre by a spread <c>s</c> (x → ½ + (x − ½)·s, the
/// camera's pan with them) and the camera zoomed out by a factor <c>k</c> (every camera key's zoom × k) until every
/// character, at every frame, lies inside the stage rectangle (a format's title-safe area). Of the (k, s) that fit, the one
/// with the largest k²·s wins: characters as big as the format allows, then as far apart as before.
/// </summary>
public static class Reframing
{
    /// <summary>Spreads tried, widest first; zooms searched between <see cref="MinZoom"/> and 1.</summary>
    static readonly double[] Spreads = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
    public const double MinZoom = 0.25;

    /// <summary>
    /// <paramref name="spec"/> at <paramref name="width"/>×<paramref name="height"/> with its characters and camera moved so
    /// that every character stays inside <paramref name="stage"/> (frame pixels). A shot without rig characters only changes
    /// size. When nothing fits (a character crossing the whole frame) the closest framing tried is returned; the layout
    /// the caller writes shows it.
    /// </summary>
    public static ShotSpec Reframe(ShotSpec spec, int width, int height, Bounds stage)
    {
        var sized = spec with { Resolution = new Resolution(width, height) };
        if (!sized.Characters.Any(c => c.Keyframes.Count > 0)) return sized;
        ShotSpec? best = null;
        double bestScore = -1, leastOver = double.MaxValue;
        ShotSpec? closest = null;
        foreach (var s in Spreads)
        {
            // The largest zoom that fits at this spread: overflow shrinks with the zoom, so bisect.
            double lo = MinZoom, hi = 1.0;
            var atLo = Apply(sized, MinZoom, s);
            double over = Overflow(atLo, stage);
            if (over < leastOver) (leastOver, closest) = (over, atLo);
            if (over > 0) continue;
            var atHi = Apply(sized, 1.0, s);
            if (Overflow(atHi, stage) <= 0) lo = 1.0;
            else
                for (int i = 0; i < 12; i++)
                {
                    double mid = (lo + hi) / 2;
                    if (Overflow(Apply(sized, mid, s), stage) <= 0) lo = mid; else hi = mid;
                }
            double score = lo * lo * s;
            if (score > bestScore) (bestScore, best) = (score, Apply(sized, lo, s));
        }
        return best ?? closest!;
    }

    /// <summary>The spec with characters' x (and the camera's pan) spread by <paramref name="s"/> about the centre and the camera zoomed by <paramref name="k"/>.</summary>
    public static ShotSpec Apply(ShotSpec spec, double k, double s)
    {
        double X(double x) => 0.5 + (x - 0.5) * s;
        var camera = spec.Camera.Count == 0
            ? [new CameraMove { Frame = 0, Move = "static", Zoom = Math.Max(MinZoom, k) }]
            : spec.Camera.Select(m => m with { Zoom = Math.Max(MinZoom, m.Zoom * k), PanX = m.PanX * s }).ToList();
        return spec with
        {
            Camera = camera,
            Characters = spec.Characters.Select(c => c with { Keyframes = c.Keyframes.Select(key => key with { X = X(key.X) }).ToList() }).ToList(),
        };
    }

    /// <summary>Every rig character's ink box at its keys and over the whole shot, at the spec's size.</summary>
    public static IReadOnlyList<CharacterFraming> Measure(ShotSpec spec)
    {
        var result = new List<CharacterFraming>();
        foreach (var ch in spec.Characters.Where(c => c.Keyframes.Count > 0))
        {
            Bounds? extent = null;
            for (int f = 0; f < Math.Max(1, spec.FrameCount); f++)
            {
                var b = BoxAt(spec, ch, f);
                extent = extent is { } e ? e.Union(b) : b;
            }
            var keys = ch.Keyframes.Select(k => k.Frame).Where(f => f < Math.Max(1, spec.FrameCount)).Distinct().Order()
                .Select(f => (f, BoxAt(spec, ch, f))).ToList();
            result.Add(new CharacterFraming(ch.Name, keys, extent!.Value));
        }
        return result;
    }

    static Bounds BoxAt(ShotSpec spec, CharacterSpec ch, int frame)
    {
        var state = MotionInterpolator.Evaluate(ch, frame, spec.Fps);
        return LineArt.InkBounds(Rigs.Get(ch.Rig), state.Pose, state.X, state.Facing, CameraPath.At(spec.Camera, frame), spec.Resolution.Width, spec.Resolution.Height);
    }

    /// <summary>How far (pixels, summed over sides) the characters' ink leaves <paramref name="stage"/> at worst; 0 when inside.</summary>
    static double Overflow(ShotSpec spec, Bounds stage)
    {
        double worst = 0;
        foreach (var m in Measure(spec))
        {
            var e = m.Extent;
            double over = Math.Max(0, stage.MinX - e.MinX) + Math.Max(0, e.MaxX - stage.MaxX) + Math.Max(0, stage.MinY - e.MinY) + Math.Max(0, e.MaxY - stage.MaxY);
            worst = Math.Max(worst, over);
        }
        return worst;
    }
}
