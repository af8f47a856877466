using Talos.Actors.Hephaestus;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Prism.Voice;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>
/// The film's mix as a pure function: loudness to the target (measured by ffmpeg's ebur128, not by the code under test),
/// true peak under -1 dBTP, music ducked under the dialogue, nothing to hear → no track, the same stems → the same samples.
/// </summary>
public sealed class FilmMixTests : IDisposable
{
    const int Rate = FilmMix.SampleRate;
    readonly string _dir = Repo.TempDir("mix");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static PcmAudio Voice(string who, string text) => ScratchVoice.Speak(text, ScratchVoice.VoiceOf(who), Rate, "test line");

    static PcmAudio Sine(double seconds, double hz, double amplitude)
    {
        var s = new float[(int)(seconds * Rate)];
        for (int i = 0; i < s.Length; i++) s[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate));
        return new PcmAudio(s, Rate);
    }

    (double Lufs, double TruePeak) Measure(PcmAudio a)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, AudioDecoder.ToWav16(a));
        return SoundMeasure.Ebur128(path);
    }

    [Theory]
    [InlineData(-23.0)]
    [InlineData(-14.0)]
    public void The_mix_meets_the_loudness_target_under_the_true_peak_ceiling(double target)
    {
        var dialogue = new[] { new MixClip(Voice("MARA", "The tide is turning, and the boats are out."), 0.3), new MixClip(Voice("TEO", "Then we sail at dawn."), 3.2) };
        var effects = new[] { new MixClip(SoundEffects.Synthesize("door-slam", 1, Rate, 3), 2.4) };
        var mix = FilmMix.Mix(5.0, dialogue, effects, null, new MixSettings(LoudnessLufs: target))!;
        Assert.Equal(5 * Rate, mix.Samples.Length);
        var (lufs, peak) = Measure(mix);
        Assert.InRange(lufs, target - 0.5, target + 0.5);
        Assert.True(peak <= -1.0, $"true peak {peak} dBTP at {target} LUFS");
        Assert.Equal(mix.Samples, FilmMix.Mix(5.0, dialogue, effects, null, new MixSettings(LoudnessLufs: target))!.Samples);
    }

    [Fact]
    public void Music_goes_down_under_the_dialogue_and_comes_back_between_lines()
    {
        var music = new MixClip(Sine(8, 3000, 0.3), 0);
        var a = Voice("MARA", "The tide is turning."); var b = Voice("TEO", "Then we sail at dawn.");
        var mix = FilmMix.Mix(8.0, [new MixClip(a, 1.0), new MixClip(b, 5.0)], [], music, new MixSettings())!;
        double during = Math.Max(SoundMeasure.ToneLevel(mix, 3000, 1.2, 1.9), SoundMeasure.ToneLevel(mix, 3000, 5.2, 5.9));
        double between = SoundMeasure.ToneLevel(mix, 3000, 3.0, 4.5);
        double ducking = SoundMeasure.Db(between / during);
        Assert.True(ducking >= 6, $"the music is only {ducking:F1} dB quieter under the dialogue");

        // The envelope itself: all the way down at a line's first sound (the pre-roll is before it), back up after the release.
        var gain = FilmMix.DuckGain(8 * Rate, [new MixClip(a, 1.0)], new MixSettings());
        int first = Array.FindIndex(a.Samples, v => Math.Abs(v) > 0.05f * a.Samples.Max(Math.Abs));
        Assert.Equal(Math.Pow(10, -15 / 20.0), gain[Rate + first], 3);
        Assert.Equal(1.0, gain[(int)(0.5 * Rate)], 3);
        Assert.Equal(1.0, gain[7 * Rate], 3);
        Assert.InRange(gain[Rate + first - Rate / 8], 0.2, 0.9); // half-way through the 0.25 s pre-roll
    }

    [Fact]
    public void A_film_with_nothing_to_hear_has_no_track()
    {
        Assert.Null(FilmMix.Mix(3.0, [], [], null, new MixSettings()));
        var shots = new[] { new SoundtrackShot(new ShotSpec { Id = "quiet", Fps = 12, Frames = new FrameRange(0, 23) }, 24) };
        Assert.Null(FilmSoundtrack.Build(shots, _ => null, null, 0, -23));
    }

    [Fact]
    public void The_soundtrack_places_each_shot_after_the_frames_before_it()
    {
        var shots = new[]
        {
            new SoundtrackShot(new ShotSpec { Id = "a", Fps = 12, Frames = new FrameRange(0, 23), Sounds = [new SoundCue("impact", 6)] }, 24),
            new SoundtrackShot(new ShotSpec { Id = "b", Fps = 12, Frames = new FrameRange(0, 35), Sounds = [new SoundCue("knock", 18)] }, 36),
        };
        var track = FilmSoundtrack.Build(shots, _ => null, null, 0, -23)!;
        Assert.Equal(5 * Rate, track.Samples.Length);
        Assert.InRange(SoundMeasure.Onset(track, 0, 1.0) - 0.5, -0.001, 1 / 12.0);
        Assert.InRange(SoundMeasure.Onset(track, 2.5, 4.0) - 3.5, -0.001, 1 / 12.0);
    }

    [Fact]
    public void A_clip_is_the_same_cut_whatever_spec_object_it_carries()
    {
        var spec = new ShotSpec { Id = "a", Fps = 12, Sounds = [new SoundCue("bang", 2)] };
        var job = new EditJob("p", [new EditClip("a", "f", "cut", 12, "p--a", 2, spec)], null, 0, 8);
        var copy = new EditJob("p", [new EditClip("a", "f", "cut", 12, "p--a", 2, spec with { Sounds = [new SoundCue("bang", 2)] })], null, 0, 8);
        Assert.True(job.SameCut(copy));
        Assert.False(job.SameCut(copy with { Loudness = -14 }));
        Assert.False(job.SameCut(new EditJob("p", [new EditClip("a", "f", "cut", 12, "p--a", 3, spec)], null, 0, 8)));
    }
}
