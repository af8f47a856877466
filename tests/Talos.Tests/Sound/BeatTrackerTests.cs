using System.Text.Json;
using Talos.Cli;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>CUTTURA's beat tracker on seeded synthetic tracks with known beats (decoded through ffmpeg like any file).</summary>
public sealed class BeatTrackerTests
{
    static string WriteTrack(DirectoryInfo dir, SyntheticTrack t, string ext = ".wav")
    {
        var wav = Path.Combine(dir.FullName, t.Recipe.Name + ".wav");
        File.WriteAllBytes(wav, AudioDecoder.ToWav16(t.Audio));
        if (ext == ".wav") return wav;
        var other = Path.ChangeExtension(wav, ext);
        Talos.Gpu.Processes.ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-nostdin", "-v", "error", "-i", wav, "-b:a", "160k", other]);
        return other;
    }

    [Fact]
    public void Steady_track_as_mp3_gives_its_tempo_and_beats()
    {
        var dir = Directory.CreateTempSubdirectory("talos-beats-");
        try
        {
            var t = SyntheticMusic.Make(new MusicRecipe { Name = "steady", Bpm = 126, Seconds = 12, Syncopation = 0.3, Seed = 77 });
            var a = BeatTracker.Track(WriteTrack(dir, t, ".mp3"));
            Assert.InRange(a.Tempo, 126 * 0.98, 126 * 1.02);
            Assert.True(BeatMetrics.FMeasure(t.Beats, a.Beats) >= 0.9, $"F {BeatMetrics.FMeasure(t.Beats, a.Beats):0.000}");
            Assert.True(BeatMetrics.FMeasure(t.Downbeats, a.Downbeats) >= 0.8, $"downbeat F {BeatMetrics.FMeasure(t.Downbeats, a.Downbeats):0.000}");
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_tempo_ramp_is_followed()
    {
        var t = SyntheticMusic.Make(new MusicRecipe { Name = "ramp", Bpm = 96, EndBpm = 132, Seconds = 20, Seed = 78 });
        var a = BeatTracker.Track(AudioDecoder.DecodeMono(WriteBack(t), BeatTracker.SampleRate, "ramp"));
        Assert.True(BeatMetrics.FMeasure(t.Beats, a.Beats) >= 0.9, $"F {BeatMetrics.FMeasure(t.Beats, a.Beats):0.000}");
        // the local tempo rises with the track: early under 110, late over 118
        Assert.True(a.LocalTempo[(int)(3 * BeatTracker.EnvelopeRate)] < 110 && a.LocalTempo[(int)(17 * BeatTracker.EnvelopeRate)] > 118,
            $"local tempo {a.LocalTempo[300]:0.0} → {a.LocalTempo[1700]:0.0}");
    }

    static byte[] WriteBack(SyntheticTrack t) => AudioDecoder.ToWav16(t.Audio);

    [Fact]
    public void Same_audio_gives_identical_beats()
    {
        var t = SyntheticMusic.Make(new MusicRecipe { Name = "det", Bpm = 100, Seconds = 8, Swing = 1, Seed = 79 });
        Assert.Equal(t.Audio.Samples, SyntheticMusic.Make(t.Recipe).Audio.Samples);
        var pcm = AudioDecoder.DecodeMono(WriteBack(t), BeatTracker.SampleRate, "det");
        var a = BeatTracker.Track(pcm);
        var b = BeatTracker.Track(pcm);
        Assert.Equal(a.Beats, b.Beats);
        Assert.Equal(a.Downbeats, b.Downbeats);
        Assert.Equal(a.Tempo, b.Tempo);
        Assert.True(BeatMetrics.FMeasure(t.Beats, a.Beats) >= 0.9);
    }

    [Fact]
    public void Silence_has_no_beats()
    {
        var a = BeatTracker.Track(new PcmAudio(new float[BeatTracker.SampleRate * 5], BeatTracker.SampleRate));
        Assert.Empty(a.Beats);
        Assert.Equal(0, a.Tempo);
    }

    [Fact]
    public void F_measure_follows_the_mirex_definition()
    {
        double[] truth = [1, 2, 3, 4];
        Assert.Equal(1, BeatMetrics.FMeasure(truth, [1.05, 1.95, 3.0, 4.069]));
        Assert.Equal(0, BeatMetrics.FMeasure(truth, truth.Select(t => t + 0.1).ToArray()));
        Assert.Equal(2 * 0.5 * 1 / 1.5, BeatMetrics.FMeasure(truth, [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]), 9); // double tempo: P ½, R 1
        Assert.Equal(2 * 1 * 0.5 / 1.5, BeatMetrics.FMeasure(truth, [1, 3]), 9);                           // half tempo: P 1, R ½
        Assert.Equal(1, BeatMetrics.FMeasure(truth, [3, 4], skip: 2.5));                                      // first beats skipped
    }

    [Fact]
    public async Task Cli_prints_json_and_a_table_and_one_clear_error_for_bad_audio()
    {
        var dir = Directory.CreateTempSubdirectory("talos-beats-cli-");
        try
        {
            var t = SyntheticMusic.Make(new MusicRecipe { Name = "cli", Bpm = 110, Seconds = 8, Seed = 80 });
            var wav = WriteTrack(dir, t);
            var json = new StringWriter();
            Assert.Equal(CliErrors.Ok, MusicCommands.RunBeats(wav, json: true, json));
            using var doc = JsonDocument.Parse(json.ToString());
            Assert.InRange(doc.RootElement.GetProperty("tempo").GetDouble(), 107, 113);
            var beats = doc.RootElement.GetProperty("beats").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.True(BeatMetrics.FMeasure(t.Beats, beats) >= 0.9);
            Assert.NotEmpty(doc.RootElement.GetProperty("downbeats").EnumerateArray());
            var table = new StringWriter();
            MusicCommands.RunBeats(wav, json: false, table);
            Assert.Contains("BPM", table.ToString());

            var bad = Path.Combine(dir.FullName, "bad.mp3");
            File.WriteAllText(bad, "this is not sound");
            var (code, err) = await Support.CliRunner.Run([MusicCommands.Beats()], "beats", bad);
            Assert.Equal(CliErrors.BadInput, code);
            Assert.Contains("bad.mp3", err);
            Assert.Single(err.Trim().Split('\n'));
            var empty = Path.Combine(dir.FullName, "empty.wav");
            File.WriteAllBytes(empty, []);
            (code, err) = await Support.CliRunner.Run([MusicCommands.Beats()], "beats", empty);
            Assert.Equal(CliErrors.BadInput, code);
            Assert.Contains("empty", err);
        }
        finally { dir.Delete(true); }
    }
}
