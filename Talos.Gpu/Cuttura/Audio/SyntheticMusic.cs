namespace Talos.Gpu.Cuttura.Audio;

/// <summary>How a synthetic track is made: tempo (with an optional ramp), swing, syncopation, noise, a quiet intro.</summary>
public sealed record MusicRecipe
{
    public required string Name { get; init; }
    public double Bpm { get; init; } = 120;
    /// <summary>Tempo at the end of the track when it ramps (null: steady).</summary>
    public double? EndBpm { get; init; }
    public double Seconds { get; init; } = 20;
    /// <summary>0 = straight eighths, 1 = full triplet swing (the off-beat eighth at 2/3 of the beat).</summary>
    public double Swing { get; init; }
    /// <summary>Kicks and snares pushed onto off-beats (0..1: how often).</summary>
    public double Syncopation { get; init; }
    /// <summary>White noise level relative to the drums' peak (0 = none).</summary>
    public double Noise { get; init; }
    /// <summary>Seconds of quiet intro (hats and pad only, 24 dB down) before the full kit.</summary>
    public double QuietIntro { get; init; }
    public int BeatsPerBar { get; init; } = 4;
    public int Seed { get; init; } = 1;
}

/// <summary>A synthetic track with the beat times it was built on.</summary>
public sealed record SyntheticTrack(MusicRecipe Recipe, PcmAudio Audio, double[] Beats, double[] Downbeats);

/// <summary>
/// A seeded drum machine with a bass line and chord pad, for the beat benchmark and the tests: the ground truth is the
/// grid it plays on. Kick (a pitch-swept sine), snare (a tone plus band-limited noise), closed hi-hat (high-passed
/// noise), bass and pad notes from a fixed progression; humanised by a few milliseconds of seeded jitter and velocity.
/// Same recipe, same samples, bit for bit (System.Random with a seed, fixed arithmetic order).
/// </summary>
public static class SyntheticMusic
{
    public const int Rate = 44_100;

    public static SyntheticTrack Make(MusicRecipe r)
    {
        if (r.Bpm is < 30 or > 300 || r.EndBpm is < 30 or > 300) throw new ArgumentOutOfRangeException(nameof(r), "tempo must be 30..300 BPM");
        if (r.Seconds is <= 0 or > 600) throw new ArgumentOutOfRangeException(nameof(r), "length must be (0, 600] s");
        var rng = new Random(r.Seed);
        int n = (int)(r.Seconds * Rate);
        var y = new double[n];

        // beat times: tempo linear in time from Bpm to EndBpm (phase = ∫ tempo dt)
        var beats = new List<double>();
        double start = 0.25, end = r.EndBpm ?? r.Bpm;
        for (double t = start; t < r.Seconds - 0.05;)
        {
            beats.Add(Math.Round(t, 6));
            double bpm = r.Bpm + (end - r.Bpm) * t / r.Seconds;
            t += 60.0 / bpm;
        }
        var downbeats = beats.Where((_, i) => i % r.BeatsPerBar == 0).ToArray();
        int[] progression = [0, 5, 3, 4]; // I vi IV V in semitone steps of a major scale below
        int[] scale = [0, 2, 4, 5, 7, 9, 11];

        for (int i = 0; i < beats.Count; i++)
        {
            double t = beats[i], period = (i + 1 < beats.Count ? beats[i + 1] : t + 60.0 / end) - t;
            int inBar = i % r.BeatsPerBar, bar = i / r.BeatsPerBar;
            bool quiet = t < r.QuietIntro;
            double gain = quiet ? Math.Pow(10, -24 / 20.0) : 1;
            double Jit() => (rng.NextDouble() - 0.5) * 0.006; // ±3 ms humanising
            double Vel() => 0.8 + 0.2 * rng.NextDouble();
            double off = t + period * (0.5 + r.Swing / 6); // the off-beat eighth, swung towards 2/3

            // hats on every eighth (quiet in the intro too: the beat is there, softly)
            Hat(y, t + Jit(), 0.25 * gain * Vel(), rng);
            Hat(y, off + Jit(), 0.18 * gain * Vel(), rng);
            if (!quiet)
            {
                bool sync = rng.NextDouble() < r.Syncopation;
                if (inBar == 0 || (r.BeatsPerBar == 4 && inBar == 2 && !sync)) Kick(y, t + Jit(), 0.9 * Vel());
                if (r.BeatsPerBar == 4 && (inBar == 1 || inBar == 3)) Snare(y, t + Jit(), 0.6 * Vel(), rng);
                if (r.BeatsPerBar == 3 && inBar != 0) Snare(y, t + Jit(), 0.45 * Vel(), rng);
                if (sync) Kick(y, off + Jit(), 0.8 * Vel()); // the kick lands on the "and"
                if (sync && rng.NextDouble() < 0.5) Snare(y, off + period * 0.5 + Jit(), 0.35 * Vel(), rng);
                // bass: root of the bar's chord on the downbeat, an octave figure on beat 3
                int root = scale[progression[bar % progression.Length] % 7];
                if (inBar == 0 || inBar == 2) Tone(y, t, period * 0.9, 55 * Math.Pow(2, (root + (inBar == 2 ? 12 : 0)) / 12.0), 0.25, 0.005);
            }
            // pad: the bar's triad, held across the bar, soft attack (tonal energy that is not a beat)
            if (inBar == 0)
            {
                int deg = progression[bar % progression.Length];
                double len = period * r.BeatsPerBar;
                foreach (int d in new[] { 0, 2, 4 })
                {
                    int semis = scale[(deg + d) % 7] + 12 * ((deg + d) / 7);
                    Tone(y, t, len, 220 * Math.Pow(2, semis / 12.0), 0.07 * gain, 0.3 * len);
                }
            }
        }
        if (r.Noise > 0)
            for (int k = 0; k < n; k++) y[k] += r.Noise * (2 * rng.NextDouble() - 1);
        double peak = y.Max(Math.Abs);
        var samples = new float[n];
        for (int k = 0; k < n; k++) samples[k] = (float)(0.89 * y[k] / Math.Max(peak, 1e-9));
        return new SyntheticTrack(r, new PcmAudio(samples, Rate), [.. beats], downbeats);
    }

    static void Kick(double[] y, double t, double amp)
    {
        int s = (int)(t * Rate), len = (int)(0.35 * Rate);
        double phase = 0;
        for (int k = 0; k < len && s + k < y.Length; k++)
        {
            if (s + k < 0) continue;
            double u = (double)k / Rate;
            double f = 50 + 110 * Math.Exp(-u / 0.03);
            phase += 2 * Math.PI * f / Rate;
            y[s + k] += amp * Math.Sin(phase) * Math.Exp(-u / 0.12);
        }
    }

    static void Snare(double[] y, double t, double amp, Random rng)
    {
        int s = (int)(t * Rate), len = (int)(0.2 * Rate);
        double lp = 0, prev = 0;
        for (int k = 0; k < len && s + k < y.Length; k++)
        {
            double w = 2 * rng.NextDouble() - 1;
            if (s + k < 0) continue;
            double u = (double)k / Rate;
            lp += 0.45 * (w - lp);               // soften the top
            double band = lp - prev; prev = lp;  // and the bottom: a band of noise
            y[s + k] += amp * (1.6 * band * Math.Exp(-u / 0.06) + 0.5 * Math.Sin(2 * Math.PI * 185 * u) * Math.Exp(-u / 0.04));
        }
    }

    static void Hat(double[] y, double t, double amp, Random rng)
    {
        int s = (int)(t * Rate), len = (int)(0.06 * Rate);
        double prev = 0;
        for (int k = 0; k < len && s + k < y.Length; k++)
        {
            double w = 2 * rng.NextDouble() - 1;
            if (s + k < 0) continue;
            double u = (double)k / Rate;
            double hp = w - prev; prev = w; // first difference: noise tilted to the top octaves
            y[s + k] += amp * 0.5 * hp * Math.Exp(-u / 0.015);
        }
    }

    /// <summary>A note of three harmonics rising over <paramref name="attack"/> seconds (short: plucked, long: a swelling pad).</summary>
    static void Tone(double[] y, double t, double seconds, double hz, double amp, double attack)
    {
        int s = (int)(t * Rate), len = (int)(seconds * Rate);
        for (int k = 0; k < len && s + k < y.Length; k++)
        {
            if (s + k < 0) continue;
            double u = (double)k / Rate;
            double env = Math.Min(1, u / attack) * Math.Min(1, (seconds - u) / 0.03);
            double v = Math.Sin(2 * Math.PI * hz * u) + 0.5 * Math.Sin(4 * Math.PI * hz * u) + 0.25 * Math.Sin(6 * Math.PI * hz * u);
            y[s + k] += amp * env * v / 1.75;
        }
    }

    /// <summary>
    /// The benchmark's tracks (seed 1000 onwards; never used to tune): tempi 70..180, swing, syncopation, a tempo ramp,
    /// noise, a quiet intro, a waltz.
    /// </summary>
    public static IReadOnlyList<MusicRecipe> BenchmarkSet() => Set(1000, [72, 96, 120, 150, 178, 104, 128, 90, 112, 124, 138], tuning: false);

    /// <summary>The tuning set: the same kinds of track, other seeds and tempi. Develop against this one only.</summary>
    public static IReadOnlyList<MusicRecipe> TuningSet() => Set(1, [80, 108, 132, 160, 172, 98, 118, 100, 106, 116, 144], tuning: true);

    static List<MusicRecipe> Set(int seed, double[] t, bool tuning)
    {
        string p = tuning ? "tune" : "bench";
        return
        [
            new() { Name = $"{p}-straight-{t[0]}", Bpm = t[0], Seed = seed },
            new() { Name = $"{p}-straight-{t[1]}", Bpm = t[1], Seed = seed + 1 },
            new() { Name = $"{p}-straight-{t[2]}", Bpm = t[2], Seed = seed + 2 },
            new() { Name = $"{p}-straight-{t[3]}", Bpm = t[3], Seed = seed + 3 },
            new() { Name = $"{p}-straight-{t[4]}", Bpm = t[4], Seed = seed + 4 },
            new() { Name = $"{p}-swing-{t[5]}", Bpm = t[5], Swing = 1, Seed = seed + 5 },
            new() { Name = $"{p}-syncopated-{t[6]}", Bpm = t[6], Syncopation = 0.5, Seed = seed + 6 },
            new() { Name = $"{p}-ramp-{t[7]}-{t[7] * 1.4:0}", Bpm = t[7], EndBpm = Math.Round(t[7] * 1.4), Seconds = 30, Seed = seed + 7 },
            new() { Name = $"{p}-noisy-{t[8]}", Bpm = t[8], Noise = 0.12, Seed = seed + 8 },
            new() { Name = $"{p}-quiet-intro-{t[9]}", Bpm = t[9], QuietIntro = 6, Seed = seed + 9 },
            new() { Name = $"{p}-waltz-{t[10]}", Bpm = t[10], BeatsPerBar = 3, Swing = 0.5, Syncopation = 0.2, Seed = seed + 10 },
        ];
    }
}
