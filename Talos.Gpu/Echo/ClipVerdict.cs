using System.Globalization;

namespace Talos.Gpu.Echo;

/// <summary>
/// Turns per-frame metrics into findings. Black: mean luma under the limit (unless the thresholds say not to judge it).
/// Frozen: a run of at least FrozenRun
/// identical frames in a clip that animates somewhere (a still shot is not frozen; runs of black are reported as black).
/// Flicker: a frame whose unexplained brightness change exceeds the limit AND that is a brightness reversal (brighter
/// or darker than both neighbours by half the limit): pumping and single-frame flashes fail, fades and cuts do not.
/// With temporal metrics (<see cref="TemporalChecks"/>): colour flips, popped frames and boiling lines too.
/// </summary>
static class ClipVerdict
{
    const int ListedFlickers = 5;

    public static EchoReport Judge(IReadOnlyList<FrameMetrics> m, EchoThresholds t, IReadOnlyList<TemporalMetrics>? temporal = null,
        Func<int, bool>? specHolds = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(t);
        var findings = new List<string>();
        var defects = new List<EchoDefect>();
        var failing = new SortedSet<int>();
        var ci = CultureInfo.InvariantCulture;

        // black frames, reported as ranges
        var black = new List<int>();
        for (int i = 0; i < m.Count; i++) if (t.JudgeBlack && m[i].MeanLuma < t.BlackLuma) black.Add(i);
        if (black.Count > 0)
        {
            findings.Add($"{black.Count} black frame{(black.Count == 1 ? "" : "s")} ({Ranges(black)})");
            failing.UnionWith(black);
            foreach (int i in black) defects.Add(new EchoDefect(i, "black", m[i].MeanLuma, $"mean luma under {t.BlackLuma}"));
        }

        // frozen runs: frames identical to the one before
        bool animates = false;
        for (int i = 1; i < m.Count; i++) animates |= !m[i].SameAsPrevious(t);
        int longest = m.Count > 0 ? 1 : 0;
        for (int start = 0; start < m.Count;)
        {
            int end = start;
            while (end + 1 < m.Count && m[end + 1].SameAsPrevious(t)) end++;
            int length = end - start + 1;
            longest = Math.Max(longest, length);
            bool allBlack = true;
            for (int i = start; i <= end; i++) allBlack &= m[i].MeanLuma < t.BlackLuma;
            if (animates && length >= t.FrozenRun && !allBlack)
            {
                // the cause: the spec holds a key over the whole run (the animation holds), or it moves (frames duplicated)
                string cause = specHolds is null ? "cause unknown"
                    : Enumerable.Range(start, length).All(specHolds) ? "cause: a held key (FLUX holds the spec's key)"
                    : "cause: duplicated frames where the spec moves (a stalled or repeating stage)";
                findings.Add($"frozen for {length} frames from frame {start} ({cause})");
                for (int i = start + 1; i <= end; i++) failing.Add(i);
                for (int i = start + 1; i <= end; i++) defects.Add(new EchoDefect(i, "frozen", length, $"frozen run of {length} frames from frame {start}; {cause}"));
            }
            start = end + 1;
        }

        // flicker: reversals of brightness that motion does not explain
        float maxFlicker = 0f;
        int maxFlickerFrame = -1;
        var flickers = new List<int>();
        for (int i = 1; i < m.Count; i++)
        {
            if (m[i].Flicker > maxFlicker) { maxFlicker = m[i].Flicker; maxFlickerFrame = i; }
            if (m[i].Flicker > t.FlickerLimit && IsReversal(m, i, t)) flickers.Add(i);
        }
        foreach (int i in flickers.Take(ListedFlickers))
            findings.Add(string.Format(ci, "flicker {0:0.###} at frame {1} exceeds {2:0.###}", m[i].Flicker, i, t.FlickerLimit));
        if (flickers.Count > ListedFlickers) findings.Add($"… and flicker at {flickers.Count - ListedFlickers} more frames");
        failing.UnionWith(flickers);
        foreach (int i in flickers)
            defects.Add(new EchoDefect(i, "flicker", m[i].Flicker, string.Format(ci, "brightness {0:+0.###;-0.###} not explained by motion", m[i].BrightnessShift)));

        var suspects = new List<EchoDefect>();
        var j = temporal is null || !t.JudgeTemporal ? new TemporalJudgement(0, 0, 0f, 0f, -1, null, null, null, 0)
            : JudgeTemporal(temporal, t, findings, defects, suspects, failing);

        double lumaSum = 0;
        foreach (var f in m) lumaSum += f.MeanLuma;
        defects.Sort((a, b) => a.Frame != b.Frame ? a.Frame.CompareTo(b.Frame) : string.CompareOrdinal(a.Kind, b.Kind));
        return new EchoReport(findings.Count == 0, findings, failing.ToList(), m.Count, black.Count, longest,
            maxFlicker, maxFlickerFrame, m.Count == 0 ? 0f : (float)(lumaSum / m.Count),
            defects, [], j.Flips, j.Pops, j.MedianWarp, j.MaxWarp, j.MaxWarpFrame, suspects,
            temporal is null ? 0 : temporal.Count(f => f.Screened && f.Frame > 0 && f.Frame < temporal.Count - 1),
            j.TypicalDeep, j.MedianLines, j.MinLines, j.LineBoilFrames);
    }

    sealed record TemporalJudgement(int Flips, int Pops, float MedianWarp, float MaxWarp, int MaxWarpFrame, float? TypicalDeep,
        float? MedianLines, float? MinLines, int LineBoilFrames);

    /// <summary>
    /// The shot's typical deep distance between consecutive frames: the median over the measured pairs that touch no
    /// screened frame (the screened ones are under suspicion), or over all measured pairs when every one does; null without any.
    /// </summary>
    static float? TypicalDeep(IReadOnlyList<TemporalMetrics> tm)
    {
        var all = tm.Where(f => f.Deep is not null).ToList();
        var quiet = all.Where(f => !f.Screened && (f.Frame + 1 >= tm.Count || !tm[f.Frame + 1].Screened)).ToList();
        var values = (quiet.Count > 0 ? quiet : all).Select(f => f.Deep!.Value).OrderBy(v => v).ToList();
        return values.Count == 0 ? null : values[values.Count / 2];
    }

    /// <summary>
    /// Whether ResNet-18 confirms a pop at frame i (null when the distances are not there: then the pre-screen confirms):
    /// far from both neighbours (each distance over <see cref="EchoThresholds.DeepPopRatio"/> times the shot's typical one)
    /// while the neighbours are close to each other (at most <see cref="EchoThresholds.DeepNeighbourShare"/> of the smaller).
    /// </summary>
    static (bool Confirmed, string Detail)? DeepPop(IReadOnlyList<TemporalMetrics> tm, int i, float? typical, EchoThresholds t)
    {
        if (typical is not { } typ || tm[i - 1].Deep is not { } before || tm[i].Deep is not { } after || tm[i].DeepNeighbours is not { } across) return null;
        return (TemporalChecks.DeepPop(before, after, across, typ, t), string.Format(CultureInfo.InvariantCulture,
            "deep distance {0:0.####} from frame {1} and {2:0.####} to frame {3} (the shot's typical {4:0.####}), {5:0.####} between them",
            before, i - 1, after, i + 1, typ, across));
    }

    /// <summary>The clip's median pop score over the frames the flow measures ran on (the others passed the pre-screen: nothing new in them).</summary>
    static float PopMedian(IReadOnlyList<TemporalMetrics> tm)
    {
        var scores = tm.Where(f => f.Screened && !f.Held && f.Frame > 0 && f.Frame < tm.Count - 1).Select(f => f.PopScore).OrderBy(s => s).ToList();
        return scores.Count == 0 ? 0f : scores[scores.Count / 2];
    }

    /// <summary>
    /// The frames suspected of a pop, which a second measure (ResNet-18, or the pre-screen) then confirms or not: a pop
    /// score over the limit, over <c>PopRatio</c> times the clip's median and above both neighbours', on a screened frame
    /// that is not held and has no confirmed flip (a flipped frame is repainted, not judged for a pop: the rest of its jump is the flip's).
    /// </summary>
    public static List<int> PopSuspects(IReadOnlyList<TemporalMetrics> tm, EchoThresholds t)
    {
        ArgumentNullException.ThrowIfNull(tm);
        ArgumentNullException.ThrowIfNull(t);
        float median = PopMedian(tm);
        var suspects = new List<int>();
        for (int i = 1; i + 1 < tm.Count; i++)
        {
            float s = tm[i].PopScore;
            if (tm[i].Held || !tm[i].Screened || s <= t.PopLimit || s <= t.PopRatio * median) continue;
            if (s <= tm[i - 1].PopScore || s <= tm[i + 1].PopScore || tm[i].Flips.Any(r => r.Confirmed)) continue;
            suspects.Add(i);
        }
        return suspects;
    }

    /// <summary>
    /// Colour flips (every frame with a flipped region, unless a neighbour popped), pops (a pop score over the limit, over <c>PopRatio</c> times
    /// the clip's median and above both neighbours': one bad frame stands out from the frames around it; confirmed by
    /// ResNet-18's distances where ECHO has the model, by the pre-screen otherwise) and boiling lines (the clip's median
    /// warping error over the limit; a run of pairs whose line stability is under the limit).
    /// </summary>
    static TemporalJudgement JudgeTemporal(IReadOnlyList<TemporalMetrics> tm, EchoThresholds t,
        List<string> findings, List<EchoDefect> defects, List<EchoDefect> suspects, SortedSet<int> failing)
    {
        float? typicalDeep = TypicalDeep(tm);
        var ci = CultureInfo.InvariantCulture;
        float median = PopMedian(tm);
        var pops = new List<int>();
        foreach (int i in PopSuspects(tm, t))
        {
            float s = tm[i].PopScore;
            // the second measure: ResNet-18's distances where ECHO has the model, else the pre-screen's share of new colour
            var deep = DeepPop(tm, i, typicalDeep, t);
            bool confirmed = deep?.Confirmed ?? tm[i].Novel >= t.PopConfirm;
            if (confirmed) pops.Add(i);
            string second = deep is { } d
                ? d.Detail + (d.Confirmed ? "" : string.Format(ci, ": not far from both (×{0:0.#}) with the neighbours close (≤ {1:0.##} of it)", t.DeepPopRatio, t.DeepNeighbourShare))
                : string.Format(ci, "pre-screen: {0:0.###}% new colour{1}", 100 * tm[i].Novel,
                    confirmed ? "" : ", under the confirming " + (100 * t.PopConfirm).ToString("0.###", ci) + "%");
            (confirmed ? defects : suspects).Add(new EchoDefect(i, "pop", s, string.Format(ci,
                "{0:0.##}% of the frame jumps away from what both neighbours agree on (clip median {1:0.##}%); {2}",
                100 * s, 100 * median, second)));
        }

        // a flip is judged against neighbours that are sound: next to a popped frame the "agreement" is the pop's
        var flipFrames = new List<int>();
        foreach (var f in tm)
        {
            if (f.Flips.Count == 0 || pops.Contains(f.Frame - 1) || pops.Contains(f.Frame + 1)) continue;
            if (f.Flips.Any(r => r.Confirmed)) flipFrames.Add(f.Frame);
            foreach (var r in f.Flips)
                (r.Confirmed ? defects : suspects).Add(new EchoDefect(f.Frame, "colour-flip", r.DeltaE, string.Format(ci,
                    "region of {0} px at ({1},{2})–({3},{4}) painted {5} where its neighbours agree on {6} (ΔE00 {7:0.#}){8}",
                    r.Area, r.X0, r.Y0, r.X1, r.Y1, r.Became, r.Was, r.DeltaE, r.Confirmed ? "" : "; the pre-screen found no new colour there")));
        }
        if (flipFrames.Count > 0)
        {
            findings.Add($"colour flip{(flipFrames.Count == 1 ? "" : "s")} at frame{(flipFrames.Count == 1 ? "" : "s")} {Ranges(flipFrames)}");
            failing.UnionWith(flipFrames);
        }
        if (pops.Count > 0)
        {
            findings.Add($"popped frame{(pops.Count == 1 ? "" : "s")} {Ranges(pops)}");
            failing.UnionWith(pops);
        }
        // the suspects are not findings: a shot with nothing confirmed passes

        var warps = tm.Take(Math.Max(0, tm.Count - 1)).Where(f => f.Warped).Select(f => f.WarpError).OrderBy(w => w).ToList();
        float medianWarp = warps.Count == 0 ? 0f : warps[warps.Count / 2];
        float maxWarp = 0f;
        int maxWarpFrame = -1;
        for (int i = 0; i + 1 < tm.Count; i++)
            if (tm[i].WarpError > maxWarp) { maxWarp = tm[i].WarpError; maxWarpFrame = i; }
        if (medianWarp > t.BoilWarpError)
        {
            findings.Add(string.Format(ci, "lines boil: median warping error {0:0.####} exceeds {1:0.####}", medianWarp, t.BoilWarpError));
            for (int i = 0; i + 1 < tm.Count; i++)
                if (tm[i].WarpError > t.BoilWarpError) defects.Add(new EchoDefect(i, "boil", tm[i].WarpError, "warping error against the next frame"));
        }
        var (medianLines, minLines, boilFrames) = JudgeLines(tm, t, pops, findings, defects, failing);
        return new TemporalJudgement(flipFrames.Count, pops.Count, medianWarp, maxWarp, maxWarpFrame, typicalDeep, medianLines, minLines, boilFrames);
    }

    /// <summary>
    /// Boiling lines: a run of at least <see cref="EchoThresholds.LineRun"/> measured pairs in a row (pairs with a popped
    /// frame left out: its lines jump by being a pop) whose line stability is under <see cref="EchoThresholds.LineStability"/>
    /// fails the frames from the run's first pair to its last. Returns the clip's median and lowest stability and the frames failed.
    /// </summary>
    static (float? Median, float? Min, int Frames) JudgeLines(IReadOnlyList<TemporalMetrics> tm, EchoThresholds t, List<int> pops,
        List<string> findings, List<EchoDefect> defects, SortedSet<int> failing)
    {
        var ci = CultureInfo.InvariantCulture;
        var measured = tm.Where(f => f.LineStability is not null && !pops.Contains(f.Frame) && !pops.Contains(f.Frame + 1)).ToList();
        if (measured.Count == 0) return (null, null, 0);
        var sorted = measured.Select(f => f.LineStability!.Value).OrderBy(v => v).ToList();
        int frames = 0;
        for (int a = 0; a < measured.Count;)
        {
            if (measured[a].LineStability >= t.LineStability) { a++; continue; }
            int b = a;
            while (b + 1 < measured.Count && measured[b + 1].LineStability < t.LineStability) b++;
            if (b - a + 1 >= t.LineRun)
            {
                int first = measured[a].Frame, last = measured[b].Frame + 1;
                var run = measured.Skip(a).Take(b - a + 1).ToList();
                findings.Add(string.Format(ci, "lines boil at frames {0}–{1}: line stability {2:0.##} (lowest) under {3:0.##} on {4} measured pairs in a row",
                    first, last, run.Min(f => f.LineStability!.Value), t.LineStability, run.Count));
                foreach (var f in run)
                    defects.Add(new EchoDefect(f.Frame, "line-boil", f.LineStability!.Value, string.Format(ci,
                        "{0:0.#}% of the lines land on a line of frame {1} along the flow (boiling under {2:0.#}%)", 100 * f.LineStability, f.Frame + 1, 100 * t.LineStability)));
                for (int i = first; i <= last; i++) failing.Add(i);
                frames += last - first + 1;
            }
            a = b + 1;
        }
        return (sorted[sorted.Count / 2], sorted[0], frames);
    }

    /// <summary>Frame i is brighter (or darker) than both neighbours by at least half the flicker limit, relatively.</summary>
    static bool IsReversal(IReadOnlyList<FrameMetrics> m, int i, EchoThresholds t)
    {
        if (i + 1 >= m.Count) return false;
        float l = m[i].MeanLuma, before = m[i - 1].MeanLuma, after = m[i + 1].MeanLuma;
        float floor = t.BlackLuma, margin = 0.5f * t.FlickerLimit;
        float up = (l - before) / MathF.Max(before, floor), down = (l - after) / MathF.Max(after, floor);
        return (up > margin && down > margin) || (up < -margin && down < -margin);
    }

    /// <summary>"3, 7–9, 12".</summary>
    static string Ranges(List<int> sorted)
    {
        var parts = new List<string>();
        for (int a = 0; a < sorted.Count;)
        {
            int b = a;
            while (b + 1 < sorted.Count && sorted[b + 1] == sorted[b] + 1) b++;
            parts.Add(a == b ? $"{sorted[a]}" : $"{sorted[a]}–{sorted[b]}");
            a = b + 1;
        }
        return string.Join(", ", parts);
    }
}
