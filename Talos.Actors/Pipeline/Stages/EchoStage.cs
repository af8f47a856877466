using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Gpu.Raygen;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// ECHO: measures the shot's final frames (black frames, frozen runs, temporal flicker by flow-warping error),
/// writes the JSON report to the vault, and — when a failure is one a re-render can correct (dark frames,
/// flicker) — proposes per-frame exposure gains; the shot then sends the affected ANIMA chunks back. A shot with
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
        var report = QualityMeter.Evaluate(metrics, thresholds);
        var (gains, correctable) = Corrections.Plan(metrics, report, thresholds, ctx.Revision, ctx.FrameGains);
        var reportHash = ctx.Vault.PutJson(new { shot = ctx.Spec.Id, revision = ctx.Revision, thresholds, report }, "echo-report");
        var summary = report.Passed ? "passed" : string.Join("; ", report.Findings);
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["report"] = reportHash })],
            Note: Notes.Write(new EchoOutcome(report.Passed, correctable, report.FailingFrames, gains, summary, reportHash)));
    }
}
