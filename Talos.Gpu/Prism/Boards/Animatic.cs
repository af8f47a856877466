using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Prism.Voice;

namespace Talos.Gpu.Prism.Boards;

/// <param name="Cast">dresses the characters (docs/cast.md): their cast rigs and palettes on the panels</param>
public sealed record AnimaticOptions(int Width = 640, int Height = 360, int Fps = 24, int? FirstScene = null, int? LastScene = null, bool ScratchAudio = false, Cast? Cast = null);

public sealed record AnimaticResult(int Frames, int Shots, bool Audio, IReadOnlyList<int> ShotFrames);

/// <summary>
/// An animatic: each shot's storyboard panel (<see cref="Storyboard.AnimaticFrame"/>) held for the shot's duration, encoded
/// by CUTTURA. Shot lengths are rounded on the running total (shot i ends at frame round(end_i × fps)), so each shot has
/// round(duration × fps) frames give or take one and the film has exactly round(total × fps) frames.
/// </summary>
public static class AnimaticBuilder
{
    /// <summary>Frames per shot from durations in seconds, rounded on the running total (at least 1 each).</summary>
    public static List<int> FrameCounts(IEnumerable<double> durations, int fps)
    {
        var counts = new List<int>();
        double end = 0; long done = 0;
        foreach (var d in durations)
        {
            end += d;
            long upTo = Math.Max(done + 1, (long)Math.Round(end * fps, MidpointRounding.AwayFromZero));
            counts.Add((int)(upTo - done));
            done = upTo;
        }
        return counts;
    }

    public static async Task<AnimaticResult> BuildAsync(SceneGraph graph, string outPath, AnimaticOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var shots = Storyboard.Shots(graph, options.Width, options.Height, options.Fps, options.FirstScene, options.LastScene, options.Cast);
        var counts = FrameCounts(shots.Select(s => s.Shot.DurationSeconds), options.Fps);
        string? wav = null, tmpDir = null;
        try
        {
            if (options.ScratchAudio)
            {
                tmpDir = Directory.CreateTempSubdirectory("talos-animatic-").FullName;
                var lines = new List<ScratchAudio.Cue>();
                long startFrame = 0;
                for (int i = 0; i < shots.Count; i++)
                {
                    double shotStart = startFrame / (double)options.Fps;
                    foreach (var l in shots[i].Shot.Lines)
                        lines.Add(new ScratchAudio.Cue(shotStart + l.StartSeconds, l.Text, l.Character));
                    startFrame += counts[i];
                }
                wav = Path.Combine(tmpDir, "scratch.wav");
                ScratchAudio.Render(lines, startFrame / (double)options.Fps, wav, log, ct);
            }
            IEnumerable<byte[]> Frames()
            {
                for (int i = 0; i < shots.Count; i++)
                {
                    var frame = Storyboard.AnimaticFrame(shots[i], options.Cast is null ? null : options.Cast.Asset).Data;
                    for (int k = 0; k < counts[i]; k++) yield return frame;
                }
            }
            await VideoEncoder.EncodeH264Async(Frames(), options.Width, options.Height, options.Fps, outPath, wav, 0, null, ct);
            return new AnimaticResult(counts.Sum(), shots.Count, wav is not null, counts);
        }
        finally
        {
            if (tmpDir is not null) try { Directory.Delete(tmpDir, true); } catch (IOException) { }
        }
    }
}

/// <summary>A scratch dialogue track: every line spoken by the scratch voice (<see cref="ScratchVoice"/>: espeak-ng, each
/// character in its own voice) at its start time, mixed into one 16-bit mono WAV at 22050 Hz.</summary>
public static class ScratchAudio
{
    public sealed record Cue(double StartSeconds, string Text, string Character);

    public static string EnsureEspeak(Action<string>? log = null) => ScratchVoice.EnsureEspeak(log);

    /// <summary>Speaks every cue into <paramref name="wavPath"/> (<paramref name="totalSeconds"/> long; speech past the end is cut).</summary>
    public static void Render(IReadOnlyList<Cue> cues, double totalSeconds, string wavPath, Action<string>? log = null, CancellationToken ct = default)
    {
        const int rate = 22050;
        var mix = new float[Math.Max(1, (int)Math.Ceiling(totalSeconds * rate))];
        for (int i = 0; i < cues.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (!ScratchVoice.Speakable(cues[i].Text)) continue;
            var line = ScratchVoice.Speak(cues[i].Text, ScratchVoice.VoiceOf(cues[i].Character), rate, $"dialogue line {i + 1}", log);
            DialogueAudio.AddAt(mix, line.Samples, (long)Math.Round(cues[i].StartSeconds * rate));
        }
        File.WriteAllBytes(wavPath, AudioDecoder.ToWav16(new PcmAudio(mix, rate)));
    }
}
