namespace Talos.Gpu.Cuttura.Audio;

/// <summary>
/// Music at the film's frame rate, for driving pictures: the beats as frame numbers, and per frame the energy of three
/// bands (low under 200 Hz, mid 200 Hz..2 kHz, high above) and the spectral centroid, each scaled to 0..1 over the track.
/// </summary>
public sealed record MusicFrames(int Fps, BeatAnalysis Beats, int[] BeatFrames, int[] DownbeatFrames, float[] Low, float[] Mid, float[] High, float[] Centroid)
{
    public int Frames => Low.Length;
    /// <summary>Frames since the last beat, as a pulse that is 1 on the beat and decays by half every <paramref name="halfLife"/> frames.</summary>
    public float Pulse(int frame, double halfLife = 2)
    {
        int i = Array.BinarySearch(BeatFrames, frame);
        if (i < 0) i = ~i - 1;
        if (i < 0) return 0;
        return (float)Math.Pow(0.5, (frame - BeatFrames[i]) / halfLife);
    }
}

public static class MusicFeatures
{
    /// <summary>Decodes <paramref name="path"/> (through <see cref="AudioDecoder"/>), tracks its beats and measures its bands at <paramref name="fps"/>.</summary>
    public static MusicFrames Analyse(string path, int fps, string? what = null) =>
        Analyse(AudioDecoder.DecodeMono(path, BeatTracker.SampleRate, what), fps);

    public static MusicFrames Analyse(PcmAudio audio, int fps)
    {
        if (fps is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(fps));
        var beats = BeatTracker.Track(audio);
        var spec = new Spectrogram(audio, BeatTracker.WindowLength, BeatTracker.Hop, BeatTracker.Bands, 30, 8000);
        int frames = Math.Max(1, (int)Math.Ceiling(audio.Seconds * fps));
        var low = new double[frames]; var mid = new double[frames]; var high = new double[frames]; var centroid = new double[frames];
        var counts = new int[frames];
        var logHz = spec.BandHz.Select(Math.Log2).ToArray();
        for (int t = 0; t < spec.Frames; t++)
        {
            int f = Math.Min(frames - 1, (int)(t / spec.FramesPerSecond * fps));
            double l = 0, m = 0, h = 0, sum = 0, weighted = 0;
            var row = spec.MelPower[t];
            for (int b = 0; b < row.Length; b++)
            {
                double hz = spec.BandHz[b], p = row[b];
                if (hz < 200) l += p; else if (hz < 2000) m += p; else h += p;
                sum += p; weighted += p * logHz[b];
            }
            low[f] += l; mid[f] += m; high[f] += h;
            centroid[f] += sum > 1e-12 ? weighted / sum : logHz[0];
            counts[f]++;
        }
        for (int f = 0; f < frames; f++)
        {
            int c = Math.Max(1, counts[f]);
            low[f] /= c; mid[f] /= c; high[f] /= c; centroid[f] /= c;
        }
        int[] ToFrames(double[] times) => times.Select(s => Math.Min(frames - 1, (int)Math.Round(s * fps))).Distinct().ToArray();
        return new MusicFrames(fps, beats, ToFrames(beats.Beats), ToFrames(beats.Downbeats), Level(low), Level(mid), Level(high),
            Range(centroid, logHz[0], logHz[^1]));
    }

    /// <summary>Energy as decibels mapped to 0..1: 0 at 60 dB under the track's loudest frame in the band, 1 at it.</summary>
    static float[] Level(double[] power)
    {
        double top = Math.Max(power.Max(), 1e-20);
        return power.Select(p => (float)Math.Clamp(1 + 10 * Math.Log10(Math.Max(p, 1e-20) / top) / 60, 0, 1)).ToArray();
    }

    static float[] Range(double[] x, double lo, double hi) => x.Select(v => (float)Math.Clamp((v - lo) / (hi - lo), 0, 1)).ToArray();
}
