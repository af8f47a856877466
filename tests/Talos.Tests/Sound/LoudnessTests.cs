using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>
/// The in-process BS.1770-4 meter (<see cref="Loudness"/>) against ffmpeg's loudnorm analysis (the meter the mix used to call,
/// two decimals): integrated loudness within 0.1 LU and true peak within 0.2 dB on real sounds (the README film's lines, music,
/// a mix), a sine at a known level, a sine whose peaks fall between its samples, silence and sound under the gate.
/// </summary>
public sealed class LoudnessTests : IDisposable
{
    const int Rate = FilmMix.SampleRate;
    readonly string _dir = Repo.TempDir("loudness");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static PcmAudio Sine(double seconds, double hz, double amplitude, double phase = 0)
    {
        var s = new float[(int)(seconds * Rate)];
        for (int i = 0; i < s.Length; i++) s[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate + phase));
        return new PcmAudio(s, Rate);
    }

    /// <summary>ffmpeg loudnorm's reading of <paramref name="a"/> written as the 16-bit WAV the film carries, and ebur128's integrated loudness.</summary>
    (double Lufs, double TruePeak, double Ebur128) Ffmpeg(PcmAudio a)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, AudioDecoder.ToWav16(a));
        var (lufs, peak) = SoundMeasure.Loudnorm(path);
        return (lufs, peak, SoundMeasure.Ebur128Integrated(path));
    }

    /// <summary>
    /// Integrated loudness within 0.02 LU of ffmpeg's ebur128 filter (the same gating, block by block) and within 0.1 LU of
    /// loudnorm's (<paramref name="loudnormLu"/> where its coarser meter is known to read higher: a histogram of 0.1 LU bins at
    /// 192 kHz reads the README film's mix, wind and all, 0.18 LU above ebur128); true peak within 0.2 dB of loudnorm's.
    /// </summary>
    void AgreesWithFfmpeg(PcmAudio a, string what, double loudnormLu = 0.1)
    {
        var mine = Loudness.Measure(a);
        var (lufs, peak, ebur128) = Ffmpeg(a);
        Assert.True(Math.Abs(mine.IntegratedLufs - ebur128) <= 0.02, $"{what}: {mine.IntegratedLufs:F3} LUFS here, ebur128 {ebur128:F3}");
        Assert.True(Math.Abs(mine.IntegratedLufs - lufs) <= loudnormLu, $"{what}: {mine.IntegratedLufs:F3} LUFS here, loudnorm {lufs:F2}");
        Assert.True(Math.Abs(mine.TruePeakDb - peak) <= 0.2, $"{what}: {mine.TruePeakDb:F3} dBTP here, loudnorm {peak:F2}");
    }

    [Fact]
    public void A_sine_reads_its_known_level()
    {
        // a 997 Hz sine peaking at -20 dBFS in one channel: -23.0 LUFS (BS.1770's 1 kHz calibration, -3.01 dB for its mean square)
        var sine = Sine(10, 997, 0.1);
        var m = Loudness.Measure(sine);
        Assert.InRange(m.IntegratedLufs, -23.1, -22.9);
        Assert.InRange(m.TruePeakDb, -20.05, -19.95);
        AgreesWithFfmpeg(sine, "997 Hz sine");
        // 6 dB more amplitude is 6 dB louder: the meter is linear in the gain FilmMix applies
        Assert.Equal(m.IntegratedLufs + 20 * Math.Log10(2), Loudness.Measure(Sine(10, 997, 0.2)).IntegratedLufs, 6);
    }

    [Theory]
    [InlineData(12_000, 0.5, Math.PI / 4)] // fs/4 at 45°: every sample at 0.707 of the peak, the sample peak 3 dB low
    [InlineData(10_000, 0.7, 0.3)]
    [InlineData(5_000, 0.5, 0.3)]
    [InlineData(1_000, 0.5, 0.3)]
    public void A_peak_between_samples_is_found_by_oversampling(double hz, double amplitude, double phase)
    {
        // the true peak of a sine is its amplitude. Annex 2's filter reads it within its own ripple (its middle phases: ±0.24 dB,
        // +0.17 at 5 kHz); ffmpeg's meter (swr's 192 kHz resampling) reads these high: +0.6 dB at 12 kHz, +0.3 at 10 kHz,
        // +0.23 at 5 kHz — so at high frequencies the two differ by more than 0.2 dB, and it is ffmpeg that is off
        var sine = Sine(3, hz, amplitude, phase);
        double truth = 20 * Math.Log10(amplitude), mine = Loudness.Measure(sine).TruePeakDb;
        Assert.True(Math.Abs(mine - truth) <= 0.25, $"{hz} Hz: {mine:F3} dBTP, the sine peaks at {truth:F3}");
        var (_, ffmpeg, _) = Ffmpeg(sine);
        Assert.InRange(ffmpeg - truth, -0.05, 0.7);
        if (hz <= 1000) AgreesWithFfmpeg(sine, $"{hz} Hz sine");
        if (hz == 12_000) Assert.True(20 * Math.Log10(sine.Samples.Max()) < truth - 2.9, "the samples miss the peak");
    }

    [Fact]
    public void Silence_and_sound_under_the_gate_read_silent()
    {
        var silence = new PcmAudio(new float[3 * Rate], Rate);
        Assert.Equal(new LoudnessReading(Loudness.Silent, Loudness.Silent), Loudness.Measure(silence));
        Assert.Equal((Loudness.Silent, Loudness.Silent, Loudness.Silent), Ffmpeg(silence));
        var faint = Sine(3, 1000, 0.0002); // -77 LUFS: under the absolute gate
        Assert.Equal(Loudness.Silent, Loudness.Measure(faint).IntegratedLufs);
        Assert.Equal((Loudness.Silent, Loudness.Silent), (Ffmpeg(faint).Lufs, Ffmpeg(faint).Ebur128));
        Assert.Equal(Loudness.Silent, Loudness.Measure(Sine(0.3, 1000, 0.5)).IntegratedLufs); // shorter than one 400 ms block
    }

    [Fact]
    public void The_films_lines_music_and_mix_read_as_ffmpeg_reads_them()
    {
        // the README film's dialogue (its scratch voices at the mix's rate), gated: pauses between words fall to the relative gate
        string[] mara = ["The lamp went dark tonight.", "Hand me the matches.", "Then we keep the light for one more night."];
        string[] teo = ["Can we light it again?", "They see us!"];
        var lines = mara.Select(t => ScratchVoice.Speak(t, ScratchVoice.For("MARA", null), Rate, "mara"))
            .Concat(teo.Select(t => ScratchVoice.Speak(t, ScratchVoice.For("TEO", null), Rate, "teo"))).ToList();
        foreach (var line in lines) AgreesWithFfmpeg(line, "a line");

        var track = SyntheticMusic.Make(SyntheticMusic.BenchmarkSet()[2] with { Seconds = 12 });
        var music = AudioDecoder.DecodeMono(AudioDecoder.ToWav16(track.Audio), Rate, "music");
        AgreesWithFfmpeg(music, "music");

        // the mix: the lines over the music and an effect, with quiet stretches between the lines (the relative gate at work)
        var dialogue = lines.Select((l, i) => new MixClip(l, 0.5 + 3.5 * i)).ToList();
        var mix = FilmMix.Mix(19, dialogue, [new MixClip(SoundEffects.Synthesize("door-slam", 1, Rate, 3), 6.2)], new MixClip(music, 2), new MixSettings())!;
        AgreesWithFfmpeg(mix, "the mix");
        var (_, peak, ebur128) = Ffmpeg(mix);
        Assert.InRange(ebur128, -23.05, -22.95); // the target, by ffmpeg's meter too
        Assert.True(peak <= -1.0, $"true peak {peak} dBTP");

        // the README film's sound: its lines over the wind of its first shot, no music (the film's own mix, as the edit makes it)
        var wind = new MixClip(SoundEffects.Synthesize("wind", 4, Rate, FilmSoundtrack.Seed("sc01-sh01", 0)), 0);
        var film = FilmMix.Mix(19, dialogue, [wind], null, new MixSettings())!;
        AgreesWithFfmpeg(film, "the film's mix", loudnormLu: 0.25);
    }
}
