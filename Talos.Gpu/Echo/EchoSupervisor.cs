namespace Talos.Gpu.Echo;

/// <summary>ECHO's verdict on a clip: the per-frame metrics, the temporal metrics (empty when they were not measured) and the report.</summary>
public sealed record EchoVerdict(IReadOnlyList<FrameMetrics> Metrics, IReadOnlyList<TemporalMetrics> Temporal, EchoReport Report);

/// <summary>
/// What ECHO did with a clip: its verdict on the frames as they came (<see cref="Found"/>, with every fix made or
/// proposed), the frames it repaired (by index), and its verdict on the clip with them in (<see cref="Repaired"/>;
/// null when nothing was repaired). <see cref="OverBudget"/>: the defects left unrepaired because the repair budget was spent.
/// </summary>
public sealed record EchoSupervision(EchoVerdict Found, IReadOnlyDictionary<int, byte[]> RepairedFrames, EchoVerdict? Repaired,
    IReadOnlyList<EchoDefect> OverBudget)
{
    /// <summary>The verdict on what the clip delivers: the repaired clip's when frames were repaired.</summary>
    public EchoVerdict Delivered => Repaired ?? Found;
}

/// <summary>
/// ECHO as a supervisor, as a plain function of a clip's finished 8-bit sRGB frames: measure them (one pass over the
/// frames: <see cref="QualityMeter.Measure"/> at full size, <see cref="TemporalChecks.Measure"/> on reduced frames),
/// judge them, repair colour flips and popped frames from their neighbours (<see cref="FrameRepair.Repair"/>, at full
/// size, within a budget of repaired frames), and judge the clip again with the repaired frames in.
/// </summary>
public static class EchoSupervisor
{
    /// <summary>
    /// Measures and judges a clip. <paramref name="frame"/> gives frame i's interleaved 8-bit sRGB, asked for once per
    /// frame in order (and again for the frames ResNet-18 compares, when it runs). <paramref name="specHolds"/>: whether the shot's spec holds a key at a frame (<see cref="SpecHolds.Held"/>;
    /// a frozen run's cause). <paramref name="deep"/>: ResNet-18 (<see cref="DeepFeatures.Shared"/>), which confirms pops
    /// by its perceptual distances; null keeps the classic measures (the pre-screen confirms them).
    /// </summary>
    public static EchoVerdict Judge(Func<int, byte[]> frame, int count, int width, int height, EchoThresholds t, CancellationToken ct = default,
        Func<int, bool>? specHolds = null, DeepFeatures? deep = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(t);
        var metrics = new List<FrameMetrics>(count);
        LumaPlane? spare = null; // the plane before the previous one: nothing reads it, the next frame's plane reuses its data
        byte[] previous = [];
        LumaPlane? previousPlane = null;
        // the last frame measured and where it differs from the one before (the frame difference's spans), for its proxy
        (int Frame, RowChanges? Rows) last = (-1, null);
        // Each frame is measured the first time it is asked for; the temporal checks ask in order, one frame ahead of
        // the hold test (whether frame i repeats frame i - 1), so the metrics it needs are there.
        byte[] Measured(int i)
        {
            ct.ThrowIfCancellationRequested();
            var rgb = frame(i);
            if (i == metrics.Count)
            {
                metrics.Add(QualityMeter.Measure(i, rgb, previous, previousPlane, width, height, spare, out var plane, out var rows));
                (previous, previousPlane, spare) = (rgb, plane, previousPlane);
                last = (i, rows);
            }
            return rgb;
        }
        IReadOnlyList<TemporalMetrics> temporal = [];
        if (t.JudgeTemporal && count >= 3)
            temporal = TemporalChecks.Measure(Measured, count, width, height, t, i => i > 0 && metrics[i].SameAsPrevious(t), ct, deep,
                i => last.Frame == i ? last.Rows : null);
        else
            for (int i = 0; i < count; i++) Measured(i);
        return new EchoVerdict(metrics, temporal, QualityMeter.Evaluate(metrics, temporal, t, specHolds));
    }

    /// <summary>
    /// Judges a clip and repairs what it can from the frames themselves: colour flips repainted and popped frames drawn
    /// again from their neighbours, at most <paramref name="repairBudget"/> frames (in frame order; the defects past it
    /// are listed in <see cref="EchoSupervision.OverBudget"/>); then judges the clip again with the repaired frames in.
    /// With <paramref name="applyDeflicker"/> flickering frames are evened out by their deflicker gains here too (the
    /// pipeline re-renders them with those gains instead). The found verdict's report lists the fixes made.
    /// </summary>
    public static EchoSupervision Supervise(Func<int, byte[]> frame, int count, int width, int height, EchoThresholds t,
        int repairBudget, bool applyDeflicker = false, CancellationToken ct = default, Func<int, bool>? specHolds = null, DeepFeatures? deep = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var found = Judge(frame, count, width, height, t, ct, specHolds, deep);
        var defects = found.Report.Defects ?? [];
        if (!defects.Any(d => d.Kind is FrameRepair.FlipKind or FrameRepair.PopKind))
            return new EchoSupervision(found, new Dictionary<int, byte[]>(), null, []);
        var (repaired, fixes, over) = FrameRepair.Repair(frame, count, width, height, found.Report, found.Metrics, t, repairBudget, applyDeflicker, ct);
        found = found with { Report = found.Report.WithFixes(fixes) };
        if (repaired.Count == 0) return new EchoSupervision(found, repaired, null, over);
        var again = Judge(i => repaired.TryGetValue(i, out var f) ? f : frame(i), count, width, height, t, ct, specHolds, deep);
        return new EchoSupervision(found, repaired, again, over);
    }
}
