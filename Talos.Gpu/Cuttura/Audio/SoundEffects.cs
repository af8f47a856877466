using Talos.Gpu.Stokes;

namespace Talos.Gpu.Cuttura.Audio;

/// <summary>
/// CUTTURA's procedural sound library: every sound cue PRISM's lexicon knows (and a few more) synthesised from seeded noise
/// (<see cref="Noise.Hash"/>, stateless) and tone envelopes — no samples needed. One-shots (bang, door-slam, …) have their
/// own length; ambiences (rain, wind, sea, fire) fill the seconds asked for. The same name, length, rate and seed give the
/// same samples. One-shots peak at <see cref="OneShotPeak"/>; ambiences sit at an RMS of <see cref="AmbienceRms"/> (a bed).
/// </summary>
public static class SoundEffects
{
    public const float OneShotPeak = 0.7f, AmbienceRms = 0.05f;

    /// <summary>The ambiences: they last as long as asked.</summary>
    public static readonly IReadOnlyList<string> Ambiences = ["rain", "wind", "sea", "fire"];

    /// <summary>The one-shots and their natural lengths in seconds.</summary>
    static readonly Dictionary<string, double> OneShots = new(StringComparer.Ordinal)
    {
        ["bang"] = 1.5, ["crash"] = 2.0, ["impact"] = 0.6, ["door-slam"] = 1.0, ["knock"] = 0.8, ["thunder"] = 4.0, ["footsteps"] = 2.0,
        ["whoosh"] = 0.8, ["splash"] = 1.2, ["roar"] = 1.5, ["ring"] = 2.0, ["creak"] = 1.2, ["music"] = 3.0,
    };

    /// <summary>Every name the library synthesises.</summary>
    public static readonly IReadOnlyList<string> Names = [.. Ambiences, .. OneShots.Keys];

    /// <summary>A well-formed cue name: 1 to 32 of a-z, 0-9, '-' (the lexicon's rule).</summary>
    public static bool IsCueName(string? name) =>
        name is { Length: >= 1 and <= 32 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public static bool IsAmbience(string name) => Ambiences.Contains(name);

    /// <summary>How long <paramref name="name"/> lasts when <paramref name="seconds"/> are available (ambiences: all of them, at least 0.5 s).</summary>
    public static double LengthSeconds(string name, double seconds) =>
        IsAmbience(name) ? Math.Max(0.5, seconds) : OneShots.TryGetValue(name, out var s) ? s : throw Unknown(name);

    /// <summary>The effect as mono samples at <paramref name="sampleRate"/>; <paramref name="seconds"/> is the room it has (ambiences fill it).</summary>
    public static PcmAudio Synthesize(string name, double seconds, int sampleRate, uint seed)
    {
        if (sampleRate is < 8000 or > 192_000) throw new ArgumentOutOfRangeException(nameof(sampleRate));
        if (!double.IsFinite(seconds) || seconds < 0) throw new ArgumentOutOfRangeException(nameof(seconds));
        double length = LengthSeconds(name, Math.Min(seconds, 3600));
        var x = new double[(int)Math.Round(length * sampleRate)];
        var g = new Gen(x, sampleRate, seed);
        switch (name)
        {
            case "bang": g.Noise(0, length, 4000, 0.25, 0.002); g.Tone(0, length, 70, 35, 0.35, 1.2); break;
            case "crash":
                g.Noise(0, length, 9000, 0.45, 0.001, highPass: 1500);
                for (int k = 0; k < 6; k++) g.Tone(0.01 * k, length, 2200 + 700 * k + 300 * g.Uniform(k), null, 0.25 + 0.1 * k, 0.2);
                g.Tone(0, 0.5, 90, 50, 0.12, 0.6);
                break;
            case "impact": g.Noise(0, length, 900, 0.06, 0.001); g.Tone(0, length, 85, 50, 0.12, 1.0); break;
            case "door-slam":
                g.Noise(0, length, 1200, 0.05, 0.001); g.Tone(0, length, 180, null, 0.16, 0.7); g.Tone(0, length, 310, null, 0.1, 0.4);
                g.Tone(0, length, 60, 45, 0.2, 1.0); g.Noise(0.04, 0.4, 3000, 0.08, 0.003, highPass: 800, gain: 0.15);
                break;
            case "knock":
                for (int k = 0; k < 3; k++) { double t = 0.2 * k; g.Noise(t, 0.15, 2500, 0.015, 0.0005, highPass: 400, gain: 0.6); g.Tone(t, 0.2, 240, null, 0.04, 1.0); }
                break;
            case "thunder":
                g.Noise(0, 0.6, 6000, 0.12, 0.001, highPass: 500, gain: 0.6);
                g.Rumble(0.05, length, 180, 0.35, 1.3);
                break;
            case "footsteps":
                for (int k = 0; k < 4; k++) { double t = 0.5 * k; g.Noise(t, 0.25, 700, 0.04, 0.002); g.Noise(t + 0.06, 0.12, 3500, 0.015, 0.0005, highPass: 1200, gain: 0.35); }
                break;
            case "whoosh": g.Sweep(0, length, 250, 3500); break;
            case "splash":
                g.Noise(0, length, 6000, 0.2, 0.003, highPass: 400);
                for (int k = 0; k < 10; k++) g.Tone(0.05 + 0.08 * k * g.Uniform(20 + k), 0.12, 500 + 900 * g.Uniform(40 + k), 900 + 900 * g.Uniform(60 + k), 0.03, 0.25);
                break;
            case "roar": g.Roar(0, length, 95); break;
            case "ring":
                foreach (var (a, b) in new[] { (0.0, 0.4), (0.6, 1.0) }) { g.Tone(a, b - a, 440 * g.Vary(1), null, 10, 0.5, gate: true); g.Tone(a, b - a, 480 * g.Vary(2), null, 10, 0.5, gate: true); }
                break;
            case "creak": g.Creak(0, length, 28 * g.Vary(3), 70 * g.Vary(4), 650 * g.Vary(5)); break;
            case "music":
                foreach (var (f, k) in new[] { 261.63, 329.63, 392.0, 523.25 }.Select((f, k) => (f, k)))
                    for (int h = 1; h <= 3; h++) g.Tone(0.04 * k, length, f * h * g.Vary(10 + k), null, 1.2 / h, 0.5 / h);
                break;
            case "rain":
                g.Noise(0, length, 7000, null, 0.05, highPass: 1500, gain: 0.5);
                g.Drops(length, 35, 2500, 0.004);
                break;
            case "wind": g.Wind(length); break;
            case "sea": g.Sea(length); break;
            case "fire": g.Noise(0, length, 500, null, 0.1, gain: 0.6); g.Drops(length, 14, 4000, 0.002); break;
            default: throw Unknown(name);
        }
        var samples = new float[x.Length];
        double peak = 0, sum = 0;
        foreach (var v in x) { peak = Math.Max(peak, Math.Abs(v)); sum += v * v; }
        double rms = x.Length == 0 ? 0 : Math.Sqrt(sum / x.Length);
        double gain = IsAmbience(name) ? (rms > 0 ? AmbienceRms / rms : 0) : (peak > 0 ? OneShotPeak / peak : 0);
        if (peak * gain > 0.95) gain = 0.95 / peak;
        for (int i = 0; i < x.Length; i++) samples[i] = (float)(x[i] * gain);
        return new PcmAudio(samples, sampleRate);
    }

    static CutturaException Unknown(string name) =>
        new($"sound '{name}' is not in the effects library ({string.Join(", ", Names)}); name an audio asset for it");

    /// <summary>The building blocks: each adds into the buffer.</summary>
    sealed class Gen(double[] x, int rate, uint seed)
    {
        int _stream;

        /// <summary>A factor within ±2 % for slot <paramref name="k"/>: tonal effects vary a little with the seed, like two takes.</summary>
        public double Vary(int k) => 1 + 0.04 * (Uniform(k) - 0.5);

        /// <summary>A deterministic value in [0, 1) for slot <paramref name="k"/>.</summary>
        public double Uniform(int k) => Talos.Gpu.Stokes.Noise.Unit(Talos.Gpu.Stokes.Noise.Hash(k, 7, 1, seed));

        double White(int i, int stream) => Talos.Gpu.Stokes.Noise.Signed(Talos.Gpu.Stokes.Noise.Hash(i, stream, 0, seed));

        static double Coef(double hz, int rate) => 1 - Math.Exp(-2 * Math.PI * Math.Min(hz, rate * 0.45) / rate);

        (int A, int B) Span(double start, double seconds) =>
            ((int)Math.Clamp(Math.Round(start * rate), 0, x.Length), (int)Math.Clamp(Math.Round((start + seconds) * rate), 0, x.Length));

        /// <summary>Noise low-passed at <paramref name="lowPass"/> (and high-passed), with an attack and an exponential decay (null: steady).</summary>
        public void Noise(double start, double seconds, double lowPass, double? decay, double attack, double highPass = 0, double gain = 1)
        {
            var (a, b) = Span(start, seconds);
            int s = ++_stream;
            double lp = 0, hp = 0, cl = Coef(lowPass, rate), ch = highPass > 0 ? Coef(highPass, rate) : 0;
            for (int i = a; i < b; i++)
            {
                double t = (i - a) / (double)rate;
                lp += cl * (White(i, s) - lp);
                hp += ch * (lp - hp);
                double env = Math.Min(1, t / attack) * (decay is { } d ? Math.Exp(-t / d) : 1) * Fade(i, a, b);
                x[i] += gain * env * (lp - (highPass > 0 ? hp : 0));
            }
        }

        /// <summary>A sine from <paramref name="hz"/> gliding to <paramref name="toHz"/>, decaying with time constant <paramref name="decay"/> (gate: flat, ramped ends).</summary>
        public void Tone(double start, double seconds, double hz, double? toHz, double decay, double gain, bool gate = false)
        {
            var (a, b) = Span(start, seconds);
            double phase = 0;
            for (int i = a; i < b; i++)
            {
                double t = (i - a) / (double)rate, u = b - a <= 1 ? 0 : (i - a) / (double)(b - a - 1);
                double f = toHz is { } f2 ? hz * Math.Pow(f2 / hz, u) : hz;
                phase += 2 * Math.PI * f / rate;
                double env = (gate ? 1 : Math.Exp(-t / decay)) * Math.Min(1, t / 0.002) * Fade(i, a, b);
                x[i] += gain * env * Math.Sin(phase);
            }
        }

        /// <summary>Brown noise low-passed at <paramref name="lowPass"/>, swelling over <paramref name="rise"/> s and dying away, amplitude wandering.</summary>
        public void Rumble(double start, double seconds, double lowPass, double rise, double decay)
        {
            var (a, b) = Span(start, seconds);
            int s = ++_stream;
            double brown = 0, lp = 0, c = Coef(lowPass, rate);
            for (int i = a; i < b; i++)
            {
                double t = (i - a) / (double)rate;
                brown = 0.995 * brown + 0.05 * White(i, s);
                lp += c * (brown - lp);
                double env = (t < rise ? t / rise : Math.Exp(-(t - rise) / decay)) * (0.6 + 0.4 * Slow(t * 3, s)) * Fade(i, a, b);
                x[i] += 4 * env * lp;
            }
        }

        /// <summary>Noise through a low-pass whose cutoff sweeps up and down, in a bell envelope: a passing whoosh.</summary>
        public void Sweep(double start, double seconds, double lowHz, double highHz)
        {
            var (a, b) = Span(start, seconds);
            int s = ++_stream;
            double lp1 = 0, lp2 = 0;
            for (int i = a; i < b; i++)
            {
                double u = (i - a) / (double)Math.Max(1, b - a), bell = Math.Pow(Math.Sin(Math.PI * u), 2);
                double c = Coef(lowHz * Math.Pow(highHz / lowHz, bell), rate);
                lp1 += c * (White(i, s) - lp1); lp2 += c * (lp1 - lp2);
                x[i] += bell * lp2;
            }
        }

        /// <summary>A growl: a buzzy sawtooth with vibrato and breath, low-passed.</summary>
        public void Roar(double start, double seconds, double hz)
        {
            var (a, b) = Span(start, seconds);
            int s = ++_stream;
            double phase = 0, lp = 0, c = Coef(1400, rate);
            for (int i = a; i < b; i++)
            {
                double t = (i - a) / (double)rate;
                phase += hz * (1 + 0.06 * Math.Sin(2 * Math.PI * 6 * t) + 0.1 * Slow(t * 4, s)) / rate;
                double saw = 2 * (phase - Math.Floor(phase)) - 1;
                lp += c * (saw + 0.5 * White(i, s) - lp);
                x[i] += Math.Min(1, t / 0.12) * Math.Min(1, (seconds - t) / 0.4) * lp;
            }
        }

        /// <summary>Friction pulses whose rate glides from <paramref name="fromHz"/> to <paramref name="toHz"/>, ringing a resonance.</summary>
        public void Creak(double start, double seconds, double fromHz, double toHz, double resonance)
        {
            var (a, b) = Span(start, seconds);
            double phase = 0, y1 = 0, y2 = 0;
            double r = Math.Exp(-Math.PI * 80.0 / rate), w = 2 * Math.PI * resonance / rate;
            for (int i = a; i < b; i++)
            {
                double u = (i - a) / (double)Math.Max(1, b - a);
                double before = phase;
                phase += (fromHz + (toHz - fromHz) * u) / rate;
                double pulse = Math.Floor(phase) > Math.Floor(before) ? 1 : 0;
                double y = pulse + 2 * r * Math.Cos(w) * y1 - r * r * y2;
                y2 = y1; y1 = y;
                x[i] += Math.Sin(Math.PI * u) * y;
            }
        }

        /// <summary>Random clicks (raindrops, embers) at about <paramref name="perSecond"/>, each a high-passed tick.</summary>
        public void Drops(double seconds, double perSecond, double hz, double decay)
        {
            int n = (int)Math.Round(seconds * perSecond);
            for (int k = 0; k < n; k++)
            {
                double t = seconds * Uniform(1000 + k);
                Tone(t, 5 * decay, hz * (0.6 + 0.8 * Uniform(5000 + k)), null, decay, 0.3 + 0.7 * Uniform(9000 + k));
            }
        }

        /// <summary>Wind: band-limited noise whose brightness and level gust slowly.</summary>
        public void Wind(double seconds)
        {
            int s = ++_stream, n = x.Length;
            double lp1 = 0, lp2 = 0;
            for (int i = 0; i < n; i++)
            {
                double t = i / (double)rate, gust = 0.5 + 0.5 * Slow(t * 0.4, s);
                double c = Coef(250 + 900 * gust, rate);
                lp1 += c * (White(i, s) - lp1); lp2 += c * (lp1 - lp2);
                x[i] += (0.3 + 0.7 * gust) * lp2 * Fade(i, 0, n);
            }
        }

        /// <summary>Sea: low noise swelling with waves every ~6 s.</summary>
        public void Sea(double seconds)
        {
            int s = ++_stream, n = x.Length;
            double lp = 0, c = Coef(600, rate);
            for (int i = 0; i < n; i++)
            {
                double t = i / (double)rate;
                lp += c * (White(i, s) - lp);
                double swell = 0.25 + 0.75 * Math.Pow(0.5 + 0.5 * Math.Sin(2 * Math.PI * t / 6.0 + 0.3 * Slow(t * 0.2, s)), 2);
                x[i] += swell * lp * Fade(i, 0, n);
            }
        }

        /// <summary>Smooth noise in [-1, 1] over time (value noise on whole units).</summary>
        double Slow(double t, int stream) => Talos.Gpu.Stokes.Noise.Value((float)t, stream, 0, seed);

        /// <summary>5 ms ramps at both ends, so nothing clicks where a sound starts or stops.</summary>
        double Fade(int i, int a, int b)
        {
            double ramp = 0.005 * rate;
            return Math.Min(1, Math.Min((i - a + 1) / ramp, (b - i) / ramp));
        }
    }
}
