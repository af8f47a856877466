using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Talos.Gpu.Processes;
using Talos.Messages.Specs;

namespace Talos.Gpu.Cuttura.Audio;

/// <summary>Mono PCM samples in [-1, 1] at <paramref name="SampleRate"/> Hz.</summary>
public sealed record PcmAudio(float[] Samples, int SampleRate)
{
    public double Seconds => (double)Samples.Length / SampleRate;
}

/// <summary>
/// The one way Talos reads sound (dialogue, music, effects, lip-sync, beats): any format ffmpeg reads, checked first
/// (empty, truncated WAV, absurd sample rate, too long, not audio at all — each one clear error), then decoded by
/// ffmpeg to mono 32-bit float at the rate the caller asks for. ffmpeg's resampler is deterministic, so the same
/// file gives the same samples on every node.
/// </summary>
public static class AudioDecoder
{
    /// <summary>Sample rates a source may declare (telephone to high-resolution studio audio).</summary>
    public const int MinSourceRate = 4000, MaxSourceRate = 384_000;

    /// <summary>Decodes <paramref name="path"/> to mono at <paramref name="sampleRate"/>; <paramref name="what"/> names it in errors.</summary>
    public static PcmAudio DecodeMono(string path, int sampleRate, string? what = null) => DecodeMono(path, [sampleRate], what)[0];

    /// <summary>
    /// Decodes <paramref name="path"/> to mono at each of <paramref name="sampleRates"/> with one ffmpeg process (one output
    /// per rate, each with its own resampler: the samples of each are bit for bit those of a process decoding that rate alone).
    /// </summary>
    public static PcmAudio[] DecodeMono(string path, IReadOnlyList<int> sampleRates, string? what = null) =>
        DecodeAll([(path, what ?? path)], sampleRates)[0];

    /// <summary>
    /// Decodes every one of <paramref name="sources"/> (a path and the name errors give it) to mono at each of
    /// <paramref name="sampleRates"/> with ONE ffmpeg process: an input per source, an output per source and rate, each output
    /// with its own resampler, so each is bit for bit what a process decoding that source at that rate alone gives (a process
    /// start costs far more CPU than a short line's decode). Each source is checked first as <see cref="DecodeMono(string, int, string?)"/>
    /// checks it; when ffmpeg fails on a batch its error does not say which source it could not read: decode them one by one
    /// to find out. Result [source][rate].
    /// </summary>
    public static PcmAudio[][] DecodeAll(IReadOnlyList<(string Path, string What)> sources, IReadOnlyList<int> sampleRates)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(sampleRates);
        if (sources.Count == 0) return [];
        if (sampleRates.Count == 0) throw new ArgumentException("no sample rate to decode at", nameof(sampleRates));
        foreach (var rate in sampleRates)
            if (rate is < 1000 or > MaxSourceRate) throw new ArgumentOutOfRangeException(nameof(sampleRates), rate, "sample rate out of range");
        var ffmpeg = "";
        foreach (var (path, what) in sources)
        {
            if (string.IsNullOrWhiteSpace(path) || path.Contains('\0')) throw new CutturaException("audio path must be a non-empty file path");
            if (!File.Exists(path)) throw new CutturaException($"audio {what}: file not found");
            var length = new FileInfo(path).Length;
            if (length == 0) throw new CutturaException($"audio {what} is empty (0 bytes)");
            var wav = CheckWavHeader(path, length, what);
            ffmpeg = FfmpegTools.EnsureAvailable();
            var probe = wav ?? ProbeWithFfprobe(path, what);
            if (probe.Seconds > Limits.MaxFilmSeconds)
                throw new CutturaException($"audio {what} is {probe.Seconds.ToString("0", CultureInfo.InvariantCulture)} s long; the limit is {Limits.MaxFilmSeconds} s (the longest film)");
            if (probe.Rate is < MinSourceRate or > MaxSourceRate)
                throw new CutturaException($"audio {what} has a sample rate of {probe.Rate} Hz; expected {MinSourceRate}..{MaxSourceRate} Hz");
        }

        // every output but the last into a temporary file, the last to stdout (one source at one rate: exactly the one-output command)
        int outputs = sources.Count * sampleRates.Count;
        var files = Enumerable.Range(0, outputs - 1).Select(_ => Path.Combine(Path.GetTempPath(), $"talos-pcm-{Guid.NewGuid():N}.f32")).ToArray();
        var args = new List<string> { "-nostdin", "-v", "error" };
        foreach (var (path, _) in sources) args.AddRange(["-i", path]);
        for (int o = 0; o < outputs; o++)
            args.AddRange(["-map", $"{(o / sampleRates.Count).ToString(CultureInfo.InvariantCulture)}:a:0", "-ac", "1",
                "-ar", sampleRates[o % sampleRates.Count].ToString(CultureInfo.InvariantCulture), "-f", "f32le", "-acodec", "pcm_f32le",
                o < files.Length ? files[o] : "pipe:1"]);
        if (files.Length > 0) args.Insert(0, "-y");
        using var pcm = new MemoryStream();
        try
        {
            try
            {
                ProcessRunner.Run(ffmpeg, args, timeout: TimeSpan.FromMinutes(10), stdout: pcm);
            }
            catch (ProcessException e)
            {
                var what = sources.Count == 1 ? sources[0].What : $"{sources[0].What} (or one of the {sources.Count - 1} decoded with it)";
                throw new CutturaException($"audio {what} cannot be decoded: {e.Message}", e);
            }
            var result = new PcmAudio[sources.Count][];
            for (int i = 0; i < sources.Count; i++) result[i] = new PcmAudio[sampleRates.Count];
            for (int o = 0; o < outputs; o++)
            {
                var (i, r) = (o / sampleRates.Count, o % sampleRates.Count);
                result[i][r] = o < files.Length
                    ? Samples(File.ReadAllBytes(files[o]), sampleRates[r], sources[i].What)
                    : Samples(pcm.GetBuffer().AsSpan(0, (int)pcm.Length), sampleRates[r], sources[i].What);
            }
            return result;
        }
        finally
        {
            foreach (var f in files) File.Delete(f);
        }
    }

    /// <summary>ffmpeg's f32le bytes as samples, clamped to [-1, 1] (a non-finite sample is 0).</summary>
    static PcmAudio Samples(ReadOnlySpan<byte> bytes, int sampleRate, string what)
    {
        var samples = new float[bytes.Length / 4];
        for (int i = 0; i < samples.Length; i++)
        {
            float v = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            samples[i] = float.IsFinite(v) ? Math.Clamp(v, -1f, 1f) : 0f;
        }
        if (samples.Length == 0) throw new CutturaException($"audio {what} holds no samples");
        return new PcmAudio(samples, sampleRate);
    }

    /// <summary>Decodes bytes (an uploaded asset, a vault blob) through a temporary file.</summary>
    public static PcmAudio DecodeMono(ReadOnlySpan<byte> data, int sampleRate, string what) => DecodeMono(data, [sampleRate], what)[0];

    /// <summary>Decodes bytes at each of <paramref name="sampleRates"/> with one ffmpeg process, through a temporary file.</summary>
    public static PcmAudio[] DecodeMono(ReadOnlySpan<byte> data, IReadOnlyList<int> sampleRates, string what)
    {
        if (data.Length == 0) throw new CutturaException($"audio {what} is empty (0 bytes)");
        return DecodeAll([(data.ToArray(), what)], sampleRates)[0];
    }

    /// <summary>Decodes each of <paramref name="sounds"/> (bytes and a name) at each of <paramref name="sampleRates"/> with one ffmpeg process
    /// (<see cref="DecodeAll(IReadOnlyList{ValueTuple{string, string}}, IReadOnlyList{int})"/>), through temporary files. Result [sound][rate].</summary>
    public static PcmAudio[][] DecodeAll(IReadOnlyList<(byte[] Data, string What)> sounds, IReadOnlyList<int> sampleRates)
    {
        ArgumentNullException.ThrowIfNull(sounds);
        foreach (var (data, what) in sounds)
            if (data.Length == 0) throw new CutturaException($"audio {what} is empty (0 bytes)");
        var tmp = sounds.Select(_ => Path.Combine(Path.GetTempPath(), $"talos-audio-{Guid.NewGuid():N}")).ToArray();
        try
        {
            for (int i = 0; i < tmp.Length; i++) File.WriteAllBytes(tmp[i], sounds[i].Data);
            return DecodeAll([.. tmp.Select((t, i) => (t, sounds[i].What))], sampleRates);
        }
        finally
        {
            foreach (var t in tmp) File.Delete(t);
        }
    }

    /// <summary>Writes 16-bit PCM mono WAV (the format espeak-ng and every editor read).</summary>
    public static byte[] ToWav16(PcmAudio audio)
    {
        var data = new byte[44 + audio.Samples.Length * 2];
        var s = data.AsSpan();
        "RIFF"u8.CopyTo(s); BinaryPrimitives.WriteInt32LittleEndian(s[4..], data.Length - 8);
        "WAVEfmt "u8.CopyTo(s[8..]); BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1); BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], audio.SampleRate); BinaryPrimitives.WriteInt32LittleEndian(s[28..], audio.SampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2); BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]); BinaryPrimitives.WriteInt32LittleEndian(s[40..], audio.Samples.Length * 2);
        for (int i = 0; i < audio.Samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + 2 * i)..], (short)Math.Round(Math.Clamp(audio.Samples[i], -1f, 1f) * 32767f));
        return data;
    }

    /// <summary>What a source declares: its length and sample rate, and who said so (<c>wav header</c> or <c>ffprobe</c>).</summary>
    public sealed record AudioProbe(double Seconds, int Rate, string By);

    /// <summary>
    /// The length and sample rate <see cref="DecodeMono(string, int, string?)"/> checks before it decodes: a PCM WAV's own
    /// header (a fixed data size; integer or float samples) says both, every other source is asked through ffprobe (one
    /// process less per dialogue line and sound cue: the lines espeak-ng speaks are such WAVs).
    /// </summary>
    public static AudioProbe Probe(string path, string? what = null)
    {
        what ??= path;
        if (!File.Exists(path)) throw new CutturaException($"audio {what}: file not found");
        var length = new FileInfo(path).Length;
        if (length == 0) throw new CutturaException($"audio {what} is empty (0 bytes)");
        return CheckWavHeader(path, length, what) ?? ProbeWithFfprobe(path, what);
    }

    static AudioProbe ProbeWithFfprobe(string path, string what)
    {
        ProcessResult r;
        try
        {
            r = ProcessRunner.Run(FfmpegTools.FfprobePath, ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,duration:format=duration",
                "-of", "json", path], timeout: TimeSpan.FromMinutes(2));
        }
        catch (ProcessException e) { throw new CutturaException($"audio {what} is not a sound file ffmpeg can read ({FirstLine(e.Message)})", e); }
        try
        {
            using var doc = JsonDocument.Parse(r.Output);
            var streams = doc.RootElement.TryGetProperty("streams", out var st) ? st : default;
            if (streams.ValueKind != JsonValueKind.Array || streams.GetArrayLength() == 0) throw new CutturaException($"audio {what} has no audio stream");
            var a = streams[0];
            int rate = a.TryGetProperty("sample_rate", out var sr) && int.TryParse(sr.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
            double seconds = Seconds(a) ?? (doc.RootElement.TryGetProperty("format", out var f) ? Seconds(f) : null) ?? 0;
            return new AudioProbe(seconds, rate, "ffprobe");
        }
        catch (JsonException e) { throw new CutturaException($"audio {what}: ffprobe's answer could not be read", e); }
    }

    static double? Seconds(JsonElement e) =>
        e.TryGetProperty("duration", out var d) && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null;

    static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();

    /// <summary>
    /// A RIFF/WAVE file is checked by its own header before ffmpeg sees it, because ffmpeg quietly decodes what is
    /// there: a data chunk that claims more bytes than the file holds is a truncated WAV, a fmt chunk with an absurd
    /// rate or no channels is a broken one. Streaming writers' 0 / 0xFFFFFFFF sizes are accepted. Returns the length and
    /// rate of a PCM WAV with a fixed data size (integer, float or extensible format; whole sample frames: ffprobe's
    /// data size ÷ block size ÷ rate), null for any other file.
    /// </summary>
    static AudioProbe? CheckWavHeader(string path, long length, string what)
    {
        Span<byte> head = stackalloc byte[12];
        using var f = File.OpenRead(path);
        if (f.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12) return null;
        if (!head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8)) return null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[16];
        long pos = 12;
        bool sawFmt = false;
        int format = 0, blockAlign = 0;
        uint fmtRate = 0;
        while (pos + 8 <= length)
        {
            f.Position = pos;
            f.ReadExactly(chunk);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                if (size < 16 || pos + 8 + 16 > length) throw new CutturaException($"audio {what} is a truncated WAV (its fmt chunk is cut short)");
                f.ReadExactly(fmt);
                int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                if (channels == 0) throw new CutturaException($"audio {what} is a WAV with 0 channels");
                if (rate is < MinSourceRate or > MaxSourceRate)
                    throw new CutturaException($"audio {what} is a WAV with a sample rate of {rate} Hz; expected {MinSourceRate}..{MaxSourceRate} Hz");
                (format, fmtRate, blockAlign) = (BinaryPrimitives.ReadUInt16LittleEndian(fmt), rate, BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]));
                sawFmt = true;
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (!sawFmt) throw new CutturaException($"audio {what} is a WAV whose data comes before its fmt chunk");
                if (size != 0 && size != uint.MaxValue && pos + 8 + size > length)
                    throw new CutturaException($"audio {what} is a truncated WAV: its header promises {size} bytes of samples, the file holds {length - pos - 8}");
                // 1 PCM, 3 IEEE float, 0xFFFE extensible (PCM or float inside); a streaming size says nothing of the length
                if (format is not (1 or 3 or 0xFFFE) || blockAlign == 0 || size == 0 || size == uint.MaxValue) return null;
                return new AudioProbe((double)(size / (uint)blockAlign) / fmtRate, (int)fmtRate, "wav header");
            }
            pos += 8 + size + (size & 1);
        }
        throw new CutturaException($"audio {what} is a truncated WAV (no data chunk)");
    }
}
