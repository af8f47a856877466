using System.Net;
using Talos.Cli.Render;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Cuttura.Audio;
using Talos.Gpu.Processes;
using Talos.Tests.Actors;
using Talos.Tests.Api;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Sound;

/// <summary>
/// Bad sound gets one clear error naming the problem — through AudioDecoder, through <c>talos render</c> with a spec whose
/// dialogue line names the file (refused before anything renders), and through the API's asset upload: a truncated WAV, an
/// empty file, a 10-hour file (a real one: FLAC of silence at 4 kHz), a wrong sample rate, garbage bytes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BadAudioTests(BadAudioTests.Files files) : IClassFixture<BadAudioTests.Files>
{
    /// <summary>The bad files, made once: name → (bytes, what the error must say).</summary>
    public sealed class Files : IDisposable
    {
        public string Dir { get; } = Repo.TempDir("bad-audio");
        public IReadOnlyList<(string Name, string Expect)> Cases { get; }

        public Files()
        {
            var tone = new float[16000];
            for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 16000.0));
            var wav = AudioDecoder.ToWav16(new PcmAudio(tone, 16000));
            File.WriteAllBytes(Path.Combine(Dir, "truncated.wav"), wav[..(wav.Length * 6 / 10)]);
            File.WriteAllBytes(Path.Combine(Dir, "empty.wav"), []);
            File.WriteAllBytes(Path.Combine(Dir, "rate.wav"), AudioDecoder.ToWav16(new PcmAudio(tone, 1000))); // a 1 kHz WAV: below any voice's band
            var junk = new byte[4096];
            new Random(15).NextBytes(junk);
            junk[0] = (byte)'J'; // (not by chance a sync word)
            File.WriteAllBytes(Path.Combine(Dir, "garbage.mp3"), junk);
            ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "anullsrc=r=4000:cl=mono", "-t", "36000",
                "-c:a", "flac", "-compression_level", "0", Path.Combine(Dir, "ten-hours.flac")], timeout: TimeSpan.FromMinutes(3));
            Cases =
            [
                ("truncated.wav", "is a truncated WAV"), ("empty.wav", "is empty (0 bytes)"), ("ten-hours.flac", "is 36000 s long; the limit is 3600 s"),
                ("rate.wav", "sample rate of 1000 Hz"), ("garbage.mp3", "is not a sound file ffmpeg can read"),
            ];
        }

        public void Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
    }

    [Fact]
    public void AudioDecoder_names_each_problem()
    {
        foreach (var (name, expect) in files.Cases)
        {
            var path = Path.Combine(files.Dir, name);
            var e = Assert.Throws<CutturaException>(() => AudioDecoder.DecodeMono(path, 16000, name));
            Assert.Contains(expect, e.Message);
            Assert.Contains(name, e.Message);
            var fromBytes = Assert.Throws<CutturaException>(() => AudioDecoder.DecodeMono(File.ReadAllBytes(path), 16000, name));
            Assert.Contains(expect, fromBytes.Message);
        }
    }

    [Fact]
    public void A_pcm_wav_is_probed_by_its_header_and_says_what_ffprobe_says()
    {
        // dialogue lines are such WAVs: their length and rate come from the header, without an ffprobe process
        var tone = new float[24000];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 22050.0));
        var wav = Path.Combine(files.Dir, "line.wav");
        File.WriteAllBytes(wav, AudioDecoder.ToWav16(new PcmAudio(tone, 22050)));
        var flac = Path.Combine(files.Dir, "line.flac");
        ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-v", "error", "-nostdin", "-y", "-i", wav, "-c:a", "flac", flac], timeout: TimeSpan.FromMinutes(1));
        var (byHeader, byFfprobe) = (AudioDecoder.Probe(wav), AudioDecoder.Probe(flac));
        Assert.Equal(("wav header", 22050), (byHeader.By, byHeader.Rate));
        Assert.Equal(("ffprobe", 22050), (byFfprobe.By, byFfprobe.Rate));
        Assert.Equal(24000 / 22050.0, byHeader.Seconds, 9);
        Assert.Equal(byFfprobe.Seconds, byHeader.Seconds, 3);
        Assert.InRange(AudioDecoder.DecodeMono(wav, 48000).Samples.Length, 24000 * 48000 / 22050 - 2, 24000 * 48000 / 22050 + 2);
        // a WAV over the film's length is refused from its header (8-bit mono at 4 kHz: 14.4 MB for 3601 s)
        var longWav = Path.Combine(files.Dir, "long.wav");
        var bytes = new byte[44 + 4000 * 3601];
        AudioDecoder.ToWav16(new PcmAudio([0f], 4000)).AsSpan(0, 44).CopyTo(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), 4000); // byte rate
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(32), 1); // block size
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(34), 8); // bits
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(40), 4000 * 3601);
        Array.Fill(bytes, (byte)128, 44, 4000 * 3601);
        File.WriteAllBytes(longWav, bytes);
        Assert.Equal(("wav header", 3601.0), (AudioDecoder.Probe(longWav).By, AudioDecoder.Probe(longWav).Seconds));
        Assert.Contains("is 3601 s long; the limit is 3600 s", Assert.Throws<CutturaException>(() => AudioDecoder.DecodeMono(longWav, 16000, "long.wav")).Message);
    }

    [Fact]
    public async Task Talos_render_refuses_a_spec_naming_bad_audio_before_it_renders()
    {
        foreach (var (name, expect) in files.Cases)
        {
            var spec = Path.Combine(files.Dir, $"spec-{Path.GetFileNameWithoutExtension(name)}.json");
            File.WriteAllText(spec, $$"""
                { "id": "line", "fps": 12, "durationSeconds": 1, "resolution": { "width": 96, "height": 54 },
                  "characters": [ { "name": "MARA" } ],
                  "dialogue": [ { "character": "MARA", "text": "Hello.", "startFrame": 0, "endFrame": 8, "audio": "{{name}}" } ] }
                """);
            var work = Path.Combine(files.Dir, "work-" + name);
            var (code, error) = await CliRunner.Run([RenderCommand.Create()], "render", spec, "--out", Path.Combine(files.Dir, "x.mp4"), "--work-dir", work);
            Assert.Equal(2, code);
            Assert.Contains(expect, error);
            Assert.Contains($"'{name}'", error);
            Assert.Single(error.Trim().Split('\n'));
            Assert.False(Directory.Exists(work), "nothing started: no journal, no vault");
        }
    }

    [Fact]
    public async Task The_API_refuses_bad_audio_uploads_with_the_reason()
    {
        await using var seed = await ApiSeed.StartAsync("api-bad-audio");
        using var pipeline = seed.Client(ApiSeed.PipelineToken);
        foreach (var (name, expect) in files.Cases.Where(c => c.Name != "empty.wav")) // an empty body is refused before sniffing
        {
            var r = await pipeline.PostAsync("/api/v1/assets?name=" + name, new ByteArrayContent(File.ReadAllBytes(Path.Combine(files.Dir, name))),
                TestContext.Current.CancellationToken);
            var body = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(r.StatusCode is HttpStatusCode.UnsupportedMediaType, $"{name}: {(int)r.StatusCode} {body}");
            Assert.Contains(name == "garbage.mp3" ? "unrecognised content" : expect, body);
        }
        var empty = await pipeline.PostAsync("/api/v1/assets?name=empty.wav", new ByteArrayContent([]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        // A good FLAC is taken (the sniffer knows more than WAV now), and decoded on the way in.
        var good = Path.Combine(files.Dir, "good.flac");
        ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "sine=f=440:r=16000", "-t", "1", "-c:a", "flac", good]);
        var ok = await pipeline.PostAsync("/api/v1/assets?name=voices/good.flac", new ByteArrayContent(File.ReadAllBytes(good)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }
}
