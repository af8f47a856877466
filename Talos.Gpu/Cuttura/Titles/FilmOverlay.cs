using System.Collections.Concurrent;
using System.Globalization;
using Talos.Gpu.Processes;

namespace Talos.Gpu.Cuttura.Titles;

/// <summary>
/// Puts a <see cref="TitleScene"/> on a finished film: ffmpeg decodes the film's video to RGB24 frames (a rawvideo pipe),
/// the scene is drawn on each frame (frame numbers count from 0), <see cref="VideoEncoder.EncodeH264Async"/> encodes the
/// result with the sdr film's H.264 settings at the same size and rate, and the original audio stream is copied back
/// unchanged (stream copy, no re-encode). This is how subtitles are burned in and commercials get their type.
/// </summary>
public static class FilmOverlay
{
    /// <summary>Frames decoded ahead of the encoder (bounds memory: a few frames, not the film).</summary>
    const int FramesAhead = 4;

    /// <summary>Overlays <paramref name="scene"/> on <paramref name="inputMp4"/> into <paramref name="outputMp4"/>; returns what the output holds.</summary>
    public static async Task<MediaInfo> ApplyAsync(string inputMp4, string outputMp4, TitleScene scene, Action<int>? onFrame = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scene);
        if (string.IsNullOrWhiteSpace(outputMp4) || outputMp4.Contains('\0')) throw new CutturaException("output path must be a non-empty file path");
        var info = await MediaProbe.ProbeAsync(inputMp4).ConfigureAwait(false);
        if (info.Width <= 0 || info.Height <= 0 || info.FrameCount <= 0) throw new CutturaException($"{inputMp4} has no decodable video frames");
        int fps = (int)Math.Round(info.Fps);
        if (fps <= 0 || Math.Abs(info.Fps - fps) > 0.01)
            throw new CutturaException($"{inputMp4} runs at {info.Fps.ToString("0.###", CultureInfo.InvariantCulture)} fps; titles go on films with a whole frame rate");
        if (Path.GetFullPath(inputMp4) == Path.GetFullPath(outputMp4)) throw new CutturaException("the output must not overwrite the input film");
        scene.Layout(info.Width, info.Height); // bad elements fail here, before any decoding

        var ffmpeg = FfmpegTools.EnsureAvailable();
        int frameBytes = checked(info.Width * info.Height * 3);
        using var frames = new BlockingCollection<byte[]>(FramesAhead);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sink = new FrameSink(frames, frameBytes, stop.Token);
        Exception? decodeError = null;
        var decode = Task.Run(async () =>
        {
            try
            {
                await ProcessRunner.RunAsync(ffmpeg, ["-v", "error", "-nostdin", "-i", Path.GetFullPath(inputMp4), "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                    stdout: sink, ct: stop.Token).ConfigureAwait(false);
                sink.Finish();
            }
            catch (Exception e)
            {
                decodeError = e;
                throw;
            }
            finally { frames.CompleteAdding(); }
        }, CancellationToken.None);

        IEnumerable<byte[]> Drawn()
        {
            int n = 0;
            foreach (var frame in frames.GetConsumingEnumerable(stop.Token))
            {
                scene.Draw(frame, info.Width, info.Height, n++);
                yield return frame;
            }
            if (Volatile.Read(ref decodeError) is { } error && error is not OperationCanceledException) throw Failure(error, inputMp4);
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(outputMp4))!;
        Directory.CreateDirectory(dir);
        var videoOnly = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(outputMp4)}.{Guid.NewGuid():N}.video.mp4");
        try
        {
            try
            {
                await VideoEncoder.EncodeH264Async(Drawn(), info.Width, info.Height, fps, videoOnly, onFrame: onFrame, ct: stop.Token).ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try { await decode.ConfigureAwait(false); } catch (Exception) when (!ct.IsCancellationRequested) { }
                throw;
            }
            try { await decode.ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException) { throw Failure(e, inputMp4); }
            if (sink.Count != info.FrameCount)
                throw new CutturaException($"decoded {sink.Count} frames of {inputMp4}, which has {info.FrameCount}");

            // The original audio, copied as it is, beside the new video.
            var muxed = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(outputMp4)}.{Guid.NewGuid():N}.part.mp4");
            try
            {
                var args = new List<string> { "-v", "error", "-nostdin", "-y", "-i", videoOnly };
                if (info.AudioCodec is not null) args.AddRange(["-i", Path.GetFullPath(inputMp4), "-map", "0:v:0", "-map", "1:a:0"]);
                args.AddRange(["-c", "copy", "-movflags", "+faststart", "-f", "mp4", muxed]);
                try { await ProcessRunner.RunAsync(ffmpeg, args, ct: ct).ConfigureAwait(false); }
                catch (ProcessException e) { throw new CutturaException($"ffmpeg could not put the audio of {inputMp4} back: {e.Message}", e); }
                File.Move(muxed, Path.GetFullPath(outputMp4), overwrite: true);
            }
            finally { TryDelete(muxed); }
        }
        finally { TryDelete(videoOnly); }
        return await MediaProbe.ProbeAsync(outputMp4).ConfigureAwait(false);
    }

    static CutturaException Failure(Exception e, string input) =>
        e as CutturaException ?? new CutturaException($"ffmpeg could not decode {input}: {e.Message}", e);

    static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>A write-only stream that cuts ffmpeg's rawvideo output into frames and hands each to the encoder's queue.</summary>
    sealed class FrameSink(BlockingCollection<byte[]> frames, int frameBytes, CancellationToken ct) : Stream
    {
        byte[] _current = new byte[frameBytes];
        int _filled;
        public int Count;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                int n = Math.Min(buffer.Length, frameBytes - _filled);
                buffer[..n].CopyTo(_current.AsSpan(_filled));
                _filled += n;
                buffer = buffer[n..];
                if (_filled == frameBytes)
                {
                    frames.Add(_current, ct);
                    Count++;
                    _current = new byte[frameBytes];
                    _filled = 0;
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken token)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        /// <summary>The decoder ended: a partial frame left over means ffmpeg's output was cut short.</summary>
        public void Finish()
        {
            if (_filled != 0) throw new CutturaException($"the decoder's last frame has {_filled} of {frameBytes} bytes");
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
