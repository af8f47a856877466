using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Tests.Chroma;

/// <summary>Rig-rendered line-art sequences with their true colours (the rig's own seeds, no gap closing).</summary>
static class RigSequence
{
    public sealed record Frame(GrayImage Lines, IReadOnlyList<RegionSeed> Seeds, RegionColours Truth);

    public static (List<Frame> Frames, List<PaletteEntry> Table) Walk(string rig, int w, int h, int frames, string pose = "walk", double x0 = 0.35, double x1 = 0.65)
    {
        var r = Rigs.Get(rig);
        var table = r.DefaultPalette.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PaletteEntry(p.Key, p.Value)).ToList();
        var ch = new CharacterSpec
        {
            Name = "a", Rig = rig,
            Keyframes = [new PoseKey { Frame = 0, Pose = pose, X = x0 }, new PoseKey { Frame = 48, Pose = pose, X = x1, Ease = "linear" }],
        };
        var list = new List<Frame>();
        for (int f = 0; f < frames; f++)
        {
            var s = MotionInterpolator.Evaluate(ch, f, 24);
            var d = Talos.Gpu.Axis.LineArt.Draw(r, s.Pose, s.X, s.Facing, CameraState.Wide, w, h);
            list.Add(new Frame(d.Lines, d.Seeds, LabelPropagation.FromSeeds(d.Lines, d.Seeds, table, gapRadius: 0)));
        }
        return (list, table);
    }

    /// <summary>Paper pixels painted in the truth or in <paramref name="got"/>: how many differ, of how many.</summary>
    public static (int Wrong, int Counted) Errors(Frame truth, RegionColours got)
    {
        var t = truth.Truth.EntryMap(truth.Lines);
        var g = got.EntryMap(truth.Lines);
        int n = 0, wrong = 0;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == LabelPropagation.InkMark || (t[i] < 0 && g[i] < 0)) continue;
            n++;
            if (t[i] != g[i]) wrong++;
        }
        return (wrong, n);
    }

    /// <summary>
    /// Flicker: among pixels that are painted paper in both frames and whose TRUE paint is the same in both, how many
    /// change their CHROMA paint (a region changing colour from one frame to the next where it should not), of how many.
    /// </summary>
    public static (int Changed, int Stable) Flicker(Frame ta, RegionColours a, Frame tb, RegionColours b)
    {
        var (t0, t1) = (ta.Truth.EntryMap(ta.Lines), tb.Truth.EntryMap(tb.Lines));
        var (g0, g1) = (a.EntryMap(ta.Lines), b.EntryMap(tb.Lines));
        int n = 0, changed = 0;
        for (int i = 0; i < t0.Length; i++)
        {
            if (t0[i] < 0 || t1[i] < 0 || t0[i] != t1[i]) continue;
            n++;
            if (g0[i] != g1[i]) changed++;
        }
        return (changed, n);
    }
}
