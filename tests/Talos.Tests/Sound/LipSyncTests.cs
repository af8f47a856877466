using Talos.Gpu.Axis.LipSync;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Processes;
using Talos.Gpu.Protoforge;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>The pinned Silero VAD, fetched by the project's own code into the model cache once per machine, loaded once per test class.</summary>
public sealed class VadFixture : IDisposable
{
    public SileroVad Vad { get; } = SileroVad.LoadDefault();
    public void Dispose() => Vad.Dispose();
}

/// <summary>Speech whose timing the test knows: espeak-ng words and phrases placed between silences the test chooses.</summary>
public static class KnownSpeech
{
    public const int Rate = 16_000;
    static readonly Dictionary<(string, int), float[]> Spoken = new();

    /// <summary><paramref name="text"/> spoken by espeak-ng, decoded at 16 kHz, its own leading and trailing silence cut off.</summary>
    public static float[] Speak(string text, int pitch = 50)
    {
        lock (Spoken)
        {
            if (Spoken.TryGetValue((text, pitch), out var hit)) return hit;
            var dir = Repo.TempDir("speak");
            try
            {
                var wav = Path.Combine(dir, "w.wav");
                ProcessRunner.Run(ProcessRunner.Require("espeak-ng"), ["-v", "en", "-s", "150", "-p", pitch.ToString(), "-w", wav, "--stdin"], text);
                var x = AudioDecoder.DecodeMono(wav, Rate).Samples;
                int a = 0, b = x.Length - 1;
                while (a < b && Math.Abs(x[a]) < 0.01f) a++;
                while (b > a && Math.Abs(x[b]) < 0.01f) b--;
                return Spoken[(text, pitch)] = x[a..(b + 1)];
            }
            finally { Directory.Delete(dir, true); }
        }
    }

    /// <summary>Pieces laid end to end after <paramref name="lead"/> seconds of silence, each followed by its gap; where each one sounds.</summary>
    public static (PcmAudio Audio, List<(double Start, double End, string Text)> Truth) Lay(double lead, params (string Text, double GapAfter)[] pieces)
    {
        var all = new List<float>(new float[(int)(lead * Rate)]);
        var truth = new List<(double, double, string)>();
        foreach (var (text, gap) in pieces)
        {
            var x = Speak(text);
            truth.Add(((double)all.Count / Rate, (double)(all.Count + x.Length) / Rate, text));
            all.AddRange(x);
            all.AddRange(new float[(int)(gap * Rate)]);
        }
        return (new PcmAudio([.. all], Rate), truth);
    }
}

public sealed class LipSyncTests(VadFixture fixture, ITestOutputHelper output) : IClassFixture<VadFixture>
{
    const int Fps = 24;

    static readonly string[] Labial = ["mother", "banana", "people", "maybe", "paper", "button", "money", "pocket", "moon", "bottle", "pepper", "mouse"];
    static readonly string[] Others = ["sun", "far", "go", "hello", "we", "the", "light", "zero", "cat", "dog", "tea", "yes"];

    [Fact]
    public void Mouth_rests_in_silence_and_moves_in_speech_within_one_frame_of_the_boundaries()
    {
        var (audio, truth) = KnownSpeech.Lay(0.6, ("the tide is turning", 0.8), ("then we sail at dawn", 0.55), ("hello there", 0.9), ("what a lovely day", 0.5));
        var track = LipSyncAnalyzer.Analyze(audio, fixture.Vad);
        int frames = (int)Math.Floor(audio.Seconds * Fps);
        bool Speaking(int f) => track.AtFrame(f, 0, Fps) != MouthShape.X;
        int worst = 0;
        foreach (var (start, end, text) in truth)
        {
            // the frames whose sampled instant (a quarter into the frame) falls inside the phrase
            int first = (int)Math.Ceiling(start * Fps - 0.25), last = (int)Math.Floor(end * Fps - 0.25);
            int a = first - 3, b = last + 3;
            while (a < first + 3 && !Speaking(a)) a++;
            while (b > last - 3 && !Speaking(b)) b--;
            int startError = a - first, endError = b - last;
            output.WriteLine($"'{text}': frames {first}..{last}, mouth moves {a}..{b} (errors {startError:+0;-0;0}, {endError:+0;-0;0} frames)");
            Assert.InRange(startError, -1, 1);
            Assert.InRange(endError, -1, 1);
            worst = Math.Max(worst, Math.Max(Math.Abs(startError), Math.Abs(endError)));
            // it moves: several shapes and many changes across the phrase, and it never rests in the middle of it
            var shapes = Enumerable.Range(first + 1, last - first - 1).Select(f => track.AtFrame(f, 0, Fps)).ToList();
            int changes = shapes.Zip(shapes.Skip(1), (x, y) => x != y).Count(d => d);
            Assert.True(shapes.Distinct().Count() >= 3 && changes >= text.Split(' ').Length, $"'{text}': only {shapes.Distinct().Count()} shapes, {changes} changes");
            Assert.True(shapes.Count(x => x == MouthShape.X) <= 2, $"'{text}': the mouth rests {shapes.Count(x => x == MouthShape.X)} frames inside the phrase");
        }
        // silence between the phrases (more than a frame from any boundary) is rest, every frame
        for (int f = 0; f < frames; f++)
        {
            double t = (f + 0.25) / Fps;
            if (truth.All(p => t < p.Start - 1.0 / Fps || t > p.End + 1.0 / Fps)) Assert.True(!Speaking(f), $"frame {f} ({t:0.000} s) is silence but shows {track.AtFrame(f, 0, Fps)}");
        }
        output.WriteLine($"worst boundary error: {worst} frame(s) at {Fps} fps");
    }

    [Fact]
    public void Words_that_begin_with_M_B_or_P_open_from_closed_lips_and_others_do_not()
    {
        var words = Labial.Concat(Others).ToArray();
        var (audio, truth) = KnownSpeech.Lay(0.5, words.Select(w => (w, 0.45)).ToArray());
        var track = LipSyncAnalyzer.Analyze(audio, fixture.Vad);
        bool ClosedAtStart(double onset) => track.Cues.Any(c => c.Value == MouthShape.A && c.End > onset - 1.0 / Fps && c.Start < onset + 0.06);
        var found = truth.Where(p => Labial.Contains(p.Text) && ClosedAtStart(p.Start)).Select(p => p.Text).ToList();
        var wrong = truth.Where(p => Others.Contains(p.Text) && ClosedAtStart(p.Start)).Select(p => p.Text).ToList();
        foreach (var (start, end, text) in truth)
            output.WriteLine($"{text,-8} {start:0.000}: " + string.Join(" ", track.Cues.Where(c => c.End > start - 0.05 && c.Start < end).Select(c => $"{c.Value}@{c.Start:0.00}")));
        output.WriteLine($"closed at the start: {found.Count}/{Labial.Length} M/B/P words (missed: {string.Join(", ", Labial.Except(found))}); " +
            $"{wrong.Count}/{Others.Length} other words ({string.Join(", ", wrong)})");
        Assert.True(found.Count >= Labial.Length - 2, $"only {found.Count}/{Labial.Length} M/B/P words start closed; missed {string.Join(", ", Labial.Except(found))}");
        Assert.True(wrong.Count <= 2, $"{wrong.Count}/{Others.Length} words without M/B/P start closed: {string.Join(", ", wrong)}");
    }

    [Fact]
    public void Same_audio_gives_bit_identical_probabilities_and_cues()
    {
        var (audio, _) = KnownSpeech.Lay(0.3, ("maybe the paper", 0.3));
        var p1 = fixture.Vad.Probabilities(audio);
        using var other = SileroVad.Load(NpmFetcher.Ensure(ModelRegistry.SileroVad));
        var p2 = other.Probabilities(audio);
        Assert.Equal(p1.Select(BitConverter.SingleToInt32Bits), p2.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(p1, p => p > 0.9f); // it hears the speech
        Assert.Contains(p1, p => p < 0.1f); // and the silence
        Assert.Equal(LipSyncAnalyzer.Analyze(audio, fixture.Vad).ToRhubarbJson(), LipSyncAnalyzer.Analyze(audio, other).ToRhubarbJson());
    }

    [Fact]
    public async Task Talos_lipsync_prints_rhubarb_json_with_contiguous_cues()
    {
        var (audio, truth) = KnownSpeech.Lay(0.4, ("bring me the map", 0.5));
        var dir = Repo.TempDir("lipsync");
        var wav = Path.Combine(dir, "line.wav");
        File.WriteAllBytes(wav, AudioDecoder.ToWav16(audio));
        var json = Path.Combine(dir, "cues.json");
        var (code, err) = await CliRunner.Run([Talos.Cli.Axis.LipSyncCommand.Create()], "lipsync", wav, "--json", "--out", json);
        Assert.True(code == 0, err);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var cues = doc.RootElement.GetProperty("mouthCues").EnumerateArray()
            .Select(c => (Start: c.GetProperty("start").GetDouble(), End: c.GetProperty("end").GetDouble(), Value: c.GetProperty("value").GetString()!)).ToList();
        Assert.Equal(0.0, cues[0].Start);
        Assert.Equal("X", cues[0].Value);
        Assert.Equal("X", cues[^1].Value);
        Assert.Equal(Math.Round(audio.Seconds, 2), cues[^1].End, 2);
        for (int i = 1; i < cues.Count; i++)
        {
            Assert.Equal(cues[i - 1].End, cues[i].Start);
            Assert.NotEqual(cues[i - 1].Value, cues[i].Value);
        }
        Assert.All(cues, c => Assert.Contains(c.Value, new[] { "A", "B", "C", "D", "E", "F", "G", "H", "X" }));
        Assert.InRange(cues.First(c => c.Value != "X").Start, truth[0].Start - 1.0 / Fps, truth[0].Start + 1.0 / Fps);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, doc.RootElement.GetProperty("metadata").GetProperty("duration").ValueKind);
    }

    [Fact]
    public async Task Bad_audio_into_talos_lipsync_is_one_clear_error()
    {
        var dir = Repo.TempDir("lipsync-bad");
        var truncated = Path.Combine(dir, "cut.wav");
        File.WriteAllBytes(truncated, AudioDecoder.ToWav16(new PcmAudio(new float[16000], 16000))[..400]);
        var text = Path.Combine(dir, "notes.wav");
        File.WriteAllText(text, "these are not samples, just words in a file named like audio\n");
        var empty = Path.Combine(dir, "empty.wav");
        File.WriteAllBytes(empty, []);
        foreach (var (file, says) in new[] { (truncated, "truncated WAV"), (text, "not a sound file"), (empty, "empty"), (Path.Combine(dir, "missing.wav"), "not found") })
        {
            var (code, err) = await CliRunner.Run([Talos.Cli.Axis.LipSyncCommand.Create()], "lipsync", file, "--json");
            Assert.Equal(2, code);
            Assert.StartsWith("error: ", err);
            Assert.Contains(says, err);
            Assert.Single(err.Trim().Split('\n'));
        }
    }

    [Fact]
    public void A_corrupt_or_foreign_model_is_one_clear_error()
    {
        var good = File.ReadAllBytes(NpmFetcher.Ensure(ModelRegistry.SileroVad));
        var e = Assert.Throws<ProtoforgeException>(() => SileroVad.Load(good[..(good.Length / 2)], "half.onnx"));
        Assert.Contains("half.onnx", e.Message);
        Assert.Contains("not a loadable ONNX model", e.Message);
        e = Assert.Throws<ProtoforgeException>(() => SileroVad.Load("/nonexistent/silero.onnx"));
        Assert.Contains("does not exist", e.Message);
        // a cached file whose bytes changed is not used; a download that is not the pinned tarball is refused
        var cache = Repo.TempDir("models");
        File.WriteAllBytes(Path.Combine(cache, ModelRegistry.SileroVad.CacheFileName), good[..1000]);
        Assert.Null(NpmFetcher.Cached(ModelRegistry.SileroVad, cache));
        using var http = new HttpClient(new FixedAnswer("<html>not a package</html>"u8.ToArray()));
        e = Assert.Throws<ProtoforgeException>(() => NpmFetcher.Ensure(ModelRegistry.SileroVad, cache, http: http));
        Assert.Contains("pinned d1a211cf", e.Message);
        Assert.Contains("refused", e.Message);
        var ex = Assert.Throws<ProtoforgeException>(() => ModelRegistry.Get("whisper"));
        Assert.Contains("silero-vad", ex.Message);
    }

    sealed class FixedAnswer(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
    }
}
