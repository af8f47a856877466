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

    [Fact]
    public void Diagnose_words()
    {
        string[] words = ["mama", "bob", "pop", "sun", "far", "go", "hello", "we", "move", "the", "ball", "paper"];
        var (audio, truth) = KnownSpeech.Lay(0.5, words.Select(w => (w, 0.5)).ToArray());
        var track = LipSyncAnalyzer.Analyze(audio, fixture.Vad);
        var f = new SpeechFeatures(audio.Samples);
        var probs = fixture.Vad.Probabilities(audio);
        foreach (var (s, e, text) in truth)
        {
            var cues = track.Cues.Where(c => c.End > s - 0.1 && c.Start < e + 0.1);
            output.WriteLine($"{text,-8} {s:0.000}-{e:0.000} p " + string.Join(",", probs[(int)(s / 0.032)..((int)(e / 0.032) + 2)].Select(p => p.ToString("0.00"))) + ": " + string.Join(" ", cues.Select(c => $"{c.Value}[{c.Start:0.00}-{c.End:0.00}]")));
            for (int i = (int)(s / 0.01) - 2; i < (int)(s / 0.01) + 0; i++)
                output.WriteLine($"   {i * 0.01:0.00} db {f.Db[i],6:0.0} zcr {f.Zcr[i]:0.00} low {f.LowShare[i]:0.00} high {f.HighShare[i]:0.00} f1 {f.F1[i],4:0} f2 {f.F2[i],4:0} cen {f.Centroid[i],4:0}");
        }
    }
}
