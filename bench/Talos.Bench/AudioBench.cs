using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Processes;

namespace Talos.Bench;

/// <summary>
/// `bench/run audio [--tuning]`: beat tracking F-measure (±70 ms) on synthetic tracks with known beats, Talos against
/// `aubio beat` (Debian aubio-tools) in the same run. The benchmark set (seeds 1000+) is never used to tune; develop
/// with --tuning (seeds 1+, other tempi). Writes a table and bench-results/audio.json.
/// </summary>
public static class AudioBench
{
    public static int Run(bool tuning)
    {
        var aubio = FindAubio();
        if (aubio is null)
        {
            Console.Error.WriteLine("aubio is not installed: the benchmark compares against `aubio beat`. Install it: sudo apt-get install aubio-tools");
            return 2;
        }
        var recipes = tuning ? SyntheticMusic.TuningSet() : SyntheticMusic.BenchmarkSet();
        var dir = Directory.CreateTempSubdirectory("talos-bench-audio-").FullName;
        var rows = new List<Row>();
        Console.WriteLine($"beat tracking, {(tuning ? "TUNING set" : "benchmark set")}: F-measure ±70 ms (all beats | mir_eval's first 5 s skipped)");
        Console.WriteLine($"{"track",-28} {"true BPM",9} {"Talos BPM",9} {"Talos F",8} {"F>5s",6} {"aubio F",8} {"F>5s",6} {"Talos s",8}");
        try
        {
            foreach (var r in recipes)
            {
                var track = SyntheticMusic.Make(r);
                var wav = Path.Combine(dir, r.Name + ".wav");
                File.WriteAllBytes(wav, AudioDecoder.ToWav16(track.Audio));
                var clock = Stopwatch.StartNew();
                var ours = BeatTracker.Track(wav);
                double secs = clock.Elapsed.TotalSeconds;
                var theirs = AubioBeats(aubio, wav);
                var row = new Row(r.Name, r.EndBpm is { } e ? $"{r.Bpm:0}-{e:0}" : r.Bpm.ToString("0", CultureInfo.InvariantCulture), ours.Tempo,
                    BeatMetrics.FMeasure(track.Beats, ours.Beats), BeatMetrics.FMeasure(track.Beats, ours.Beats, skip: 5),
                    BeatMetrics.FMeasure(track.Beats, theirs), BeatMetrics.FMeasure(track.Beats, theirs, skip: 5),
                    BeatMetrics.FMeasure(track.Downbeats, ours.Downbeats), secs, track.Beats.Length, ours.Beats.Length, theirs.Length);
                rows.Add(row);
                Console.WriteLine($"{row.Track,-28} {row.TrueBpm,9} {row.TalosBpm,9:0.0} {row.TalosF,8:0.000} {row.TalosF5,6:0.000} {row.AubioF,8:0.000} {row.AubioF5,6:0.000} {row.TalosSeconds,8:0.00}");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
        double Mean(Func<Row, double> f) => rows.Average(f);
        Console.WriteLine($"{"mean",-28} {"",9} {"",9} {Mean(x => x.TalosF),8:0.000} {Mean(x => x.TalosF5),6:0.000} {Mean(x => x.AubioF),8:0.000} {Mean(x => x.AubioF5),6:0.000}");
        Console.WriteLine($"downbeat F (Talos): {Mean(x => x.DownbeatF):0.000}");
        var version = ProcessRunner.Run(aubio, ["--version"], timeout: TimeSpan.FromSeconds(20)).Output.Trim();
        var doc = new
        {
            set = tuning ? "tuning" : "benchmark",
            window = BeatMetrics.Window,
            aubio = version,
            meanTalosF = Mean(x => x.TalosF), meanAubioF = Mean(x => x.AubioF),
            meanTalosFSkip5 = Mean(x => x.TalosF5), meanAubioFSkip5 = Mean(x => x.AubioF5),
            meanDownbeatF = Mean(x => x.DownbeatF),
            tracks = rows,
        };
        Directory.CreateDirectory("bench-results");
        var path = Path.Combine("bench-results", tuning ? "audio-tuning.json" : "audio.json");
        File.WriteAllText(path, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    sealed record Row(string Track, string TrueBpm, double TalosBpm, double TalosF, double TalosF5, double AubioF, double AubioF5, double DownbeatF,
        double TalosSeconds, int TrueBeats, int TalosBeats, int AubioBeats);

    static string? FindAubio() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "aubio")).FirstOrDefault(File.Exists);

    /// <summary>`aubio beat FILE` prints one beat time (seconds) per line.</summary>
    static double[] AubioBeats(string aubio, string wav) =>
        ProcessRunner.Run(aubio, ["beat", wav], timeout: TimeSpan.FromMinutes(2)).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
}
