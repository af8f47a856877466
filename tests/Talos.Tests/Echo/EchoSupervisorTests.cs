using System.Diagnostics;
using Talos.Gpu.Axis;
using Talos.Gpu.Chroma;
using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Echo;

/// <summary>
/// ECHO judging like a supervisor, on a short shot rendered with Talos's own AXIS line art and CHROMA fill (the round
/// rig walking across a sky-and-ground background, 320x180, 32 frames): known defects are injected — three frames with one
/// region's paint flipped, one popped frame (a drawing from five frames later), flicker on a run of six frames — and
/// ECHO must find them, not the clean frames, and fix them.
/// </summary>
public sealed class EchoSupervisorTests(ITestOutputHelper output)
{
    const int W = 320, H = 180, Frames = 32;
    static readonly int[] FlipFrames = [6, 12, 20];
    const int PopFrame = 16;
    static readonly int[] FlickerFrames = [24, 25, 26, 27, 28, 29];

    internal static readonly Lazy<byte[][]> Clean = new(() => Enumerable.Range(0, Frames).Select(f => Render(f)).ToArray());

    /// <summary>Frame <paramref name="f"/> of the shot: the character at x = 0.25 + 0.01·f (3.2 px a frame), its dress
    /// painted <paramref name="dress"/> instead of the palette's when given.</summary>
    internal static byte[] Render(double f, Rgb? dress = null)
    {
        var rig = Rigs.Get("round");
        var drawing = LineArt.Draw(rig, PoseLibrary.Resolve("walk", "calm", 0), 0.25 + 0.01 * f, 1, CameraState.Wide, W, H);
        var palette = new Dictionary<string, Rgb>(rig.DefaultPalette);
        if (dress is { } d) palette["dress"] = d;
        var layer = ChromaFill.Fill(drawing.Lines, drawing.Seeds, palette, ColourModel.DefaultInk, out _);
        var rgb = new byte[W * H * 3];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = y * W + x, o = 3 * i;
                float v = y / (float)H;
                // sky graded top to bottom, a ground band below the character's feet
                var bg = y < drawing.GroundY ? new Rgb(0.25f + 0.2f * v, 0.45f + 0.2f * v, 0.8f) : new Rgb(0.3f, 0.22f, 0.12f);
                float a = layer.A[i];
                rgb[o] = Byte(layer.R[i] + bg.R * (1 - a));
                rgb[o + 1] = Byte(layer.G[i] + bg.G * (1 - a));
                rgb[o + 2] = Byte(layer.B[i] + bg.B * (1 - a));
            }
        return rgb;
    }

    static byte Byte(float linear) => (byte)MathF.Round(ColorMath.LinearToSrgb(Math.Clamp(linear, 0f, 1f)) * 255f);

    static readonly Rgb WrongDress = Rgb.FromHex("#b04fa8"); // the dress's green flipped to a magenta

    static byte[][] Defective()
    {
        var frames = Clean.Value.Select(f => (byte[])f.Clone()).ToArray();
        foreach (int f in FlipFrames) frames[f] = Render(f, WrongDress);
        frames[PopFrame] = Render(PopFrame + 5);
        for (int k = 0; k < FlickerFrames.Length; k++) frames[FlickerFrames[k]] = TemporalChecks.ApplyGain(frames[FlickerFrames[k]], k % 2 == 0 ? 1.18f : 0.85f);
        return frames;
    }

    static (IReadOnlyList<FrameMetrics> Metrics, IReadOnlyList<TemporalMetrics> Temporal, EchoReport Report) Judge(IReadOnlyList<byte[]> frames, EchoThresholds t)
    {
        var verdict = EchoSupervisor.Judge(i => frames[i], frames.Count, W, H, t);
        return (verdict.Metrics, verdict.Temporal, verdict.Report);
    }

    void Log(IReadOnlyList<TemporalMetrics> temporal, EchoReport report)
    {
        foreach (var m in temporal)
            output.WriteLine($"{m.Frame,3}: warp {m.WarpError:0.00000} pop {m.PopScore:0.00000} gain {m.Gain:0.000} flips {string.Join(", ", m.Flips.Select(f => $"{f.Area}px {f.Was}->{f.Became} dE {f.DeltaE:0.0}"))}");
        output.WriteLine(string.Join("\n", report.Findings));
    }

    [Fact]
    public void The_clean_render_has_no_findings()
    {
        var t = new EchoThresholds();
        var (_, temporal, report) = Judge(Clean.Value, t);
        Log(temporal, report);
        Assert.True(report.Passed, string.Join("; ", report.Findings));
        Assert.Empty(report.Defects!);
        Assert.True(report.MedianWarpError < t.BoilWarpError);
    }

    [Fact]
    public void Injected_flips_pop_and_flicker_are_found_and_fixed()
    {
        var sw = Stopwatch.StartNew();
        var t = new EchoThresholds();
        var frames = Defective();
        var (metrics, temporal, report) = Judge(frames, t);
        Log(temporal, report);
        output.WriteLine($"judged in {sw.Elapsed.TotalSeconds:0.0} s");

        var injected = new Dictionary<int, string>();
        foreach (int f in FlipFrames) injected[f] = "colour-flip";
        injected[PopFrame] = "pop";
        foreach (int f in FlickerFrames) injected[f] = "flicker";
        var defects = report.Defects!;
        int found = injected.Count(kv => defects.Any(d => d.Frame == kv.Key && d.Kind == kv.Value));
        var clean = Enumerable.Range(0, Frames).Where(f => !injected.ContainsKey(f)).ToList();
        int falseAlarms = clean.Count(f => report.FailingFrames.Contains(f));
        output.WriteLine($"found {found}/{injected.Count}; false alarms {falseAlarms}/{clean.Count}");
        Assert.True(found >= 0.95 * injected.Count, $"found {found} of {injected.Count}: {string.Join("; ", report.Findings)}");
        Assert.True(falseAlarms <= 0.05 * clean.Count, $"{falseAlarms} false alarms: {string.Join("; ", report.Findings)}");
        Assert.Equal(FlipFrames.Length, report.ColourFlipFrames);
        Assert.Equal(1, report.PoppedFrames);
        Assert.Contains(report.Findings, f => f.StartsWith("colour flips at frames 6, 12, 20"));
        Assert.Contains("popped frame 16", report.Findings);
        // on model: the flipped regions' colours, by CIEDE2000, are the wrong paint in the frame and the palette's dress in the neighbours
        var dress = Rigs.Get("round").DefaultPalette["dress"];
        foreach (int f in FlipFrames)
            Assert.All(temporal[f].Flips, r =>
            {
                Assert.True(ColourDifference.DeltaE2000(Rgb.FromHex(r.Became), WrongDress) < 5, $"frame {f}: painted {r.Became}");
                Assert.True(ColourDifference.DeltaE2000(Rgb.FromHex(r.Was), dress) < 5, $"frame {f}: neighbours agree on {r.Was}");
            });

        // the fixes: flips repainted, the pop drawn again, the flicker evened
        var (repaired, fixes, _) = FrameRepair.Repair(i => frames[i], Frames, W, H, report, metrics, t, applyDeflicker: true);
        foreach (var fix in fixes) output.WriteLine($"fix {fix.Frame}: {fix.Kind} — {fix.Detail}");
        Assert.Equal(FlipFrames, fixes.Where(f => f.Kind == "repaint-from-neighbours").Select(f => f.Frame));
        Assert.Equal([PopFrame], fixes.Where(f => f.Kind == "reinbetween").Select(f => f.Frame));
        Assert.Subset(FlickerFrames.ToHashSet(), fixes.Where(f => f.Kind == "deflicker-gain").Select(f => f.Frame).ToHashSet());
        var after = frames.Select((f, i) => repaired.TryGetValue(i, out var r) ? r : f).ToArray();
        foreach (int f in FlipFrames.Append(PopFrame))
        {
            double psnrBefore = Psnr(frames[f], Clean.Value[f]), psnrAfter = Psnr(after[f], Clean.Value[f]);
            output.WriteLine($"frame {f}: PSNR against the clean render {psnrBefore:0.0} dB -> {psnrAfter:0.0} dB");
            Assert.True(psnrAfter > psnrBefore + 3 && psnrAfter > 28, $"frame {f}: {psnrBefore:0.0} -> {psnrAfter:0.0} dB");
        }
        var (_, temporalAfter, reportAfter) = Judge(after, t);
        Log(temporalAfter, reportAfter);
        Assert.True(reportAfter.Passed, string.Join("; ", reportAfter.Findings));
        output.WriteLine($"total {sw.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Ciede2000_matches_the_published_test_pairs()
    {
        // Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17 and 25
        Assert.InRange(ColourDifference.DeltaE2000(new Lab(50f, 2.6772f, -79.7751f), new Lab(50f, 0f, -82.7485f)), 2.0415f, 2.0435f);
        Assert.Equal(0f, ColourDifference.DeltaE2000(new Lab(50f, 0f, 0f), new Lab(50f, 0f, 0f)), 4);
        Assert.InRange(ColourDifference.DeltaE2000(new Lab(50f, 2.5f, 0f), new Lab(73f, 25f, -18f)), 27.148f, 27.150f);
        Assert.InRange(ColourDifference.DeltaE2000(new Lab(60.2574f, -34.0099f, 36.2677f), new Lab(60.4626f, -34.1751f, 39.4387f)), 1.2634f, 1.2654f);
        var lab = ColourDifference.ToLab(0.2f, 0.5f, 0.1f);
        var back = ColourDifference.FromLab(lab);
        Assert.Equal(0.2f, back.R, 3); Assert.Equal(0.5f, back.G, 3); Assert.Equal(0.1f, back.B, 3);
    }

    /// <summary>PSNR of two 8-bit buffers in dB (100 when identical): the project's one measure.</summary>
    internal static double Psnr(byte[] a, byte[] b) => Talos.Gpu.Protoforge.FrameComparison.Psnr(a, b);
}
