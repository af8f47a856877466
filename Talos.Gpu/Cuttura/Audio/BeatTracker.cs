namespace Talos.Gpu.Cuttura.Audio;

/// <summary>What the beat tracker found: the mean tempo, beat and downbeat times (seconds), and its working curves.</summary>
public sealed record BeatAnalysis(double Tempo, double[] Beats, double[] Downbeats, int BeatsPerBar)
{
    /// <summary>The onset-strength envelope (z-scored), <see cref="BeatTracker.EnvelopeRate"/> values per second.</summary>
    public float[] Onset { get; init; } = [];
    /// <summary>Local tempo (BPM) per envelope frame, as the dynamic programme followed it.</summary>
    public float[] LocalTempo { get; init; } = [];
    public double Seconds { get; init; }
}

/// <summary>
/// Beat tracking after Ellis (2007), "Beat tracking by dynamic programming", with a tempo that may drift:
/// <list type="number">
/// <item>onset strength: 40-band mel spectrogram (16 kHz, 32 ms Hann window, 10 ms hop) of log-compressed magnitudes
/// log10(1 + 3a) (SuperFlux's compression), first difference half-wave rectified and summed over bands (spectral flux),
/// a one-second moving mean removed (Ellis's DC block), z-scored;</item>
/// <item>tempo: autocorrelation of the envelope weighted by a log-Gaussian prior (centre 120 BPM, one octave), with half
/// the autocorrelation at twice the period folded in (the bar that a beat level implies); then a
/// local tempo every second from 8-second windows, held within half an octave of the global tempo, median-smoothed;</item>
/// <item>beats: the dynamic programme maximises Σ onset(tᵢ) + α Σ −ln²((tᵢ − tᵢ₋₁)/τ(tᵢ)) with the local period τ,
/// so a ramp or a drift is followed; backtracked from the best-scoring late frame; weak beats at both ends trimmed;</item>
/// <item>downbeats: the bar length (3 or 4) and phase whose beats carry the most low-band (kick) onset.</item>
/// </list>
/// A plain function of the samples: no state, no randomness.
/// </summary>
public static class BeatTracker
{
    public const int SampleRate = 16_000, Hop = 160, WindowLength = 512, Bands = 40;
    public const double EnvelopeRate = (double)SampleRate / Hop;
    /// <summary>Ellis's α (librosa's "tightness"): how strongly the beat spacing holds to the local period.</summary>
    public const double Tightness = 100;
    public const double MinBpm = 40, MaxBpm = 240;
    /// <summary>The tempo prior's centre (Ellis: τ₀ = 0.5 s), one octave wide.</summary>
    public const double PriorBpm = 120;
    /// <summary>γ of the log compression log10(1 + γ·magnitude): loud events keep more weight than in decibels.</summary>
    public const double Compression = 3;

    /// <summary>Decodes <paramref name="path"/> through <see cref="AudioDecoder"/> (any format ffmpeg reads) and tracks its beats.</summary>
    public static BeatAnalysis Track(string path, string? what = null) => Track(AudioDecoder.DecodeMono(path, SampleRate, what));

    public static BeatAnalysis Track(PcmAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate != SampleRate) throw new ArgumentException($"the beat tracker reads {SampleRate} Hz audio, not {audio.SampleRate} Hz");
        var spec = new Spectrogram(audio, WindowLength, Hop, Bands, 30, 8000);
        var onset = OnsetEnvelope(spec, 0, Bands);
        double seconds = audio.Seconds;
        if (onset.Length < EnvelopeRate * 2 || Silent(onset))
            return new BeatAnalysis(0, [], [], 4) { Onset = onset, Seconds = seconds };
        double period = GlobalPeriod(onset);
        var local = LocalPeriods(onset, period);
        var beats = DynamicBeats(onset, local);
        var times = beats.Select(b => Math.Round(b / EnvelopeRate, 3)).ToArray();
        int lowBands = spec.BandHz.Count(hz => hz < 160);
        var low = OnsetEnvelope(spec, 0, Math.Max(2, lowBands));
        var (perBar, phase) = Downbeats(beats, low, spec);
        var downbeats = times.Where((_, i) => i % perBar == phase).ToArray();
        double tempo = times.Length > 1 ? 60.0 * (times.Length - 1) / (times[^1] - times[0]) : 60.0 * EnvelopeRate / period;
        return new BeatAnalysis(Math.Round(tempo, 2), times, downbeats, perBar)
        {
            Onset = onset,
            LocalTempo = local.Select(p => (float)(60.0 * EnvelopeRate / p)).ToArray(),
            Seconds = seconds,
        };
    }

    static bool Silent(float[] onset) => onset.All(v => v == 0);

    /// <summary>Spectral flux on the dB mel bands [<paramref name="firstBand"/>, <paramref name="lastBand"/>), local mean removed, z-scored.</summary>
    public static float[] OnsetEnvelope(Spectrogram spec, int firstBand, int lastBand)
    {
        int n = spec.Frames;
        var mel = spec.LogMagnitude(Compression);
        var flux = new double[n];
        for (int f = 1; f < n; f++)
        {
            double s = 0;
            var a = mel[f]; var b = mel[f - 1];
            for (int k = firstBand; k < lastBand; k++) s += Math.Max(0, a[k] - b[k]);
            flux[f] = s;
        }
        // Ellis's DC-blocking filter, as a centred one-second moving mean (no phase delay)
        var mean = MovingMean(flux, (int)EnvelopeRate);
        var o = new double[n];
        for (int f = 0; f < n; f++) o[f] = Math.Max(0, flux[f] - mean[f]);
        double m = o.Average(), sd = Math.Sqrt(o.Sum(v => (v - m) * (v - m)) / n);
        var z = new float[n];
        if (sd <= 1e-9) return z;
        for (int f = 0; f < n; f++) z[f] = (float)(o[f] / sd);
        return z;
    }

    static double[] MovingMean(double[] x, int width)
    {
        int n = x.Length, half = width / 2;
        var prefix = new double[n + 1];
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + x[i];
        var m = new double[n];
        for (int i = 0; i < n; i++)
        {
            int lo = Math.Max(0, i - half), hi = Math.Min(n, i + half + 1);
            m[i] = (prefix[hi] - prefix[lo]) / (hi - lo);
        }
        return m;
    }

    static int MinLag => (int)Math.Floor(60 * EnvelopeRate / MaxBpm);
    static int MaxLag => (int)Math.Ceiling(60 * EnvelopeRate / MinBpm);

    /// <summary>Unbiased autocorrelation of <paramref name="o"/>[start, end) for lags up to <see cref="MaxLag"/>·2.</summary>
    static double[] Autocorrelation(float[] o, int start, int end)
    {
        int maxLag = Math.Min(2 * MaxLag + 2, end - start - 1);
        var ac = new double[2 * MaxLag + 3];
        for (int lag = 1; lag <= maxLag; lag++)
        {
            double s = 0;
            for (int t = start + lag; t < end; t++) s += o[t] * o[t - lag];
            ac[lag] = s / (end - start - lag);
        }
        return ac;
    }

    static double Prior(double lag, double centreLag, double octaves) =>
        Math.Exp(-0.5 * Math.Pow(Math.Log2(lag / centreLag) / octaves, 2));

    /// <summary>How well the envelope repeats at <paramref name="lag"/>, with its double and half (the metrical neighbours) folded in.</summary>
    static double Salience(double[] ac, int lag)
    {
        double s = ac[lag];
        if (2 * lag + 1 < ac.Length) s += 0.5 * Math.Max(ac[2 * lag - 1], Math.Max(ac[2 * lag], ac[2 * lag + 1]));
        return s;
    }

    /// <summary>The global beat period in envelope frames (sub-frame, by a parabola through the peak).</summary>
    public static double GlobalPeriod(float[] onset)
    {
        var ac = Autocorrelation(onset, 0, onset.Length);
        return BestLag(ac, lag => Prior(lag, 60 * EnvelopeRate / PriorBpm, 1.0));
    }

    static double BestLag(double[] ac, Func<int, double> weight)
    {
        int best = -1; double bestScore = double.NegativeInfinity;
        var score = new double[MaxLag + 2];
        for (int lag = MinLag; lag <= MaxLag; lag++)
        {
            score[lag] = Salience(ac, lag) * weight(lag);
            if (score[lag] > bestScore) { bestScore = score[lag]; best = lag; }
        }
        if (best <= MinLag || best >= MaxLag) return Math.Max(best, MinLag);
        double a = score[best - 1], b = score[best], c = score[best + 1];
        double d = a - 2 * b + c;
        return d < 0 ? best + 0.5 * (a - c) / d : best;
    }

    /// <summary>The local beat period per envelope frame: 8-second windows each second, kept near the global period, median-smoothed.</summary>
    public static double[] LocalPeriods(float[] onset, double globalPeriod)
    {
        int n = onset.Length, win = (int)(8 * EnvelopeRate), step = (int)EnvelopeRate;
        var result = new double[n];
        if (n <= win + step) { Array.Fill(result, globalPeriod); return result; }
        var centres = new List<int>();
        var periods = new List<double>();
        for (int start = 0; start + win <= n; start += step)
        {
            var ac = Autocorrelation(onset, start, start + win);
            periods.Add(BestLag(ac, lag => Prior(lag, globalPeriod, 0.25)));
            centres.Add(start + win / 2);
        }
        // a median over five windows drops a window that locked onto a fill
        var smooth = periods.Select((_, i) =>
        {
            var w = periods.Skip(Math.Max(0, i - 2)).Take(Math.Min(periods.Count, i + 3) - Math.Max(0, i - 2)).Order().ToList();
            return w[w.Count / 2];
        }).ToList();
        for (int t = 0; t < n; t++)
        {
            if (t <= centres[0]) { result[t] = smooth[0]; continue; }
            if (t >= centres[^1]) { result[t] = smooth[^1]; continue; }
            int i = (t - centres[0]) / step;
            double u = (double)(t - centres[i]) / step;
            result[t] = smooth[i] + (smooth[Math.Min(i + 1, smooth.Count - 1)] - smooth[i]) * u;
        }
        return result;
    }

    /// <summary>Ellis's dynamic programme with a per-frame period; returns beat frames in order.</summary>
    public static int[] DynamicBeats(float[] onset, double[] period)
    {
        int n = onset.Length;
        // smooth the onset lightly (a Gaussian of ~period/32, as librosa) so a beat's score is not one frame wide
        var local = GaussianSmooth(onset, Math.Max(1.0, period.Average() / 32));
        var score = new double[n];
        var back = new int[n];
        for (int t = 0; t < n; t++)
        {
            double tau = period[t];
            int lo = t - (int)Math.Round(2 * tau), hi = t - (int)Math.Round(tau / 2);
            double best = 0; int arg = -1;
            for (int p = Math.Max(0, lo); p <= hi; p++)
            {
                double l = Math.Log((t - p) / tau);
                double s = score[p] - Tightness * l * l;
                if (arg < 0 || s > best) { best = s; arg = p; }
            }
            // a beat with no good predecessor starts a fresh chain (the start of the music)
            if (arg < 0 || best < 0) { score[t] = local[t]; back[t] = -1; }
            else { score[t] = local[t] + best; back[t] = arg; }
        }
        // the last beat: the best-scoring frame within one period of the end whose score is a local maximum
        int end = n - 1;
        double lastTau = period[n - 1];
        int from = Math.Max(0, n - 1 - (int)Math.Ceiling(lastTau));
        double top = double.NegativeInfinity;
        for (int t = from; t < n; t++)
            if (score[t] > top && local[t] > 0) { top = score[t]; end = t; }
        var beats = new List<int>();
        for (int t = end; t >= 0; t = back[t]) beats.Add(t);
        beats.Reverse();
        return Trim(beats, local);
    }

    /// <summary>Drops beats at either end with next to no onset (under 0.1 % of the RMS onset at the beats: silence): the DP's run-in and run-out over silence.
/// A quiet intro's soft beats stay.</summary>
    static int[] Trim(List<int> beats, float[] local)
    {
        if (beats.Count < 3) return [.. beats];
        double rms = Math.Sqrt(beats.Average(b => (double)local[b] * local[b]));
        double floor = 0.001 * rms;
        int a = 0, z = beats.Count - 1;
        while (a < z && local[beats[a]] < floor) a++;
        while (z > a && local[beats[z]] < floor) z--;
        return beats.Skip(a).Take(z - a + 1).ToArray();
    }

    static double[] ZScore(double[] x)
    {
        double m = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / x.Length);
        return sd < 1e-12 ? new double[x.Length] : x.Select(v => (v - m) / sd).ToArray();
    }

    static float[] GaussianSmooth(float[] x, double sigma)
    {
        int r = (int)Math.Ceiling(3 * sigma);
        var k = new double[2 * r + 1];
        for (int i = -r; i <= r; i++) k[i + r] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        double sum = k.Sum();
        var y = new float[x.Length];
        for (int t = 0; t < x.Length; t++)
        {
            double s = 0;
            for (int i = -r; i <= r; i++) { int u = t + i; if (u >= 0 && u < x.Length) s += k[i + r] * x[u]; }
            y[t] = (float)(s / sum);
        }
        return y;
    }

    /// <summary>
    /// Bar length (3 or 4 beats) and the phase of the first downbeat: the pattern whose beats carry the most low-band
    /// (kick) onset plus harmonic change (chords change on the bar: the distance between the mean 150 Hz..2 kHz spectrum
    /// of the beat that starts and the beat that ends there), both z-scored over the beats.
    /// </summary>
    static (int PerBar, int Phase) Downbeats(int[] beats, float[] low, Spectrogram spec)
    {
        if (beats.Length < 4) return (4, 0);
        var kick = ZScore(beats.Select(b =>
        {
            float m = 0;
            for (int t = Math.Max(0, b - 3); t <= Math.Min(low.Length - 1, b + 3); t++) m = Math.Max(m, low[t]);
            return (double)m;
        }).ToArray());
        int b0 = spec.BandHz.Count(hz => hz < 150), b1 = spec.BandHz.Count(hz => hz < 2000);
        var mean = beats.Select((b, i) =>
        {
            int end = i + 1 < beats.Length ? beats[i + 1] : Math.Min(spec.Frames, b + (b - beats[i - 1]));
            var v = new double[b1 - b0];
            for (int t = b; t < end; t++) for (int k = b0; k < b1; k++) v[k - b0] += spec.MelDb[t][k] / Math.Max(1, end - b);
            return v;
        }).ToArray();
        var change = ZScore(mean.Select((v, i) => i == 0 ? 0 : v.Zip(mean[i - 1], (x, y) => Math.Abs(x - y)).Sum()).ToArray());
        var strength = kick.Zip(change, (k, c) => k + c).ToArray();
        (int, int) best = (4, 0); double bestScore = double.NegativeInfinity;
        foreach (int perBar in new[] { 4, 3 })
            for (int phase = 0; phase < perBar; phase++)
            {
                var on = strength.Where((_, i) => i % perBar == phase).DefaultIfEmpty(0).Average();
                var off = strength.Where((_, i) => i % perBar != phase).DefaultIfEmpty(0).Average();
                double s = on - off - (perBar == 3 ? 0.15 : 0); // 4/4 unless 3/4 is clearly better
                if (s > bestScore) { bestScore = s; best = (perBar, phase); }
            }
        return best;
    }
}
