namespace Talos.Gpu.Echo;

/// <summary>Exposure gains a re-render can apply to fix what ECHO found.</summary>
public static class Corrections
{
    public const float MinExposureGain = 1f, MaxExposureGain = 16f, MinDeflickerGain = 0.5f, MaxDeflickerGain = 2f;
    /// <summary>Mean luma a black frame's exposure is lifted toward when no frame of the shot is lit.</summary>
    public const double TargetLuma = 0.18;

    /// <summary>
    /// The corrections a re-render can make for a report's failing frames. A black frame is first rendered again as it
    /// was (<paramref name="revision"/> 0: a node fault, a lost layer); if it comes back black, its exposure is lifted
    /// toward the shot's other frames. Flicker is evened out with deflicker gains. Gains compound over rounds
    /// (<paramref name="previous"/>). <c>Rerender</c>: whether any failing frame is worth rendering again.
    /// </summary>
    public static (Dictionary<int, float> Gains, bool Rerender) Plan(IReadOnlyList<FrameMetrics> metrics, EchoReport report,
        EchoThresholds thresholds, int revision, IReadOnlyDictionary<int, float> previous)
    {
        var gains = new Dictionary<int, float>();
        var flickerGains = DeflickerGains(metrics.Select(m => m.MeanLuma).ToList(), 3);
        bool Black(FrameMetrics m) => thresholds.JudgeBlack && m.Black; // a transparent shot's frames are never "black"
        var lit = metrics.Where(m => !Black(m)).Select(m => (double)m.MeanLuma).ToList();
        double target = lit.Count > 0 ? lit.Average() : TargetLuma;
        bool rerender = false;
        foreach (var f in report.FailingFrames)
        {
            var m = metrics[f];
            bool black = Black(m);
            float g = black ? (revision == 0 ? 1f : ExposureGain(m.MeanLuma, target))
                : m.Flicker > thresholds.FlickerLimit ? flickerGains[f] : 1f;
            rerender |= black || MathF.Abs(g - 1f) >= 1e-3f;
            if (MathF.Abs(g - 1f) < 1e-3f) continue;
            gains[f] = g * (previous.TryGetValue(f, out var old) ? old : 1f);
        }
        return (gains, rerender);
    }

    /// <summary>Gain that brings a frame's mean luma to <paramref name="target"/>, clamped to [1, 16]; 16 for a fully black frame.</summary>
    public static float ExposureGain(float meanLuma, double target)
    {
        if (!double.IsFinite(target) || target <= 0) return 1f;
        if (!float.IsFinite(meanLuma)) return 1f;
        if (meanLuma <= 0f) return MaxExposureGain;
        return (float)Math.Clamp(target / meanLuma, MinExposureGain, MaxExposureGain);
    }

    /// <summary>
    /// Per-frame gain that evens out brightness pumping: the local mean luma over ±radius frames divided by the frame's
    /// own luma, clamped to [0.5, 2]. The window is symmetric (narrowed near the clip's ends) with half weight on its two
    /// ends, which cancels a frame-to-frame alternation exactly and leaves steady levels and linear ramps (fades) alone.
    /// The gain is exactly 1 where the frame already matches (within 0.5%), and for black frames (deflicker cannot
    /// invent light).
    /// </summary>
    public static float[] DeflickerGains(IReadOnlyList<float> meanLumas, int radius)
    {
        ArgumentNullException.ThrowIfNull(meanLumas);
        int n = meanLumas.Count;
        var gains = new float[n];
        for (int f = 0; f < n; f++)
        {
            int r = Math.Min(Math.Max(0, radius), Math.Min(f, n - 1 - f));
            double sum = 0, weight = 0;
            for (int k = -r; k <= r; k++)
            {
                double w = r > 0 && Math.Abs(k) == r ? 0.5 : 1.0;
                sum += w * meanLumas[f + k];
                weight += w;
            }
            float local = (float)(sum / weight), l = meanLumas[f];
            float g = l > 1e-6f && float.IsFinite(l) && float.IsFinite(local) ? local / l : 1f;
            gains[f] = MathF.Abs(g - 1f) < 0.005f ? 1f : Math.Clamp(g, MinDeflickerGain, MaxDeflickerGain);
        }
        return gains;
    }
}

/// <summary>
/// ECHO's targeted fixes, made on the finished frames themselves: a colour-flipped frame has its flipped regions
/// repainted from its neighbours (<see cref="TemporalChecks.RepairFlips"/>), a popped frame is drawn again as the FLUX
/// inbetween of its neighbours (<see cref="TemporalChecks.Reinbetween"/>), a flickering frame is evened out by its
/// deflicker gain (<see cref="Corrections.DeflickerGains"/>; applied here only when asked, a re-render applies it
/// otherwise). Frames are fixed in order and a fixed frame is the neighbour its successor is fixed from.
/// </summary>
public static class FrameRepair
{
    /// <summary>The defect kinds repaired here from the neighbours, and the fixes that answer them.</summary>
    public const string FlipKind = "colour-flip", PopKind = "pop", FlickerKind = "flicker",
        RepaintFix = "repaint-from-neighbours", ReinbetweenFix = "reinbetween", DeflickerFix = "deflicker-gain";

    /// <summary>
    /// The fixed frames (by index) and the fixes, for a report's colour flips, pops and (with
    /// <paramref name="applyDeflicker"/>) flicker; at most <paramref name="budget"/> frames are repaired from their
    /// neighbours, in frame order: the flips and pops past it are returned unrepaired (<c>OverBudget</c>).
    /// </summary>
    public static (IReadOnlyDictionary<int, byte[]> Frames, IReadOnlyList<EchoFix> Fixes, IReadOnlyList<EchoDefect> OverBudget) Repair(
        Func<int, byte[]> frame, int count, int width, int height, EchoReport report, IReadOnlyList<FrameMetrics> metrics, EchoThresholds t,
        int budget = int.MaxValue, bool applyDeflicker = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(report);
        var fixedFrames = new Dictionary<int, byte[]>();
        var fixes = new List<EchoFix>();
        var over = new List<EchoDefect>();
        var defects = report.Defects ?? [];
        // the defects are what a second measure confirmed (the rest are the report's suspects): only they are repaired
        var pops = defects.Where(d => d.Kind == PopKind).Select(d => d.Frame).ToHashSet();
        var flips = defects.Where(d => d.Kind == FlipKind).Select(d => d.Frame).ToHashSet();
        var flickers = defects.Where(d => d.Kind == FlickerKind).Select(d => d.Frame).ToHashSet();
        var gains = flickers.Count > 0 ? Corrections.DeflickerGains(metrics.Select(m => m.MeanLuma).ToList(), 3) : [];
        byte[] Frame(int i) => fixedFrames.TryGetValue(i, out var f) ? f : frame(i);
        int repairs = 0;

        for (int i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            bool inside = i > 0 && i + 1 < count;
            if ((pops.Contains(i) || flips.Contains(i)) && inside && repairs >= budget)
                over.AddRange(defects.Where(d => d.Frame == i && d.Kind is PopKind or FlipKind));
            else if (pops.Contains(i) && inside)
            {
                fixedFrames[i] = TemporalChecks.Reinbetween(Frame(i - 1), frame(i + 1), width, height);
                fixes.Add(new EchoFix(i, ReinbetweenFix, $"drawn again as the FLUX inbetween of frames {i - 1} and {i + 1}"));
                repairs++;
            }
            else if (flips.Contains(i) && inside)
            {
                // judged again against the repaired frame before it: a frame next to a flip can read as flipped itself
                var repainted = TemporalChecks.RepairFlips(Frame(i - 1), frame(i), frame(i + 1), width, height, t);
                if (!repainted.AsSpan().SequenceEqual(frame(i)))
                {
                    fixedFrames[i] = repainted;
                    fixes.Add(new EchoFix(i, RepaintFix, $"flipped region{(defects.Count(d => d.Frame == i && d.Kind == FlipKind) == 1 ? "" : "s")} repainted from frames {i - 1} and {i + 1}"));
                    repairs++;
                }
            }
            if (applyDeflicker && flickers.Contains(i) && MathF.Abs(gains[i] - 1f) >= 1e-3f)
            {
                fixedFrames[i] = TemporalChecks.ApplyGain(Frame(i), gains[i]);
                fixes.Add(new EchoFix(i, DeflickerFix, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"linear light × {gains[i]:0.###}")));
            }
        }
        return (fixedFrames, fixes, over);
    }
}
