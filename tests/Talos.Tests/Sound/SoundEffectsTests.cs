using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>The procedural effects library: every effect is sound (not silence), as long as it says, and the same for the same seed.</summary>
public sealed class SoundEffectsTests
{
    const int Rate = 16000;

    public static TheoryData<string> Names() => new(SoundEffects.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_effect_is_audible_the_right_length_and_deterministic(string name)
    {
        var a = SoundEffects.Synthesize(name, 2.5, Rate, seed: 7);
        double expected = SoundEffects.IsAmbience(name) ? 2.5 : SoundEffects.LengthSeconds(name, 0);
        Assert.Equal((int)Math.Round(expected * Rate), a.Samples.Length);
        double peak = a.Samples.Max(Math.Abs), rms = SoundMeasure.Rms(a, 0, a.Seconds);
        Assert.InRange(peak, 0.02, 0.95);
        if (SoundEffects.IsAmbience(name)) Assert.InRange(rms, SoundEffects.AmbienceRms * 0.99, SoundEffects.AmbienceRms * 1.01);
        else Assert.InRange(peak, SoundEffects.OneShotPeak * 0.99, SoundEffects.OneShotPeak * 1.01);
        Assert.True(rms > 0.005, $"{name}: rms {rms:F4}");
        Assert.All(a.Samples, v => Assert.True(float.IsFinite(v)));

        Assert.Equal(a.Samples, SoundEffects.Synthesize(name, 2.5, Rate, seed: 7).Samples);
        Assert.NotEqual(a.Samples, SoundEffects.Synthesize(name, 2.5, Rate, seed: 8).Samples);
    }

    [Fact]
    public void Effects_differ_from_each_other_and_an_unknown_name_is_refused()
    {
        var spectra = SoundEffects.Names.ToDictionary(n => n, n => SoundEffects.Synthesize(n, 1.0, Rate, 1));
        // Brightness (share of energy above 2 kHz, by first differences) tells a low thud from a hiss.
        double Bright(PcmAudio a)
        {
            double d = 0, e = 0;
            for (int i = 1; i < a.Samples.Length; i++) { double x = a.Samples[i] - a.Samples[i - 1]; d += x * x; e += a.Samples[i] * (double)a.Samples[i]; }
            return d / Math.Max(e, 1e-12);
        }
        Assert.True(Bright(spectra["rain"]) > 4 * Bright(spectra["impact"]), "rain is brighter than a thud");
        Assert.True(Bright(spectra["crash"]) > 4 * Bright(spectra["bang"]), "a crash is brighter than a bang");
        var e = Assert.Throws<CutturaException>(() => SoundEffects.Synthesize("kazoo", 1, Rate, 1));
        Assert.Contains("'kazoo'", e.Message);
        Assert.Contains("door-slam", e.Message);
    }
}
