namespace Talos.Gpu.Cuttura.Audio;

/// <summary>
/// A short-time spectrum of mono samples: Hann-windowed frames, magnitudes by an in-place radix-2 FFT, summed into
/// mel bands (triangular filters, Slaney's mel scale) and kept in decibels. Deterministic: the same samples give the
/// same numbers bit for bit (plain doubles, fixed order of summation).
/// </summary>
public sealed class Spectrogram
{
    /// <summary>Frames × bands, in dB relative to full scale, floored <see cref="RangeDb"/> below the loudest cell.</summary>
    public float[][] MelDb { get; }
    /// <summary>Frames × bands, linear power (for band energies).</summary>
    public float[][] MelPower { get; }
    /// <summary>Centre frequency of each mel band (Hz).</summary>
    public double[] BandHz { get; }
    public int SampleRate { get; }
    public int Hop { get; }
    public int Window { get; }
    public double FramesPerSecond => (double)SampleRate / Hop;
    public int Frames => MelDb.Length;
    public const double RangeDb = 80;
    /// <summary>The loudest mel cell's power.</summary>
    public double LoudestPower { get; }

    /// <summary>Frames × bands of log10(1 + γ·a), a = mel magnitude relative to the loudest cell (SuperFlux's compression):
    /// large γ approaches decibels (every level counts alike), small γ keeps loud events louder than quiet ones.</summary>
    public float[][] LogMagnitude(double gamma)
    {
        var result = new float[Frames][];
        double scale = 1 / Math.Sqrt(LoudestPower);
        for (int f = 0; f < Frames; f++)
        {
            var row = new float[MelPower[f].Length];
            for (int b = 0; b < row.Length; b++) row[b] = (float)Math.Log10(1 + gamma * Math.Sqrt(MelPower[f][b]) * scale);
            result[f] = row;
        }
        return result;
    }

    public Spectrogram(PcmAudio audio, int window, int hop, int bands, double minHz, double maxHz)
    {
        if (window < 16 || (window & (window - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(window), "window must be a power of two ≥ 16");
        if (hop < 1 || hop > window) throw new ArgumentOutOfRangeException(nameof(hop));
        SampleRate = audio.SampleRate; Hop = hop; Window = window;
        var x = audio.Samples;
        int frames = Math.Max(1, (x.Length + hop - 1) / hop);
        var hann = new double[window];
        for (int i = 0; i < window; i++) hann[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / window);
        var (filters, centres) = MelFilters(window, audio.SampleRate, bands, minHz, Math.Min(maxHz, audio.SampleRate / 2.0));
        BandHz = centres;
        MelPower = new float[frames][];
        var re = new double[window];
        var im = new double[window];
        var power = new double[window / 2 + 1];
        double loudest = 1e-12;
        for (int f = 0; f < frames; f++)
        {
            int start = f * hop - window / 2; // frames centred on f * hop
            for (int i = 0; i < window; i++)
            {
                int k = start + i;
                re[i] = k >= 0 && k < x.Length ? x[k] * hann[i] : 0;
                im[i] = 0;
            }
            Fft(re, im);
            for (int k = 0; k < power.Length; k++) power[k] = re[k] * re[k] + im[k] * im[k];
            var row = new float[bands];
            for (int b = 0; b < bands; b++)
            {
                double s = 0;
                var (first, weights) = filters[b];
                for (int k = 0; k < weights.Length; k++) s += weights[k] * power[first + k];
                row[b] = (float)s;
                loudest = Math.Max(loudest, s);
            }
            MelPower[f] = row;
        }
        LoudestPower = loudest;
        double floor = 10 * Math.Log10(loudest) - RangeDb;
        MelDb = new float[frames][];
        for (int f = 0; f < frames; f++)
        {
            var db = new float[bands];
            for (int b = 0; b < bands; b++) db[b] = (float)Math.Max(floor, 10 * Math.Log10(Math.Max(MelPower[f][b], 1e-20)));
            MelDb[f] = db;
        }
    }

    static double HzToMel(double hz) => 2595 * Math.Log10(1 + hz / 700);
    static double MelToHz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);

    /// <summary>Triangular filters on the mel scale; each is (first FFT bin, weights).</summary>
    static ((int First, double[] Weights)[] Filters, double[] Centres) MelFilters(int window, int rate, int bands, double minHz, double maxHz)
    {
        double lo = HzToMel(minHz), hi = HzToMel(maxHz);
        var edges = new double[bands + 2];
        for (int i = 0; i < edges.Length; i++) edges[i] = MelToHz(lo + (hi - lo) * i / (bands + 1));
        double binHz = (double)rate / window;
        var filters = new (int, double[])[bands];
        var centres = new double[bands];
        for (int b = 0; b < bands; b++)
        {
            double l = edges[b], c = edges[b + 1], r = edges[b + 2];
            centres[b] = c;
            int first = (int)Math.Floor(l / binHz), last = Math.Min(window / 2, (int)Math.Ceiling(r / binHz));
            var w = new double[last - first + 1];
            for (int k = first; k <= last; k++)
            {
                double hz = k * binHz;
                double v = hz <= c ? (hz - l) / Math.Max(c - l, 1e-9) : (r - hz) / Math.Max(r - c, 1e-9);
                w[k - first] = Math.Max(0, v);
            }
            // narrow low bands may fall between bins: give them their nearest bin
            if (w.All(v => v == 0)) w[Math.Min(w.Length - 1, (int)Math.Round(c / binHz) - first)] = 1;
            filters[b] = (first, w);
        }
        return (filters, centres);
    }

    /// <summary>In-place iterative radix-2 Cooley–Tukey FFT (length a power of two).</summary>
    public static void Fft(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double ang = -2 * Math.PI / len;
            double wr = Math.Cos(ang), wi = Math.Sin(ang);
            for (int i = 0; i < n; i += len)
            {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++)
                {
                    int a = i + k, b = a + len / 2;
                    double tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                    (cr, ci) = (cr * wr - ci * wi, cr * wi + ci * wr);
                }
            }
        }
    }
}
