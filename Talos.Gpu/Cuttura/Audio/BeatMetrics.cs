namespace Talos.Gpu.Cuttura.Audio;

/// <summary>Beat-tracking scores as MIREX and mir_eval define them.</summary>
public static class BeatMetrics
{
    /// <summary>The MIREX tolerance window: a detected beat within ±70 ms of a true one is a hit.</summary>
    public const double Window = 0.070;

    /// <summary>
    /// F-measure of <paramref name="detected"/> against <paramref name="reference"/>: beats paired one to one within
    /// ±<paramref name="window"/> s (in time order, nearest first: exact when beats are further apart than twice the
    /// window, as any tempo under 428 BPM is), F = 2PR/(P+R). Beats before <paramref name="skip"/> s are ignored on both
    /// sides (mir_eval skips the first 5 s). Both empty: 1; one empty: 0.
    /// </summary>
    public static double FMeasure(IReadOnlyList<double> reference, IReadOnlyList<double> detected, double window = Window, double skip = 0)
    {
        var r = reference.Where(t => t >= skip).Order().ToArray();
        var d = detected.Where(t => t >= skip).Order().ToArray();
        if (r.Length == 0 && d.Length == 0) return 1;
        if (r.Length == 0 || d.Length == 0) return 0;
        int hits = 0, j = 0;
        foreach (var t in r)
        {
            while (j < d.Length && d[j] < t - window) j++;
            if (j < d.Length && Math.Abs(d[j] - t) <= window)
            {
                // the nearer of this and the next detection, if the next is also inside
                if (j + 1 < d.Length && Math.Abs(d[j + 1] - t) < Math.Abs(d[j] - t)) j++;
                hits++; j++;
            }
        }
        double p = (double)hits / d.Length, rc = (double)hits / r.Length;
        return p + rc == 0 ? 0 : 2 * p * rc / (p + rc);
    }
}
