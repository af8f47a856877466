using System.Globalization;

namespace Talos.Gpu.Echo;

/// <summary>
/// Turns per-frame metrics into findings. Black: mean luma under the limit (unless the thresholds say not to judge it).
/// Frozen: a run of at least FrozenRun
/// identical frames in a clip that animates somewhere (a still shot is not frozen; runs of black are reported as black).
/// Flicker: a frame whose unexplained brightness change exceeds the limit AND that is a brightness reversal (brighter
/// or darker than both neighbours by half the limit): pumping and single-frame flashes fail, fades and cuts do not.
/// </summary>
static class ClipVerdict
{
    const int ListedFlickers = 5;

    public static EchoReport Judge(IReadOnlyList<FrameMetrics> m, EchoThresholds t)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(t);
        var findings = new List<string>();
        var failing = new SortedSet<int>();
        var ci = CultureInfo.InvariantCulture;

        // black frames, reported as ranges
        var black = new List<int>();
        for (int i = 0; i < m.Count; i++) if (t.JudgeBlack && m[i].MeanLuma < t.BlackLuma) black.Add(i);
        if (black.Count > 0)
        {
            findings.Add($"{black.Count} black frame{(black.Count == 1 ? "" : "s")} ({Ranges(black)})");
            failing.UnionWith(black);
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
                findings.Add($"frozen for {length} frames from frame {start}");
                for (int i = start + 1; i <= end; i++) failing.Add(i);
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

        double lumaSum = 0;
        foreach (var f in m) lumaSum += f.MeanLuma;
        return new EchoReport(findings.Count == 0, findings, failing.ToList(), m.Count, black.Count, longest,
            maxFlicker, maxFlickerFrame, m.Count == 0 ? 0f : (float)(lumaSum / m.Count));
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
