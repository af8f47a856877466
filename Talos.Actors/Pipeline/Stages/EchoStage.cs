using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// ECHO: measures the shot's final frames (black frames, frozen runs, temporal flicker by flow-warping error, and
/// with <see cref="TemporalChecks"/> colour flips, popped frames and the warping error), writes the JSON report to the
/// vault with every defect and fix by frame, repairs flipped and popped frames from their neighbours (the repaired
/// frames and the frame list with them in go to the vault: <c>repairedFrames</c>, <c>repairedFramesHash</c>), and —
/// when a failure is one a re-render can correct (dark frames, flicker) — proposes per-frame exposure gains; the shot
/// then sends the affected ANIMA chunks back. A shot with
/// background <c>none</c> is measured over black (its 8-bit frames) without the black-frame check: empty or sparse
/// transparent frames are not defects, and no frame is brightened for being dark.
/// </summary>
public sealed class EchoStage : IStageRunner
{
    public static readonly EchoThresholds Thresholds = new();

    public string Stage => Stages.Echo;
    public IReadOnlyList<string> DependsOn => [Stages.Cuttura];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.Single(Stage, spec.FrameCount);

    public ChunkManifest Run(ChunkContext ctx)
    {
        bool transparent = ctx.Spec.Background == Backgrounds.None;
        var thresholds = transparent ? Thresholds with { JudgeBlack = false } : Thresholds;
        var cut = Notes.Read<CutOutcome>(ctx.Manifests(Stages.Cuttura)[0].Note, "CUTTURA");
        var finals = ctx.Vault.GetJson<List<string>>(cut.FramesHash);
        var metrics = new List<FrameMetrics>(finals.Count);
        byte[] previous = [];
        for (int i = 0; i < finals.Count; i++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var (rgb, w, h) = FrameCodec.DecodeRgb24(ctx.Vault.Get(finals[i]));
            var m = QualityMeter.Measure(i, rgb, previous, w, h);
            metrics.Add(m);
            previous = rgb;
        }
        int width = 0, height = 0;
        byte[] Frame(int i)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var (rgb, w, h) = FrameCodec.DecodeRgb24(ctx.Vault.Get(finals[i]));
            (width, height) = (w, h);
            return rgb;
        }
        if (finals.Count > 0) Frame(0);
        var temporal = thresholds.JudgeTemporal && finals.Count >= 3
            ? TemporalChecks.Measure(Frame, finals.Count, width, height, thresholds, i => i > 0 && metrics[i].SameAsPrevious(thresholds), ctx.Cancellation)
            : [];
        var report = QualityMeter.Evaluate(metrics, temporal, thresholds);
        var (gains, correctable) = Corrections.Plan(metrics, report, thresholds, ctx.Revision, ctx.FrameGains);

        // Targeted fixes: flips repainted and pops drawn again from their neighbours (the repaired frames go to the
        // vault, listed by frame); flicker and dark frames get the gains a re-render applies.
        var (repaired, repairs) = report.Defects is { Count: > 0 } defects && defects.Any(d => d.Kind is "colour-flip" or "pop")
            ? FrameRepair.Repair(Frame, finals.Count, width, height, report, metrics, thresholds, ct: ctx.Cancellation)
            : (new Dictionary<int, byte[]>(), []);
        var fixes = repairs.Where(f => f.Kind != "deflicker-gain").ToList();
        foreach (var (frame, gain) in gains.OrderBy(g => g.Key))
            fixes.Add(new EchoFix(frame, metrics[frame].Black ? "exposure-gain" : "deflicker-gain",
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"re-render with linear light × {gain:0.###}")));
        fixes.Sort((a, b) => a.Frame.CompareTo(b.Frame));
        report = report.WithFixes(fixes);
        var repairedFrames = repaired.OrderBy(r => r.Key)
            .ToDictionary(r => r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), r => ctx.Vault.Put(FrameCodec.EncodeRgb24(r.Value, width, height), "echo-repaired-frame"));
        string? repairedList = repairedFrames.Count == 0 ? null
            : ctx.Vault.PutJson(finals.Select((h, i) => repairedFrames.GetValueOrDefault(i.ToString(System.Globalization.CultureInfo.InvariantCulture), h)).ToList(), "echo-repaired-frames");
        var reportHash = ctx.Vault.PutJson(new { shot = ctx.Spec.Id, revision = ctx.Revision, thresholds, report, repairedFrames, repairedFramesHash = repairedList }, "echo-report");
        var summary = report.Passed ? "passed" : string.Join("; ", report.Findings);
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["report"] = reportHash })],
            Note: Notes.Write(new EchoOutcome(report.Passed, correctable, report.FailingFrames, gains, summary, reportHash)));
    }
}
