namespace Talos.Gpu.Cuttura.Audio;

/// <summary>A sound placed on the film's timeline at <paramref name="StartSeconds"/> (negative: its start is cut).</summary>
public sealed record MixClip(PcmAudio Audio, double StartSeconds);

/// <summary>How the film's stems are balanced and finished.</summary>
/// <param name="LoudnessLufs">Integrated loudness of the mix (EBU R128 -23; web -14).</param>
/// <param name="TruePeakCeilingDb">The limiter's true-peak ceiling: under the delivered -1 dBTP with room for the AAC encoder's overshoot.</param>
/// <param name="DuckDb">How far the music goes down under dialogue.</param>
/// <param name="PreRollSeconds">The music starts going down this long before a line's first sound (and is all the way down at it).</param>
/// <param name="ReleaseSeconds">After a line's last sound the music comes back up over this long.</param>
/// <param name="MusicGainDb">The music bed against the dialogue (before ducking).</param>
/// <param name="EffectsGainDb">Sound effects against the dialogue.</param>
public sealed record MixSettings(double LoudnessLufs = -23, double TruePeakCeilingDb = -1.5, double DuckDb = -15, double PreRollSeconds = 0.25,
    double ReleaseSeconds = 0.4, double MusicGainDb = -6, double EffectsGainDb = -4);

/// <summary>
/// The film's mix (pure, deterministic): dialogue, sound effects and music summed at their times, the music ducked under the
/// dialogue by a gain envelope drawn from the lines' own sound (not a compressor: the same lines always duck the same way),
/// then brought to the loudness target by one linear gain and held under the true-peak ceiling by a look-ahead limiter,
/// measured again after each step (<see cref="Loudness"/>) until both hold.
/// </summary>
public static class FilmMix
{
    /// <summary>The rate the film's sound is mixed and delivered at.</summary>
    public const int SampleRate = 48_000;

    /// <summary>
    /// The mixed, normalised track, <paramref name="seconds"/> long at <see cref="SampleRate"/>; null when there is nothing to
    /// hear (no dialogue, effects or music: the film then has no audio track).
    /// </summary>
    public static PcmAudio? Mix(double seconds, IReadOnlyList<MixClip> dialogue, IReadOnlyList<MixClip> effects, MixClip? music, MixSettings settings)
    {
        ArgumentNullException.ThrowIfNull(dialogue);
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(settings);
        if (!double.IsFinite(seconds) || seconds <= 0) throw new CutturaException($"the film is {seconds} s long: nothing to mix");
        if (dialogue.Count == 0 && effects.Count == 0 && music is null) return null;
        foreach (var c in dialogue.Concat(effects).Append(music).OfType<MixClip>())
            if (c.Audio.SampleRate != SampleRate) throw new ArgumentException($"mix clips must be at {SampleRate} Hz, not {c.Audio.SampleRate}");
        int n = (int)Math.Round(seconds * SampleRate);
        var sum = new double[n];
        foreach (var c in dialogue) Add(sum, c, 1);
        double fx = Db(settings.EffectsGainDb);
        foreach (var c in effects) Add(sum, c, fx);
        if (music is not null)
        {
            var duck = DuckGain(n, dialogue, settings);
            double g = Db(settings.MusicGainDb);
            long at = (long)Math.Round(music.StartSeconds * SampleRate);
            var m = music.Audio.Samples;
            for (long k = Math.Max(0, -at); k < m.Length && at + k < n; k++) sum[at + k] += g * duck[at + k] * m[k];
        }
        var mix = new float[n];
        for (int i = 0; i < n; i++) mix[i] = (float)sum[i];
        return Normalise(new PcmAudio(mix, SampleRate), settings.LoudnessLufs, settings.TruePeakCeilingDb);
    }

    /// <summary>
    /// The music's gain per sample: 1, going down to <see cref="MixSettings.DuckDb"/> (linearly in dB) over the pre-roll before
    /// each line's first sound, down while it speaks, back up over the release after its last sound. A line's sound is where it is
    /// above 5 % of its own peak.
    /// </summary>
    public static float[] DuckGain(int length, IReadOnlyList<MixClip> dialogue, MixSettings settings)
    {
        var depth = new double[length];
        int pre = Math.Max(1, (int)Math.Round(settings.PreRollSeconds * SampleRate)), rel = Math.Max(1, (int)Math.Round(settings.ReleaseSeconds * SampleRate));
        foreach (var c in dialogue)
        {
            var s = c.Audio.Samples;
            float peak = 0;
            foreach (var v in s) peak = Math.Max(peak, Math.Abs(v));
            if (peak <= 1e-4f) continue;
            float floor = peak * 0.05f;
            int first = Array.FindIndex(s, v => Math.Abs(v) > floor), last = Array.FindLastIndex(s, v => Math.Abs(v) > floor);
            long at = (long)Math.Round(c.StartSeconds * SampleRate), on = at + first, off = at + last;
            for (long i = Math.Max(0, on - pre); i < Math.Min(length, off + rel); i++)
            {
                double d = i < on ? 1 - (on - i) / (double)pre : i <= off ? 1 : 1 - (i - off) / (double)rel;
                if (d > depth[i]) depth[i] = d;
            }
        }
        var gain = new float[length];
        for (int i = 0; i < length; i++) gain[i] = (float)Db(settings.DuckDb * depth[i]);
        return gain;
    }

    /// <summary>
    /// Two-pass loudness normalisation: measure, apply the linear gain that meets <paramref name="targetLufs"/>, limit the
    /// peaks to the ceiling, measure again, and correct the gain (and lower the ceiling when the true peak still pokes over)
    /// until the loudness is within 0.05 LU and the true peak under the ceiling. Sound under the -70 LUFS gate is left as it is.
    /// </summary>
    public static PcmAudio Normalise(PcmAudio audio, double targetLufs, double ceilingDb)
    {
        var m = Loudness.Measure(audio);
        if (m.IntegratedLufs <= Loudness.Silent + 0.5) return audio;
        double gainDb = targetLufs - m.IntegratedLufs, limit = ceilingDb;
        // Loudness against gain is a straight line of slope 1 until the limiter bites, then flatter: each correction
        // divides by the slope the last two passes measured (a secant step), so a heavily limited mix still converges.
        double slope = 1, lastGain = double.NaN, lastLufs = double.NaN;
        PcmAudio result = audio;
        for (int pass = 0; pass < 8; pass++)
        {
            result = Limit(Scale(audio, Db(gainDb)), Db(limit));
            m = Loudness.Measure(result);
            bool loudOk = Math.Abs(m.IntegratedLufs - targetLufs) <= 0.05, peakOk = m.TruePeakDb <= ceilingDb + 0.01;
            if (loudOk && peakOk) return result;
            if (!double.IsNaN(lastGain) && Math.Abs(gainDb - lastGain) > 0.01)
                slope = Math.Clamp((m.IntegratedLufs - lastLufs) / (gainDb - lastGain), 0.25, 1);
            (lastGain, lastLufs) = (gainDb, m.IntegratedLufs);
            if (!peakOk) limit -= m.TruePeakDb - ceilingDb + 0.05;
            gainDb += (targetLufs - m.IntegratedLufs) / slope;
        }
        if (m.TruePeakDb > ceilingDb + 0.3 || Math.Abs(m.IntegratedLufs - targetLufs) > 0.3)
            throw new CutturaException($"the mix cannot reach {targetLufs:0.#} LUFS under {ceilingDb:0.#} dBTP (it measures {m.IntegratedLufs:0.##} LUFS, {m.TruePeakDb:0.##} dBTP)");
        return result;
    }

    /// <summary>
    /// A look-ahead peak limiter: the gain needed to keep each sample under <paramref name="ceiling"/>, reached by a linear
    /// ramp over the 5 ms before the peak, recovering with an 80 ms release. Leaves sound under the ceiling untouched.
    /// </summary>
    public static PcmAudio Limit(PcmAudio audio, double ceiling)
    {
        var x = audio.Samples;
        int n = x.Length, look = Math.Max(1, audio.SampleRate / 200);
        var g = new double[n];
        for (int i = 0; i < n; i++) { double a = Math.Abs(x[i]); g[i] = a > ceiling ? ceiling / a : 1; }
        double step = 1.0 / look;
        for (int i = n - 2; i >= 0; i--) g[i] = Math.Min(g[i], g[i + 1] + step);
        double release = 1 - Math.Exp(-1.0 / (0.08 * audio.SampleRate));
        for (int i = 1; i < n; i++) g[i] = Math.Min(g[i], g[i - 1] + (1 - g[i - 1]) * release);
        var y = new float[n];
        for (int i = 0; i < n; i++) y[i] = (float)(x[i] * g[i]);
        return new PcmAudio(y, audio.SampleRate);
    }

    static PcmAudio Scale(PcmAudio a, double gain)
    {
        var y = new float[a.Samples.Length];
        for (int i = 0; i < y.Length; i++) y[i] = (float)(a.Samples[i] * gain);
        return new PcmAudio(y, a.SampleRate);
    }

    static void Add(double[] sum, MixClip c, double gain)
    {
        long at = (long)Math.Round(c.StartSeconds * SampleRate);
        var s = c.Audio.Samples;
        for (long k = Math.Max(0, -at); k < s.Length && at + k < sum.Length; k++) sum[at + k] += gain * s[k];
    }

    static double Db(double db) => Math.Pow(10, db / 20);
}
