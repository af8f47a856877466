using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// ECHO: measures the shot's final frames (black frames, frozen runs, temporal flicker by flow-warping error),
/// writes the JSON report to the vault, and — when a failure is one a re-render can correct (dark frames,
/// flicker) — proposes per-frame exposure gains; the shot then sends the affected ANIMA chunks back.
/// </summary>
public sealed class EchoStage : IStageRunner
{
    public static readonly EchoThresholds Thresholds = new();
    const double TargetLuma = 0.18;

    public string Stage => Stages.Echo;
    public IReadOnlyList<string> DependsOn => [Stages.Cuttura];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.Single(Stage, spec.FrameCount);

    public ChunkManifest Run(ChunkContext ctx)
    {
        var cut = Notes.Read<CutOutcome>(ctx.Manifests(Stages.Cuttura)[0].Note, "CUTTURA");
        var finals = ctx.Vault.GetJson<List<string>>(cut.FramesHash);
        var metrics = new List<FrameMetrics>(finals.Count);
        byte[] previous = [];
        for (int i = 0; i < finals.Count; i++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var (rgb, w, h) = FrameCodec.DecodeRgb24(ctx.Vault.Get(finals[i]));
            metrics.Add(QualityMeter.Measure(i, rgb, previous, w, h));
            previous = rgb;
        }
        var report = QualityMeter.Evaluate(metrics, Thresholds);

        // Corrections a re-render can make. A black frame is first rendered again as it was (a node fault, a lost
        // layer); if it comes back black, its exposure is lifted toward the shot's other frames. Flicker is evened
        // out with deflicker gains. Gains compound over rounds.
        var gains = new Dictionary<int, float>();
        var flickerGains = Corrections.DeflickerGains(metrics.Select(m => m.MeanLuma).ToList(), 3);
        var lit = metrics.Where(m => !m.Black).Select(m => (double)m.MeanLuma).ToList();
        double target = lit.Count > 0 ? lit.Average() : TargetLuma;
        bool rerender = false;
        foreach (var f in report.FailingFrames)
        {
            var m = metrics[f];
            float g = m.Black ? (ctx.Revision == 0 ? 1f : Corrections.ExposureGain(m.MeanLuma, target))
                : m.Flicker > Thresholds.FlickerLimit ? flickerGains[f] : 1f;
            rerender |= m.Black || MathF.Abs(g - 1f) >= 1e-3f;
            if (MathF.Abs(g - 1f) < 1e-3f) continue;
            gains[f] = g * (ctx.FrameGains.TryGetValue(f, out var old) ? old : 1f);
        }
        bool correctable = rerender;
        var reportHash = ctx.Vault.PutJson(new { shot = ctx.Spec.Id, revision = ctx.Revision, thresholds = Thresholds, report }, "echo-report");
        var summary = report.Passed ? "passed" : string.Join("; ", report.Findings);
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["report"] = reportHash })],
            Note: Notes.Write(new EchoOutcome(report.Passed, correctable, report.FailingFrames, gains, summary, reportHash)));
    }
}
