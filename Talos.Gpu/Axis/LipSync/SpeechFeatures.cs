namespace Talos.Gpu.Axis.LipSync;

/// <summary>
/// What the mouth-shape rules read from the signal, every 10 ms of 16 kHz audio (a 32 ms Hann window, 512-point FFT):
/// loudness, zero crossings and the power in the bands where voicing, the first two formants and frication live.
/// </summary>
public sealed class SpeechFeatures
{
    public const int SampleRate = 16_000, Hop = 160, Size = 512;
    public const double HopSeconds = (double)Hop / SampleRate;

    /// <summary>Loudness of each 10 ms frame in dB full scale (RMS over 20 ms, floor −120).</summary>
    public float[] Db { get; }
    /// <summary>Zero crossings per sample.</summary>
    public float[] Zcr { get; }
    /// <summary>Share of power (80 Hz..8 kHz) below 400 Hz: voicing and nasal murmur.</summary>
    public float[] LowShare { get; }
    /// <summary>Share of power above 3 kHz: frication and bursts.</summary>
    public float[] HighShare { get; }
    /// <summary>First-formant estimate (Hz): the power-squared centroid of 200..1000 Hz.</summary>
    public float[] F1 { get; }
    /// <summary>Second-formant estimate (Hz): the power-squared centroid of 900..2800 Hz.</summary>
    public float[] F2 { get; }
    /// <summary>Spectral centroid (Hz) of 80 Hz..8 kHz: low for labial bursts, high for T and S.</summary>
    public float[] Centroid { get; }
    public int Count => Db.Length;

    public SpeechFeatures(float[] x)
    {
        int n = x.Length / Hop + 1;
        Db = new float[n]; Zcr = new float[n]; LowShare = new float[n]; HighShare = new float[n];
        F1 = new float[n]; F2 = new float[n]; Centroid = new float[n];
        var hann = new double[Size];
        for (int i = 0; i < Size; i++) hann[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / Size);
        var re = new double[Size];
        var im = new double[Size];
        var power = new double[Size / 2 + 1];
        const double binHz = (double)SampleRate / Size;
        for (int f = 0; f < n; f++)
        {
            int centre = f * Hop + Hop / 2;
            double sum = 0; int crossings = 0, count = 0;
            for (int i = centre - 160; i < centre + 160; i++)
            {
                if (i < 0 || i >= x.Length) continue;
                sum += (double)x[i] * x[i]; count++;
                if (i > 0 && (x[i] >= 0) != (x[i - 1] >= 0)) crossings++;
            }
            Db[f] = (float)(count == 0 || sum <= 0 ? -120 : Math.Max(-120, 10 * Math.Log10(sum / count)));
            Zcr[f] = count == 0 ? 0 : (float)crossings / count;
            for (int i = 0; i < Size; i++)
            {
                int at = centre - Size / 2 + i;
                re[i] = at >= 0 && at < x.Length ? x[at] * hann[i] : 0;
                im[i] = 0;
            }
            Cuttura.Audio.Spectrogram.Fft(re, im);
            for (int k = 0; k < power.Length; k++) power[k] = re[k] * re[k] + im[k] * im[k];
            double Band(double lo, double hi)
            {
                double s = 0;
                for (int k = (int)Math.Ceiling(lo / binHz); k <= Math.Min(power.Length - 1, (int)(hi / binHz)); k++) s += power[k];
                return s;
            }
            double Centre(double lo, double hi, int exponent)
            {
                double s = 0, w = 0;
                for (int k = (int)Math.Ceiling(lo / binHz); k <= (int)(hi / binHz); k++)
                {
                    double p = exponent == 2 ? power[k] * power[k] : power[k];
                    s += p * k * binHz; w += p;
                }
                return w > 0 ? s / w : (lo + hi) / 2;
            }
            double total = Band(80, 8000) + 1e-20;
            LowShare[f] = (float)(Band(80, 400) / total);
            HighShare[f] = (float)(Band(3000, 8000) / total);
            F1[f] = (float)Centre(200, 1000, 2);
            F2[f] = (float)Centre(900, 2800, 2);
            Centroid[f] = (float)Centre(80, 8000, 1);
        }
    }
}
