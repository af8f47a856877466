using FFMpegCore;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Imaging;
using Talos.Gpu.Processes;
using Talos.Vault;
using Xunit;
using static Talos.Tests.Cuttura.CutturaTestMedia;

namespace Talos.Tests.Cuttura;

public sealed class VideoEncoderTests : IDisposable
{
    const int W = 64, H = 48;
    readonly string _dir = Path.Combine(Path.GetTempPath(), "talos-cuttura-tests", Guid.NewGuid().ToString("N"));

    public VideoEncoderTests()
    {
        FfmpegTools.EnsureAvailable(); // installs ffmpeg (root + apt-get) or fails with a clear message
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static IEnumerable<byte[]> MovingSquare(int n) => Enumerable.Range(0, n).Select(k => Square(W, H, 2 + 2 * k, 18, 12));

    [Fact]
    public void A_failure_to_find_ffmpeg_is_looked_into_again_after_a_while_not_kept_for_the_process()
    {
        var failed = new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Utc);
        Assert.True(FfmpegTools.FailureStands(failed, failed));
        Assert.True(FfmpegTools.FailureStands(failed, failed + FfmpegTools.FailureKept - TimeSpan.FromMilliseconds(1)));
        Assert.False(FfmpegTools.FailureStands(failed, failed + FfmpegTools.FailureKept));
        Assert.False(FfmpegTools.FailureStands(failed, failed + TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task Moving_square_encodes_to_exact_h264_frames()
    {
        var mp4 = Path.Combine(_dir, "square.mp4");
        var progress = new List<int>();
        await VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, mp4, onFrame: progress.Add, ct: TestContext.Current.CancellationToken);

        var info = await MediaProbe.ProbeAsync(mp4);
        Assert.Equal("h264", info.VideoCodec);
        Assert.Equal((W, H), (info.Width, info.Height));
        Assert.Equal(24, info.FrameCount);
        Assert.Equal(24.0, info.Fps, 3);
        Assert.InRange(info.DurationSeconds, 0.95, 1.05);
        Assert.Null(info.AudioCodec);
        Assert.Equal(Enumerable.Range(1, 24), progress);

        var analysis = await FFProbe.AnalyseAsync(mp4, cancellationToken: TestContext.Current.CancellationToken);
        var v = analysis.PrimaryVideoStream!;
        Assert.Equal(("yuv420p", "bt709", "bt709", "bt709"), (v.PixelFormat, v.ColorSpace, v.ColorPrimaries, v.ColorTransfer));
        Assert.Single(Directory.GetFiles(_dir)); // no temp file left beside it

        // Decode independently: the square moves 2 px a frame and the colours survive the BT.709 round trip.
        var frames = DecodeRgb24(mp4, W, H);
        Assert.Equal(24, frames.Count);
        SavePng("encoded-square.png", Strip([frames[0], frames[12], frames[23]], W, H), W * 3, H);
        foreach (int k in new[] { 0, 11, 23 })
        {
            int x = 2 + 2 * k;
            Assert.True(Mean(frames[k], W, x + 2, 20, x + 10, 28, 1) > 235, $"frame {k}: square not at x={x}");
            int bx = x > 32 ? 4 : 52; // background patch away from the square
            Assert.InRange(Mean(frames[k], W, bx, 4, bx + 8, 12, 0), 14, 26);
            Assert.InRange(Mean(frames[k], W, bx, 4, bx + 8, 12, 1), 24, 36);
            Assert.InRange(Mean(frames[k], W, bx, 4, bx + 8, 12, 2), 84, 96);
        }
    }

    [Fact]
    public async Task One_buffer_refilled_for_every_frame_encodes_the_same_clip_as_a_fresh_array_each()
    {
        // CUTTURA decodes a shot's frames into one buffer (Rgb24Window): the encoder must have written each before the next
        var fresh = Path.Combine(_dir, "fresh.mp4");
        var reused = Path.Combine(_dir, "reused.mp4");
        await VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, fresh, ct: TestContext.Current.CancellationToken);
        var blobs = MovingSquare(24).Select(f => FrameCodec.EncodeRgb24(f, W, H)).ToList();
        var window = new Rgb24Window(1, W, H, i => blobs[i]);
        await VideoEncoder.EncodeH264Async(Enumerable.Range(0, blobs.Count).Select(i => window[i]), W, H, 24, reused, ct: TestContext.Current.CancellationToken);
        Assert.Equal(24, window.Decoded);
        var (a, b) = (DecodeRgb24(fresh, W, H), DecodeRgb24(reused, W, H));
        Assert.Equal(24, b.Count);
        for (int k = 0; k < a.Count; k++) Assert.True(a[k].AsSpan().SequenceEqual(b[k]), $"frame {k} differs");
        Assert.False(b[0].AsSpan().SequenceEqual(b[23]));
    }

    [Fact]
    public async Task Shot_clips_take_the_clip_preset_and_films_the_film_preset()
    {
        // x264 writes its settings into the stream (an SEI: "x264 - core … options: … subme=N … ref=N …"): faster is
        // subme=4 ref=2, veryfast subme=2 ref=1; the clip's frames decode to the same picture as the film's
        var film = Path.Combine(_dir, "film.mp4");
        var clip = Path.Combine(_dir, "clip.mp4");
        await VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, film, ct: TestContext.Current.CancellationToken);
        await VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, clip, ct: TestContext.Current.CancellationToken, preset: VideoEncoder.ClipPreset);
        static string Options(string path)
        {
            var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
            int at = text.IndexOf("options: ", StringComparison.Ordinal);
            Assert.True(at >= 0, $"{path} carries no x264 settings");
            return text[at..text.IndexOf('\0', at)];
        }
        Assert.Equal(FFMpegCore.Enums.EncoderPreset.Faster, VideoEncoder.FilmPreset);
        Assert.Contains(" subme=4 ", Options(film));
        Assert.Contains(" ref=2 ", Options(film));
        Assert.Contains(" subme=2 ", Options(clip));
        Assert.Contains(" ref=1 ", Options(clip));
        var (a, b) = (DecodeRgb24(film, W, H), DecodeRgb24(clip, W, H));
        Assert.Equal(24, b.Count);
        for (int k = 0; k < a.Count; k++)
        {
            int x = 2 + 2 * k;
            Assert.True(Mean(b[k], W, x + 2, 20, x + 10, 28, 1) > 235, $"clip frame {k}: square not at x={x}");
            int bx = x > 32 ? 4 : 52; // background patch away from the square
            Assert.InRange(Mean(b[k], W, bx, 4, bx + 8, 12, 2) - Mean(a[k], W, bx, 4, bx + 8, 12, 2), -2, 2);
        }
    }

    [Fact]
    public async Task Audio_is_muxed_as_aac_delayed_and_cut_to_the_video()
    {
        var wav = Path.Combine(_dir, "tone.wav");
        WriteSineWav(wav, seconds: 1.5);
        var mp4 = Path.Combine(_dir, "with-audio.mp4");
        await VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, mp4, wav, audioOffsetSeconds: 0.25, ct: TestContext.Current.CancellationToken);

        var info = await MediaProbe.ProbeAsync(mp4);
        Assert.Equal("aac", info.AudioCodec);
        Assert.Equal(24, info.FrameCount);
        Assert.InRange(info.DurationSeconds, 0.95, 1.1);

        // The tone starts after the 0.25 s offset: silence before, full level after.
        var pcm = DecodeAudio(mp4);
        Assert.InRange(pcm.Length / 48000.0, 0.95, 1.1);
        Assert.True(Rms(pcm, 0.0, 0.2) < 200, $"rms before offset {Rms(pcm, 0.0, 0.2)}");
        Assert.True(Rms(pcm, 0.35, 0.9) > 6000, $"rms after offset {Rms(pcm, 0.35, 0.9)}");
    }

    [Fact]
    public async Task Edited_film_from_vault_frames_encodes_every_frame()
    {
        using var vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        ShotClip Shot(string id, string transition, int n, byte r, byte g, byte b) =>
            new(id, Enumerable.Range(0, n).Select(i => vault.Put(FrameCodec.EncodeRgb24(Square(W, H, 2 * i, 4, 8).Select((v, j) => j % 3 == 0 ? (byte)(v / 2 + r / 2) : j % 3 == 1 ? (byte)(v / 2 + g / 2) : (byte)(v / 2 + b / 2)).ToArray(), W, H), "frame")).ToList(), transition, 12);
        var clips = new[] { Shot("s1", "cut", 10, 200, 40, 40), Shot("s2", "dissolve", 9, 40, 200, 40), Shot("s3", "fade", 11, 40, 40, 200) };
        var film = FilmEditor.Edit(clips, h => FrameCodec.DecodeRgb24(vault.Get(h)).rgb, 4);
        var mp4 = Path.Combine(_dir, "film.mp4");
        await VideoEncoder.EncodeH264Async(film, W, H, 12, mp4, ct: TestContext.Current.CancellationToken);

        var info = await MediaProbe.ProbeAsync(mp4);
        Assert.Equal(30, info.FrameCount);
        Assert.Equal(12.0, info.Fps, 3);
        var frames = DecodeRgb24(mp4, W, H);
        Assert.True(Mean(frames[19], W, 0, 30, W, H, 0) < 30, "the fade into s3 dips to black at its cut");
        Assert.True(Mean(frames[25], W, 0, 30, W, H, 2) > 90, "s3 is blue-ish after the fade");
    }

    [Fact]
    public async Task Odd_sizes_and_bad_arguments_are_rejected()
    {
        var mp4 = Path.Combine(_dir, "odd.mp4");
        var e = await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async(MovingSquare(2), 63, 48, 24, mp4));
        Assert.Contains("63x48", e.Message);
        await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async(MovingSquare(2), 64, 0, 24, mp4));
        await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async(MovingSquare(2), W, H, 0, mp4));
        await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async(MovingSquare(2), W, H, 24, mp4, Path.Combine(_dir, "nope.wav")));
        Assert.Contains("no frames", (await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async([], W, H, 24, mp4))).Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task A_wrong_sized_frame_mid_stream_fails_without_leaving_a_file()
    {
        var mp4 = Path.Combine(_dir, "bad.mp4");
        var frames = MovingSquare(5).Append(new byte[W * H * 3 - 3]).Concat(MovingSquare(3));
        var e = await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async(frames, W, H, 24, mp4));
        Assert.Contains("frame 5", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Cancelled_encode_leaves_no_file_under_the_output_name()
    {
        var mp4 = Path.Combine(_dir, "cancelled.mp4");
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, mp4, onFrame: n => { if (n == 5) cts.Cancel(); }, ct: cts.Token));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Ffmpeg_failure_reports_its_stderr_and_leaves_no_file()
    {
        var junk = Path.Combine(_dir, "junk.wav");
        File.WriteAllText(junk, "this is not a wav file at all");
        var mp4 = Path.Combine(_dir, "fail.mp4");
        var e = await Assert.ThrowsAsync<CutturaException>(() => VideoEncoder.EncodeH264Async(MovingSquare(24), W, H, 24, mp4, junk));
        Assert.Contains("ffmpeg failed", e.Message);
        Assert.Contains("junk.wav", e.Message); // ffmpeg's own error line names the input it could not read
        Assert.Equal(new[] { junk }, Directory.GetFiles(_dir));
        await Assert.ThrowsAsync<CutturaException>(() => MediaProbe.ProbeAsync(junk));
    }

    static short[] DecodeAudio(string path)
    {
        using var ms = new MemoryStream();
        ProcessRunner.Run(FfmpegTools.EnsureAvailable(), ["-v", "error", "-i", path, "-map", "0:a:0", "-f", "s16le", "-ac", "1", "-ar", "48000", "-"], stdout: ms);
        var b = ms.ToArray();
        var s = new short[b.Length / 2];
        Buffer.BlockCopy(b, 0, s, 0, s.Length * 2);
        return s;
    }

    static double Rms(short[] pcm, double t0, double t1)
    {
        int a = (int)(t0 * 48000), b = Math.Min(pcm.Length, (int)(t1 * 48000));
        double sum = 0;
        for (int i = a; i < b; i++) sum += (double)pcm[i] * pcm[i];
        return Math.Sqrt(sum / Math.Max(1, b - a));
    }
}
