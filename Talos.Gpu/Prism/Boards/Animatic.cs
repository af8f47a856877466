using System.Buffers.Binary;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Processes;

namespace Talos.Gpu.Prism.Boards;

public sealed record AnimaticOptions(int Width = 640, int Height = 360, int Fps = 24, int? FirstScene = null, int? LastScene = null, bool ScratchAudio = false);

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
        var shots = Storyboard.Shots(graph, options.Width, options.Height, options.Fps, options.FirstScene, options.LastScene);
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
                        lines.Add(new ScratchAudio.Cue(shotStart + l.StartSeconds, l.Text, Math.Max(0, IndexOf(graph.Characters, l.Character))));
                    startFrame += counts[i];
                }
                wav = Path.Combine(tmpDir, "scratch.wav");
                ScratchAudio.Render(lines, startFrame / (double)options.Fps, wav, log, ct);
            }
            IEnumerable<byte[]> Frames()
            {
                for (int i = 0; i < shots.Count; i++)
                {
                    var frame = Storyboard.AnimaticFrame(shots[i]).Data;
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

    static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
    }
}

/// <summary>A scratch dialogue track: every line spoken by espeak-ng (installed with apt-get when missing and running as root)
/// at its start time, each character at its own pitch, mixed into one 16-bit mono WAV.</summary>
public static class ScratchAudio
{
    public sealed record Cue(double StartSeconds, string Text, int Voice);

    static readonly object Gate = new();
    static string? _espeak;

    public static string EnsureEspeak(Action<string>? log = null)
    {
        lock (Gate)
        {
            try { return _espeak ??= ProcessRunner.Require("espeak-ng", log: log); }
            catch (ProcessException e) { throw new CutturaException($"{e.Message} (needed for --scratch-audio)", e); }
        }
    }

    /// <summary>Speaks every cue into <paramref name="wavPath"/> (<paramref name="totalSeconds"/> long; speech past the end is cut).</summary>
    public static void Render(IReadOnlyList<Cue> cues, double totalSeconds, string wavPath, Action<string>? log = null, CancellationToken ct = default)
    {
        var espeak = EnsureEspeak(log);
        const int rate = 22050;
        var mix = new int[Math.Max(1, (int)Math.Ceiling(totalSeconds * rate))];
        var dir = Path.GetDirectoryName(Path.GetFullPath(wavPath))!;
        for (int i = 0; i < cues.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var text = string.Join(' ', cues[i].Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (!text.Any(char.IsLetterOrDigit)) continue;
            var one = Path.Combine(dir, $"line{i}.wav");
            // The text goes on stdin, so a line starting with '-' is never read as an option.
            try { ProcessRunner.Run(espeak, ["-v", "en", "-s", "165", "-p", (35 + 12 * (cues[i].Voice % 4)).ToString(), "-w", one, "--stdin"], text, timeout: TimeSpan.FromMinutes(1)); }
            catch (ProcessException e) { throw new CutturaException($"dialogue line {i + 1}: {e.Message}", e); }
            if (!File.Exists(one)) throw new CutturaException($"espeak-ng wrote no WAV for dialogue line {i + 1}");
            var (samples, srcRate) = ReadWav16Mono(File.ReadAllBytes(one));
            File.Delete(one);
            long at = (long)Math.Round(cues[i].StartSeconds * rate);
            for (long k = 0; k < samples.Length * (long)rate / srcRate; k++)
            {
                long dst = at + k;
                if (dst >= mix.Length) break;
                mix[dst] += samples[(int)(k * srcRate / rate)];
            }
        }
        WriteWav16Mono(wavPath, mix, rate);
    }

    static (short[] Samples, int Rate) ReadWav16Mono(byte[] wav)
    {
        if (wav.Length < 12 || wav[0] != 'R' || wav[1] != 'I' || wav[2] != 'F' || wav[3] != 'F') throw new CutturaException("espeak-ng wrote something that is not a WAV file");
        int rate = 22050, channels = 1, bits = 16, p = 12;
        while (p + 8 <= wav.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(wav, p, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(p + 4));
            if (size < 0) break;
            if (id == "fmt " && size >= 16)
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(p + 10));
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(p + 12));
                bits = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(p + 22));
            }
            else if (id == "data")
            {
                if (bits != 16 || channels < 1 || rate <= 0) throw new CutturaException($"espeak-ng WAV is {bits}-bit, {channels} channel(s), {rate} Hz: expected 16-bit PCM");
                int n = Math.Min(size, wav.Length - p - 8) / (2 * channels);
                var s = new short[n];
                for (int k = 0; k < n; k++) s[k] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(p + 8 + k * 2 * channels));
                return (s, rate);
            }
            p += 8 + size + (size & 1);
        }
        throw new CutturaException("espeak-ng WAV has no data chunk");
    }

    static void WriteWav16Mono(string path, int[] mix, int rate)
    {
        var bytes = new byte[44 + mix.Length * 2];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span); BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + mix.Length * 2); "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]); BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16); BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1); BinaryPrimitives.WriteInt32LittleEndian(span[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], rate * 2); BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2); BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]); BinaryPrimitives.WriteInt32LittleEndian(span[40..], mix.Length * 2);
        for (int k = 0; k < mix.Length; k++) BinaryPrimitives.WriteInt16LittleEndian(span[(44 + 2 * k)..], (short)Math.Clamp(mix[k], short.MinValue, short.MaxValue));
        File.WriteAllBytes(path, bytes);
    }
}
