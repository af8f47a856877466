using System.Globalization;
using Talos.Gpu.Echo;
using Talos.Gpu.Imaging;
using Talos.Gpu.Protoforge;
using Talos.Gpu.Raygen;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Specs;

namespace Talos.Actors.Pipeline.Stages;

using Stages = Talos.Messages.Stages;

/// <summary>
/// ECHO: judges the shot's final frames (<see cref="EchoSupervisor"/>: black frames, frozen runs, flicker, colour
/// flips, popped frames, the warping error), repairs flipped and popped frames from their neighbours within the shot's
/// budget (<see cref="ShotSpec.EchoBudget"/>), and writes the JSON report to the vault with every defect and fix by
/// frame. Repaired frames are what the shot delivers: ECHO files the frame list with them in (the shot's review clip,
/// made on demand by <see cref="ShotClips"/>, is of that list), and its note carries it with each repair and the finding it
/// answered (journalled by the shot as <see cref="ShotFramesRepaired"/>). Only the 8-bit sdr delivery without render
/// passes is repaired: the linear frames of hdr10/prores/png16 and the passes are CUTTURA's, so their defects are
/// reported, not repaired. When a failure is one a re-render can correct (dark frames, flicker), ECHO proposes
/// per-frame exposure gains instead and the shot sends the affected ANIMA chunks back. A shot with background
/// <c>none</c> is measured over black (its 8-bit frames) without the black-frame check.
/// </summary>
public sealed class EchoStage : IStageRunner
{
    public static readonly EchoThresholds Thresholds = new();

    /// <summary>
    /// ECHO's ResNet-18 (<see cref="DeepFeatures.Shared"/>), which confirms pops; null when it is not fetched: ECHO then
    /// judges with its classic measures and the process says so once on standard error, naming the fetch command.
    /// </summary>
    public static DeepFeatures? Deep => DeepFeatures.Shared(w => Console.Error.WriteLine($"warning: ECHO confirms pops without ResNet-18 ({w})"));

    /// <summary>What the report says about the deep features: the model's name, or that they are off and how to fetch them.</summary>
    public static string DeepFeaturesNote(DeepFeatures? deep) =>
        deep is not null ? ModelRegistry.ResNet18.Name : $"off: the pre-screen confirms pops (run `talos models fetch {ModelRegistry.ResNet18.Name}`)";

    /// <summary>Frame buffers ECHO decodes into (<see cref="Rgb24Window"/>): its window of three frames and one spare.</summary>
    public const int WindowFrames = 4;

    public string Stage => Stages.Echo;
    public IReadOnlyList<string> DependsOn => [Stages.Cuttura];
    public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => ChunkPlans.Single(Stage, spec.FrameCount);

    /// <summary>Whether ECHO's repairs can be delivered: the film is made of the 8-bit frames it repairs.</summary>
    public static bool Repairable(ShotSpec spec) => spec.Delivery == "sdr" && spec.Layers is null;

    public ChunkManifest Run(ChunkContext ctx)
    {
        var spec = ctx.Spec;
        bool transparent = spec.Background == Backgrounds.None;
        var thresholds = transparent ? Thresholds with { JudgeBlack = false } : Thresholds;
        var cut = Notes.Read<CutOutcome>(ctx.Manifests(Stages.Cuttura)[0].Note, "CUTTURA");
        var finals = ctx.Vault.GetJson<List<string>>(cut.FramesHash);
        int width = spec.Resolution.Width, height = spec.Resolution.Height;
        // the frames decoded into buffers this run owns: the supervisor's window is three frames (the temporal checks'
        // previous, current and next; a repair's two neighbours and the frame), read in order, so four buffers serve the
        // whole clip; the supervisor keeps no frame past its window and copies what it repairs
        var window = new Rgb24Window(WindowFrames, width, height, i => ctx.Vault.Get(finals[i]));
        byte[] Frame(int i)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            return window[i];
        }
        bool repairable = Repairable(spec);
        int budget = repairable ? Limits.EchoRepairFrames(spec.EchoBudget, finals.Count) : 0;
        var deep = Deep;
        var supervision = EchoSupervisor.Supervise(Frame, finals.Count, width, height, thresholds, budget, ct: ctx.Cancellation,
            specHolds: f => SpecHolds.Held(spec, f), deep: deep);
        var metrics = supervision.Found.Metrics;
        var report = supervision.Found.Report;
        var (gains, correctable) = Corrections.Plan(metrics, report, thresholds, ctx.Revision, ctx.FrameGains);

        // Flicker and dark frames: the gains a re-render applies. Flips and pops: repaired here (unless a re-render comes first).
        var fixes = (report.Fixes ?? []).ToList();
        foreach (var (frame, gain) in gains.OrderBy(g => g.Key))
            fixes.Add(new EchoFix(frame, metrics[frame].Black ? "exposure-gain" : FrameRepair.DeflickerFix,
                string.Create(CultureInfo.InvariantCulture, $"re-render with linear light × {gain:0.###}")));
        var unrepaired = supervision.OverBudget.Select(d => new EchoFix(d.Frame, "none",
            repairable ? $"not repaired: ECHO's budget of {budget} repaired frame{(budget == 1 ? "" : "s")} ({spec.EchoBudget ?? Limits.DefaultEchoBudget} %) is spent"
                : $"not repaired: ECHO repairs the sdr delivery without layers, this shot is {spec.Delivery}{(spec.Layers is null ? "" : " with layers")}"));
        fixes.AddRange(unrepaired.DistinctBy(f => f.Frame));
        fixes.Sort((a, b) => a.Frame.CompareTo(b.Frame));
        report = report.WithFixes(fixes);

        var repairedFrames = correctable ? new Dictionary<string, string>() : supervision.RepairedFrames.OrderBy(r => r.Key)
            .ToDictionary(r => r.Key.ToString(CultureInfo.InvariantCulture), r => ctx.Vault.Put(FrameCodec.EncodeRgb24(r.Value, width, height), "echo-repaired-frame"));
        string? repairedList = null;
        List<EchoRepair>? repairs = null;
        if (repairedFrames.Count > 0)
        {
            var list = finals.Select((h, i) => repairedFrames.GetValueOrDefault(i.ToString(CultureInfo.InvariantCulture), h)).ToList();
            repairedList = ctx.Vault.PutJson(list, "frame-list");
            repairs = fixes.Where(f => f.Kind is FrameRepair.RepaintFix or FrameRepair.ReinbetweenFix)
                .Select(f => new EchoRepair(f.Frame, f.Kind, string.Join("; ", (report.Defects ?? []).Where(d => d.Frame == f.Frame).Select(d => $"{d.Kind}: {d.Detail}"))))
                .ToList();
        }
        var delivered = repairedFrames.Count > 0 ? supervision.Delivered.Report : report;
        bool passed = !correctable && delivered.Passed;
        var reportHash = ctx.Vault.PutJson(new
        {
            shot = spec.Id, revision = ctx.Revision, thresholds, deepFeatures = DeepFeaturesNote(deep), budget = new { percent = spec.EchoBudget ?? Limits.DefaultEchoBudget, frames = budget },
            report, repairedFrames, repairedFramesHash = repairedList,
            afterRepair = repairedFrames.Count > 0 ? supervision.Repaired!.Report : null,
            perFrame = PerFrame(supervision.Found),
        }, "echo-report");
        var summary = report.Passed ? "passed"
            : string.Join("; ", report.Findings) + (repairs is null ? "" : $"; repaired frame{(repairs.Count == 1 ? "" : "s")} {string.Join(", ", repairs.Select(r => r.Frame))}{(delivered.Passed ? " (passes)" : ": " + string.Join("; ", delivered.Findings))}");
        return new ChunkManifest(Stage, 0, 0, [new FrameOutputs(0, new Dictionary<string, string> { ["report"] = reportHash })],
            Note: Notes.Write(new EchoOutcome(passed, correctable, correctable ? report.FailingFrames : delivered.FailingFrames, gains, summary, reportHash,
                repairs, repairedList)));
    }

    /// <summary>
    /// ECHO's measures per frame for the report (and the dashboard): mean luma, flicker, the warping error against the
    /// next frame (null where it was not measured), the pre-screen's share of new colour, whether the flow measures ran
    /// (<c>screened</c>), the pop score, the largest colour jump (ΔE00) of a flipped region, ResNet-18's distance to the
    /// next frame and (screened frames) between the neighbours, and the line stability against the next frame (null
    /// where not measured).
    /// </summary>
    public static IReadOnlyList<EchoFrameMeasures> PerFrame(EchoVerdict v) =>
        v.Metrics.Select(m =>
        {
            var t = m.Frame < v.Temporal.Count ? v.Temporal[m.Frame] : null;
            return new EchoFrameMeasures(m.Frame, m.MeanLuma, m.Flicker, t is { Warped: true } ? t.WarpError : null, t?.Novel ?? 0f,
                t?.Screened ?? false, t?.PopScore ?? 0f, t is null || t.Flips.Count == 0 ? null : t.Flips.Max(f => f.DeltaE),
                t?.Deep, t?.DeepNeighbours, t?.LineStability);
        }).ToList();
}

/// <summary>One frame's line in ECHO's report (<see cref="EchoStage.PerFrame"/>).</summary>
public sealed record EchoFrameMeasures(int Frame, float Luma, float Flicker, float? WarpError, float Novel, bool Screened, float PopScore, float? FlipDeltaE,
    float? DeepDistance = null, float? DeepNeighbours = null, float? LineStability = null);
