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
/// camera's pan with them) and the camera zoomed out by a factor <c>k</c> (every camera key's zoom × k) so that every
/// character, at every frame, lies inside the stage rectangle (a format's title-safe area) and no two characters whose
/// bodies (their boxes at their first key) were apart in the original staging run into each other. The characters stay as big as the format allows (the
/// largest k for which some spread fits), then as close to the written staging as it allows: a portrait frame first
/// draws the cast together, and pulls the camera back (spreading them wider in the world) only when that is not enough.
/// </summary>
public static class Reframing
{
    /// <summary>
    /// Spreads tried in order: the staging as written and then drawn together (1 down to 0), then pushed apart (1.05 up to
    /// 3) — zooming out brings the characters' positions together as much as it shrinks them, so in a frame too narrow for
    /// their bodies side by side only a wider spread with a smaller zoom keeps them apart.
    /// </summary>
    static readonly double[] Spreads = [.. Enumerable.Range(0, 21).Select(i => 1.0 - i * 0.05), .. Enumerable.Range(1, 40).Select(i => 1.0 + i * 0.05)];
    public const double MinZoom = 0.25;

    /// <summary>
    /// <paramref name="spec"/> at <paramref name="width"/>×<paramref name="height"/> with its characters and camera moved so
    /// that every character stays inside <paramref name="stage"/> (frame pixels). A shot without rig characters only changes
    /// size. When nothing fits (a character crossing the whole frame) the framing that leaves the stage least is returned;
    /// the layout the caller writes shows it.
    /// </summary>
    public static ShotSpec Reframe(ShotSpec spec, int width, int height, Bounds stage)
    {
        var sized = spec with { Resolution = new Resolution(width, height) };
        if (!sized.Characters.Any(c => c.Keyframes.Count > 0)) return sized;
        // Who stands apart is judged in the staging as written, on a 16:9 frame (x positions are fractions of its width).
        var apart = ApartPairs(Measure(spec with { Resolution = new Resolution(1280, 720) }));
        double? SpreadAt(double k)
        {
            foreach (var s in Spreads)
                if (Fits(Apply(sized, k, s), stage, apart)) return s;
            return null;
        }
        if (SpreadAt(1.0) is { } wide) return Apply(sized, 1.0, wide);
        if (SpreadAt(MinZoom) is null)
        {
            ShotSpec closest = sized;
            double least = double.MaxValue;
            foreach (var s in Spreads)
            {
                var candidate = Apply(sized, MinZoom, s);
                double over = Overflow(Measure(candidate), stage);
                if (over < least) (least, closest) = (over, candidate);
            }
            return closest;
        }
        double lo = MinZoom, hi = 1.0; // lo fits, hi does not: bisect the largest zoom that fits
        for (int i = 0; i < 12; i++)
        {
            double mid = (lo + hi) / 2;
            if (SpreadAt(mid) is not null) lo = mid; else hi = mid;
        }
        return Apply(sized, lo, SpreadAt(lo)!.Value);
    }

    /// <summary>
    /// Pairs of characters (by index among the rig characters) whose bodies do not overlap: their boxes at their first key
    /// (arms may still cross while they wave; a body running into another is what reads as a collision).
    /// </summary>
    static HashSet<(int, int)> ApartPairs(IReadOnlyList<CharacterFraming> m)
    {
        var apart = new HashSet<(int, int)>();
        for (int i = 0; i < m.Count; i++)
            for (int j = i + 1; j < m.Count; j++)
            {
                Bounds a = m[i].Keys.Count > 0 ? m[i].Keys[0].Box : m[i].Extent, b = m[j].Keys.Count > 0 ? m[j].Keys[0].Box : m[j].Extent;
                if (a.MaxX <= b.MinX || b.MaxX <= a.MinX) apart.Add((i, j));
            }
        return apart;
    }

    static bool Fits(ShotSpec spec, Bounds stage, HashSet<(int, int)> apart)
    {
        // Positions and pans a shot spec can hold (ShotSpecJson's ranges).
        if (spec.Characters.Any(c => c.Keyframes.Any(k => k.X is < -0.5 or > 1.5)) || spec.Camera.Any(m => m.PanX is < -2 or > 2)) return false;
        var m = Measure(spec);
        return Overflow(m, stage) <= 0 && apart.IsSubsetOf(ApartPairs(m));
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
        var rig = RigAssets.Resolve(ch.Rig, null);
        var state = MotionInterpolator.Evaluate(ch, frame, spec.Fps, rig);
        return LineArt.InkBounds(rig, state.Pose, state.X, state.Facing, CameraPath.At(spec.Camera, frame), spec.Resolution.Width, spec.Resolution.Height);
    }

    /// <summary>How far (pixels, summed over sides) the characters' ink leaves <paramref name="stage"/> at worst; 0 when inside.</summary>
    static double Overflow(IReadOnlyList<CharacterFraming> framing, Bounds stage)
    {
        double worst = 0;
        foreach (var m in framing)
        {
            var e = m.Extent;
            double over = Math.Max(0, stage.MinX - e.MinX) + Math.Max(0, e.MaxX - stage.MaxX) + Math.Max(0, stage.MinY - e.MinY) + Math.Max(0, e.MaxY - stage.MaxY);
            worst = Math.Max(worst, over);
        }
        return worst;
    }
}
