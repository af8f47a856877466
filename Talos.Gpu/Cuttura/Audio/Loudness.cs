using System.Runtime.Intrinsics;

namespace Talos.Gpu.Cuttura.Audio;

/// <summary>Integrated loudness (LUFS, ITU-R BS.1770 / EBU R128 gating) and true peak (dBTP, 4x oversampled) of a sound.</summary>
public sealed record LoudnessReading(double IntegratedLufs, double TruePeakDb);

/// <summary>
/// The BS.1770-4 meter, in process (pure and deterministic: the same samples give the same reading on every machine).
/// Integrated loudness: the K-weighting (the shelf and the high-pass of BS.1770, designed for the sound's own rate as
/// libebur128 designs them; at 48 kHz they are the standard's table), mean square over 400 ms blocks every 100 ms, blocks
/// under -70 LUFS dropped, then blocks under the mean of the rest − 10 LU, −0.691 + 10·log10 of what remains' mean. True
/// peak: Annex 2's 4× oversampling (its 48-tap polyphase FIR, four phases at once in a <see cref="Vector256{T}"/>), at
/// least the sample peak. Measured against ffmpeg's loudnorm / ebur128 on dialogue, music, a mix, a sine and silence
/// (LoudnessTests): within 0.1 LU and 0.2 dB. Nothing is changed by the measurement: Talos applies its own linear gain
/// and peak limit (<see cref="FilmMix"/>).
/// </summary>
public static class Loudness
{
    /// <summary>The reading of silence or of sound entirely under the -70 LUFS gate (and the floor of every reading).</summary>
    public const double Silent = -70;

    /// <summary>Measures a mono sound (one channel of weight 1).</summary>
    public static LoudnessReading Measure(PcmAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate <= 0) throw new ArgumentException($"sample rate {audio.SampleRate}", nameof(audio));
        return new LoudnessReading(Integrated(audio.Samples, audio.SampleRate), TruePeakDb(audio.Samples));
    }

    /// <summary>Integrated loudness of <paramref name="x"/> at <paramref name="rate"/> Hz, LUFS (<see cref="Silent"/> when no block passes the gates).</summary>
    public static double Integrated(ReadOnlySpan<float> x, int rate)
    {
        int step = (rate + 5) / 10; // 100 ms, the blocks' hop (libebur128's rounding)
        int segments = x.Length / step;
        if (segments < 4) return Silent;
        // K-weighted energy per 100 ms segment; a 400 ms block is four consecutive segments
        var (shelfB, shelfA, passB, passA) = KWeighting(rate);
        var energy = new double[segments];
        double s1 = 0, s2 = 0, h1 = 0, h2 = 0; // transposed direct form II state of the shelf and of the high-pass
        for (int q = 0; q < segments; q++)
        {
            double sum = 0;
            foreach (float v in x.Slice(q * step, step))
            {
                double u = shelfB.X * v + s1;
                s1 = shelfB.Y * v - shelfA.X * u + s2;
                s2 = shelfB.Z * v - shelfA.Y * u;
                double y = passB.X * u + h1;
                h1 = passB.Y * u - passA.X * y + h2;
                h2 = passB.Z * u - passA.Y * y;
                sum += y * y;
            }
            energy[q] = sum;
        }
        int blocks = segments - 3;
        var z = new double[blocks];
        for (int j = 0; j < blocks; j++) z[j] = (energy[j] + energy[j + 1] + energy[j + 2] + energy[j + 3]) / (4.0 * step);
        double absolute = Energy(Silent), mean = MeanAbove(z, absolute);
        if (mean <= 0) return Silent;
        double relative = mean / 10; // -10 LU
        double gated = MeanAbove(z, Math.Max(absolute, relative));
        return gated <= 0 ? Silent : Math.Max(Silent, Lufs(gated));
    }

    /// <summary>True peak of <paramref name="x"/> in dBTP: the largest magnitude of the 4× oversampled signal or of the samples (<see cref="Silent"/> at most that low).</summary>
    public static double TruePeakDb(ReadOnlySpan<float> x)
    {
        double peak = 0;
        foreach (float v in x) peak = Math.Max(peak, Math.Abs((double)v));
        peak = Math.Max(peak, OversampledPeak(x));
        return peak <= 0 ? Silent : Math.Max(Silent, 20 * Math.Log10(peak));
    }

    /// <summary>The four phases of BS.1770-4 Annex 2's interpolating FIR (48 taps, 12 per phase), phase p's tap k at [k][p].</summary>
    static readonly double[][] Phases =
    [
        [0.0017089843750, -0.0291748046875, -0.0189208984375, -0.0083007812500],
        [0.0109863281250, 0.0292968750000, 0.0330810546875, 0.0148925781250],
        [-0.0196533203125, -0.0517578125000, -0.0582275390625, -0.0266113281250],
        [0.0332031250000, 0.0891113281250, 0.1015625000000, 0.0476074218750],
        [-0.0594482421875, -0.1665039062500, -0.2003173828125, -0.1022949218750],
        [0.1373291015625, 0.4650878906250, 0.7797851562500, 0.9721679687500],
        [0.9721679687500, 0.7797851562500, 0.4650878906250, 0.1373291015625],
        [-0.1022949218750, -0.2003173828125, -0.1665039062500, -0.0594482421875],
        [0.0476074218750, 0.1015625000000, 0.0891113281250, 0.0332031250000],
        [-0.0266113281250, -0.0582275390625, -0.0517578125000, -0.0196533203125],
        [0.0148925781250, 0.0330810546875, 0.0292968750000, 0.0109863281250],
        [-0.0083007812500, -0.0189208984375, -0.0291748046875, 0.0017089843750],
    ];

    static readonly Vector256<double>[] Taps = [.. Phases.Select(p => Vector256.Create(p[0], p[1], p[2], p[3]))];

    /// <summary>
    /// The largest |y| of the 4× oversampled signal, y₄ₙ₊ₚ = Σₖ hₚ[k]·x[n−k] (x zero outside the sound; the filter's tail after
    /// the last sample included). Each lane is one phase and sums its taps in the same order on every machine (multiply, then
    /// add: no fused multiply-add), so the reading does not depend on the vector width the processor has.
    /// </summary>
    static double OversampledPeak(ReadOnlySpan<float> x)
    {
        int taps = Taps.Length, n = x.Length;
        if (n == 0) return 0;
        var padded = new double[n + 2 * (taps - 1)];
        for (int i = 0; i < n; i++) padded[taps - 1 + i] = x[i];
        var max = Vector256<double>.Zero;
        var t = Taps;
        for (int m = taps - 1; m < padded.Length; m++) // output block m: x[m], x[m-1], … x[m-11] (padded indices)
        {
            var acc = t[0] * Vector256.Create(padded[m]);
            for (int k = 1; k < taps; k++) acc += t[k] * Vector256.Create(padded[m - k]);
            max = Vector256.Max(max, Vector256.Abs(acc));
        }
        return Math.Max(Math.Max(max[0], max[1]), Math.Max(max[2], max[3]));
    }

    /// <summary>
    /// The K-weighting at <paramref name="rate"/>: a high-shelf (+4 dB above ~1.7 kHz) then a high-pass (~38 Hz), each as
    /// (b0, b1, b2) and (a1, a2), from the analog prototypes libebur128 uses (at 48 kHz: BS.1770-4's Table 1 and 2).
    /// </summary>
    static ((double X, double Y, double Z) ShelfB, (double X, double Y) ShelfA, (double X, double Y, double Z) PassB, (double X, double Y) PassA) KWeighting(int rate)
    {
        double f0 = 1681.974450955533, g = 3.999843853973347, q = 0.7071752369554196;
        double k = Math.Tan(Math.PI * f0 / rate), vh = Math.Pow(10, g / 20), vb = Math.Pow(vh, 0.4996667741545416);
        double a0 = 1 + k / q + k * k;
        var shelfB = ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0);
        var shelfA = (2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0);
        f0 = 38.13547087602444; q = 0.5003270373238773;
        k = Math.Tan(Math.PI * f0 / rate);
        a0 = 1 + k / q + k * k;
        var passA = (2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0);
        return (shelfB, shelfA, (1.0, -2.0, 1.0), passA);
    }

    static double MeanAbove(double[] z, double threshold)
    {
        double sum = 0;
        int count = 0;
        foreach (var e in z)
            if (e > threshold) { sum += e; count++; }
        return count == 0 ? 0 : sum / count;
    }

    static double Lufs(double energy) => -0.691 + 10 * Math.Log10(energy);
    static double Energy(double lufs) => Math.Pow(10, (lufs + 0.691) / 10);
}
