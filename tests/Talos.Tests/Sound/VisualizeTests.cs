using Talos.Cli;
using Talos.Gpu.Cuttura.Audio;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>`talos visualize` end to end: the film's frame-to-frame motion peaks on the track's beats.</summary>
public sealed class VisualizeTests
{
    const int W = 96, H = 54, Fps = 24;

    [Fact]
    public async Task Motion_of_the_film_peaks_on_the_beats()
    {
        var dir = Directory.CreateTempSubdirectory("talos-visualize-");
        try
        {
            var t = SyntheticMusic.Make(new MusicRecipe { Name = "mv", Bpm = 104, Seconds = 7, Syncopation = 0.2, Seed = 81 });
            var wav = Path.Combine(dir.FullName, "mv.wav");
            File.WriteAllBytes(wav, AudioDecoder.ToWav16(t.Audio));
            var mp4 = Path.Combine(dir.FullName, "mv.mp4");
            Assert.Equal(0, await MusicCommands.RunVisualizeAsync(new MusicCommands.VisualizeRequest(wav, mp4, "fluid", W, H, Fps, 24), TestContext.Current.CancellationToken));

            var frames = await FrameGrab.DecodeAsync(mp4, W, H);
            Assert.InRange(frames.Count, 7 * Fps - 1, 7 * Fps + 1);
            // motion[f]: mean absolute difference between frame f-1 and frame f
            var motion = new double[frames.Count];
            for (int f = 1; f < frames.Count; f++) motion[f] = FrameGrab.MeanAbsDiff(frames[f - 1], frames[f]);
            var beatFrames = t.Beats.Select(b => (int)Math.Round(b * Fps)).Where(f => f >= 2 && f < frames.Count - 2).ToArray();
            // a peak: the largest motion within two frames either side
            bool PeakNear(int f) => Enumerable.Range(f - 1, 3).Any(g => motion[g] >= Enumerable.Range(g - 2, 5).Where(h => h >= 1 && h < motion.Length).Max(h => motion[h]));
            double hit = beatFrames.Count(PeakNear) / (double)beatFrames.Length;
            Assert.True(hit >= 0.8, $"motion peaks within ±1 frame of {hit:P0} of the beats");
            TestContext.Current.SendDiagnosticMessage($"visualize: motion peaks near {hit:P0} of the beats");

            // correlation with the true beat train, against the same train shifted by half a beat
            double Corr(int shift)
            {
                var train = new double[motion.Length];
                foreach (var f in beatFrames) if (f + shift >= 1 && f + shift < train.Length) train[f + shift] = 1;
                var m = motion.Skip(1).ToArray(); var b = train.Skip(1).ToArray();
                double mm = m.Average(), bm = b.Average();
                double cov = m.Zip(b, (x, y) => (x - mm) * (y - bm)).Sum();
                return cov / Math.Sqrt(m.Sum(x => (x - mm) * (x - mm)) * b.Sum(y => (y - bm) * (y - bm)));
            }
            int half = (int)Math.Round(60.0 / 104 * Fps / 2);
            double onBeat = Corr(0), offBeat = Corr(half);
            Assert.True(onBeat > 0.5 && onBeat > offBeat + 0.4, $"correlation on the beats {onBeat:0.00}, half a beat off {offBeat:0.00}");
            TestContext.Current.SendDiagnosticMessage($"visualize: correlation on the beats {onBeat:0.00}, half a beat off {offBeat:0.00}");
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Bad_track_and_bad_options_get_one_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("talos-visualize-bad-");
        try
        {
            var bad = Path.Combine(dir.FullName, "song.flac");
            File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
            var (code, err) = await CliRunner.Run([MusicCommands.Visualize()], "visualize", bad, "--out", Path.Combine(dir.FullName, "x.mp4"));
            Assert.Equal(CliErrors.BadInput, code);
            Assert.Contains("song.flac", err);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "x.mp4")));
            (code, err) = await CliRunner.Run([MusicCommands.Visualize()], "visualize", bad, "--style", "opera");
            Assert.Equal(CliErrors.BadInput, code);
            Assert.Contains("--style 'opera'", err);
        }
        finally { dir.Delete(true); }
    }
}
