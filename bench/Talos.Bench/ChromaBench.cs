using System.Diagnostics;
using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Flux;
using Talos.Gpu.Imaging;
using Talos.Messages.Specs;

namespace Talos.Bench;

/// <summary>
/// CHROMA per frame at 1280×720, each row against a peer in the same run: the seeded fill with trapped-ball gap
/// closing against the same fill with plain connected components; "colour one frame, colour the shot" propagation
/// (flow + regions + votes) against the FLUX optical flow it is built on; and the accuracy of that propagation
/// over a rig walk against the rig's true colours.
/// </summary>
public static class ChromaBench
{
    public static int Run(int width, int height, int repeat, int frames)
    {
        Console.WriteLine($"# CHROMA at {width}x{height}, median of {repeat}, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        var rig = Rigs.Get("lanky");
        var table = rig.DefaultPalette.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PaletteEntry(p.Key, p.Value)).ToList();
        var ch = new CharacterSpec
        {
            Name = "a", Rig = "lanky",
            Keyframes = [new PoseKey { Frame = 0, Pose = "walk", X = 0.35 }, new PoseKey { Frame = 48, Pose = "walk", X = 0.65, Ease = "linear" }],
        };
        var drawings = Enumerable.Range(0, frames).Select(f =>
        {
            var s = MotionInterpolator.Evaluate(ch, f, 24);
            return LineArt.Draw(rig, s.Pose, s.X, s.Facing, CameraState.Wide, width, height);
        }).ToList();
        var ink = ColourModel.DefaultInk;
        var palette = rig.DefaultPalette;

        Console.WriteLine("| step (per frame, one character) | Talos (ms) | peer | peer (ms) | ratio |");
        Console.WriteLine("|---|---|---|---|---|");
        Row("CHROMA fill, fresh planes per call (closed rig art: the ball is not needed)", () => ChromaFill.Fill(drawings[0].Lines, drawings[0].Seeds, palette, ink, out _),
            "same fill, gap closing off", () => ChromaFill.Fill(drawings[0].Lines, drawings[0].Seeds, palette, ink, out _, gapRadius: 0), repeat);
        var buffers = new FillBuffers();
        Row("CHROMA fill into reused planes (FillBuffers, as ChromaStage runs it)", () => ChromaFill.Fill(drawings[0].Lines, drawings[0].Seeds, palette, ink, buffers, out _, out _),
            "same fill, fresh planes per call", () => ChromaFill.Fill(drawings[0].Lines, drawings[0].Seeds, palette, ink, out _), repeat);
        Row("CHROMA regions, trapped-ball gap closing (r = 2)", () => ChromaFill.Regions(drawings[0].Lines, 2),
            "plain connected components", () => ChromaFill.Regions(drawings[0].Lines, 0), repeat);
        var key = LabelPropagation.FromSeeds(drawings[0].Lines, drawings[0].Seeds, table, 0);
        Row("CHROMA propagate a frame (flow + regions + votes)", () => LabelPropagation.Propagate(drawings[0].Lines, key, drawings[1].Lines, out _),
            "FLUX optical flow alone", () => OpticalFlow.Compute(FlowFeatures.FromInk(drawings[1].Lines), FlowFeatures.FromInk(drawings[0].Lines), FlowOptions.For(width, height)),
            Math.Max(3, repeat / 4));
        Row("CHROMA mood grade (palette table)", () => MoodGrade.Grade(table, "sadness"), "(no peer)", null, repeat);

        // Accuracy of the propagation over the walk, against the rig's own colours.
        var current = key;
        long wrong = 0, counted = 0;
        var sw = Stopwatch.StartNew();
        for (int f = 1; f < frames; f++)
        {
            current = LabelPropagation.Propagate(drawings[f - 1].Lines, current, drawings[f].Lines, out _);
            var truth = LabelPropagation.FromSeeds(drawings[f].Lines, drawings[f].Seeds, table, 0).EntryMap(drawings[f].Lines);
            var got = current.EntryMap(drawings[f].Lines);
            for (int i = 0; i < truth.Length; i++)
            {
                if (truth[i] == LabelPropagation.InkMark || (truth[i] < 0 && got[i] < 0)) continue;
                counted++;
                if (truth[i] != got[i]) wrong++;
            }
        }
        Console.WriteLine();
        Console.WriteLine($"propagation over {frames} frames of a lanky walk: {100.0 * (counted - wrong) / counted:F2}% of region pixels right, "
            + $"{sw.Elapsed.TotalMilliseconds / Math.Max(1, frames - 1):F0} ms per frame including the truth check");
        return 0;
    }

    static void Row(string name, Func<object> talos, string peerName, Func<object>? peer, int repeat)
    {
        double t = Median(talos, repeat);
        double? p = peer is null ? null : Median(peer, repeat);
        Console.WriteLine($"| {name} | {t:F2} | {peerName} | {(p is { } pv ? pv.ToString("F2") : "-")} | {(p is { } r ? (t / r).ToString("F2") + "x" : "-")} |");
    }

    static double Median(Func<object> f, int repeat)
    {
        f(); // warm up
        var times = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(f());
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
