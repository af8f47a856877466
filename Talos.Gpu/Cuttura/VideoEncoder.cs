using System.Globalization;
using FFMpegCore;
using FFMpegCore.Enums;
using FFMpegCore.Pipes;

namespace Talos.Gpu.Cuttura;

/// <summary>Encodes RGB24 frames (8-bit sRGB) to an H.264 MP4 with ffmpeg, optionally muxing an audio track.</summary>
public static class VideoEncoder
{
    public const int MaxDimension = 16384;
    const int StderrLinesKept = 12;

    /// <summary>The x264 preset of films (the edit's delivery, the CLI's videos): <c>faster</c>.</summary>
    public static readonly EncoderPreset FilmPreset = EncoderPreset.Faster;

    /// <summary>
    /// The x264 preset of a shot's own review clip (CUTTURA's, ECHO's after a repair): <c>veryfast</c>. The clip is not part
    /// of the film (the edit encodes the film from the frames), so it takes the cheaper preset: on the README film's frames
    /// x264 at <c>veryfast</c> spends about two thirds of <c>faster</c>'s CPU at CRF 20 for a file of about the same size
    /// (docs/BENCHMARKS.md).
    /// </summary>
    public static readonly EncoderPreset ClipPreset = EncoderPreset.VeryFast;

    /// <summary>
    /// libx264, yuv420p (BT.709 matrix, limited range, 2×2 chroma, converted by <see cref="Yuv420"/>; tagged BT.709, chroma
    /// centre-sited), CRF 20, preset <paramref name="preset"/> (null:
    /// <see cref="FilmPreset"/>, "faster"), +faststart, exactly one output frame per input frame. Audio (any file ffmpeg reads) is encoded as AAC, delayed by
    /// <paramref name="audioOffsetSeconds"/> (negative: its start is skipped), padded with silence and cut at the end of
    /// the video. Written to a temp file next to <paramref name="outputPath"/> and renamed when complete.
    /// <paramref name="onFrame"/> receives the number of frames handed to the encoder so far. Each frame is written to
    /// ffmpeg's pipe before the next is asked for, so the frames may all be one buffer refilled (CUTTURA's shot clip).
    /// </summary>
    public static Task EncodeH264Async(IEnumerable<byte[]> rgb24Frames, int width, int height, int fps, string outputPath,
        string? audioPath = null, double audioOffsetSeconds = 0, Action<int>? onFrame = null, CancellationToken ct = default,
        EncoderPreset? preset = null)
    {
        if (width <= 0 || height <= 0 || width > MaxDimension || height > MaxDimension)
            throw new CutturaException($"video size {width}x{height} is out of range (1..{MaxDimension})");
        if (width % 2 != 0 || height % 2 != 0)
            throw new CutturaException($"video size {width}x{height} has an odd side; H.264 yuv420p needs even width and height");
        ArgumentNullException.ThrowIfNull(rgb24Frames);
        return EncodeRawAsync(new RawFormat("yuv420p", 12, "H.264 yuv420p", "mp4"), ToYuv420(rgb24Frames, width, height), width, height, fps, outputPath, audioPath, audioOffsetSeconds, onFrame, ct, o =>
            o.WithCustomArgument("-c:v libx264")
             .WithPixelFormat("yuv420p")
             .WithConstantRateFactor(20)
             .WithSpeedPreset(preset ?? FilmPreset)
             .WithCustomArgument("-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -chroma_sample_location center"));
    }

    /// <summary>
    /// The frames converted in C# (<see cref="Yuv420"/>: BT.709, limited range, 2×2 chroma), not by ffmpeg's single-threaded
    /// swscale: ffmpeg reads half the bytes and only encodes. One buffer for the whole encode: each frame is written to
    /// ffmpeg's pipe before the next is asked for.
    /// </summary>
    static IEnumerable<byte[]> ToYuv420(IEnumerable<byte[]> rgb24Frames, int width, int height)
    {
        int rgbBytes = checked(width * height * 3);
        byte[]? yuv = null;
        int index = 0;
        foreach (var frame in rgb24Frames)
        {
            if (frame is null || frame.Length != rgbBytes)
                throw new CutturaException($"frame {index} has {frame?.Length ?? 0} bytes; a {width}x{height} rgb24 frame has {rgbBytes}");
            yuv ??= new byte[Yuv420.FrameBytes(width, height)];
            Yuv420.FromRgb24(frame, width, height, yuv);
            yield return yuv;
            index++;
        }
    }

    /// <summary>How raw frames reach ffmpeg: its pixel format name, bits per pixel, what the output is, its muxer.</summary>
    internal sealed record RawFormat(string PixelFormat, int BitsPerPixel, string What, string Muxer, bool Audio = true);

    /// <summary>
    /// Pipes raw frames to ffmpeg with the given video options, optionally muxing audio, and renames the finished temp
    /// output into place. For the image2 muxer <paramref name="outputPath"/> is a directory: the frames are written as
    /// frame_000000.png … into a temp directory beside it that is renamed when complete.
    /// </summary>
    internal static async Task EncodeRawAsync(RawFormat format, IEnumerable<byte[]> rawFrames, int width, int height, int fps, string outputPath,
        string? audioPath, double audioOffsetSeconds, Action<int>? onFrame, CancellationToken ct, Action<FFMpegOutputOptions> video)
    {
        ArgumentNullException.ThrowIfNull(rawFrames);
        if (width <= 0 || height <= 0 || width > MaxDimension || height > MaxDimension)
            throw new CutturaException($"video size {width}x{height} is out of range (1..{MaxDimension})");
        if (fps <= 0 || fps > 1000) throw new CutturaException($"frame rate {fps} is out of range (1..1000)");
        if (string.IsNullOrWhiteSpace(outputPath) || outputPath.Contains('\0')) throw new CutturaException("output path must be a non-empty file path");
        if (audioPath is not null && !format.Audio) throw new CutturaException($"{format.What} carries no audio track");
        if (audioPath is not null)
        {
            if (audioPath.Contains('\0') || !File.Exists(audioPath)) throw new CutturaException($"audio file '{audioPath}' not found");
            if (!double.IsFinite(audioOffsetSeconds) || Math.Abs(audioOffsetSeconds) > 86_400)
                throw new CutturaException($"audio offset {audioOffsetSeconds} s is out of range");
        }
        ct.ThrowIfCancellationRequested();
        FfmpegTools.EnsureAvailable();

        bool sequence = format.Muxer == "image2";
        var output = Path.GetFullPath(outputPath.TrimEnd('/', Path.DirectorySeparatorChar));
        var dir = Path.GetDirectoryName(output)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(output)}.{Guid.NewGuid():N}.part{(sequence ? "" : Path.GetExtension(output))}");
        if (sequence) Directory.CreateDirectory(tmp);
        var target = sequence ? Path.Combine(tmp, "frame_%06d.png") : tmp;

        int frameBytes = checked((int)((long)width * height * format.BitsPerPixel / 8));
        var source = new FrameSource(rawFrames, width, height, frameBytes, format.PixelFormat, onFrame, ct);
        var stderr = new Queue<string>();
        try
        {
            var pipe = new RawVideoPipeSource(source.Frames()) { FrameRate = fps };
            var args = FFMpegArguments.FromPipeInput(pipe, i => i.WithCustomArgument($"-thread_queue_size {InputQueue(frameBytes)}"));
            if (audioPath is not null) args = args.AddFileInput(Path.GetFullPath(audioPath));

            var processor = args.OutputToFile(target, overwrite: true, o =>
            {
                o.WithCustomArgument("-map 0:v:0");
                video(o);
                if (FfmpegTools.MajorVersion is 0 or >= 5) o.WithFpsMode(FpsMode.Passthrough);
                else o.WithCustomArgument("-vsync passthrough");
                if (audioPath is not null)
                {
                    o.WithCustomArgument("-map 1:a:0")
                     .WithCustomArgument("-c:a aac -b:a 192k")
                     .WithCustomArgument($"-af {AudioFilter(audioOffsetSeconds)}")
                     .WithCustomArgument("-shortest -max_interleave_delta 0");
                }
                if (format.Muxer == "mp4") o.WithFastStart();
                if (sequence) o.WithCustomArgument("-start_number 0");
                o.WithCustomArgument($"-f {format.Muxer}");
            })
            .WithLogLevel(FFMpegLogLevel.Error)
            .NotifyOnStandardError(line =>
            {
                lock (stderr)
                {
                    stderr.Enqueue(line);
                    while (stderr.Count > StderrLinesKept) stderr.Dequeue();
                }
            });

            FFMpegResult result;
            try
            {
                result = await processor.ProcessAsynchronously(throwOnError: false, FfmpegTools.Options, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                if (source.Error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(source.Error);
                ct.ThrowIfCancellationRequested();
                if (e is CutturaException) throw;
                throw new CutturaException($"ffmpeg failed writing {output}: {e.Message}; ffmpeg said: {Tail(stderr)}", e);
            }
            if (source.Error is not null) throw source.Error;
            ct.ThrowIfCancellationRequested();
            if (result.Cancelled) throw new OperationCanceledException("encoding was cancelled");
            if (!result.Success)
                throw new CutturaException($"ffmpeg failed writing {output} (exit {result.ExitCode}): {TailOf(stderr, result.StandardError)}");
            if (!source.Completed) throw new CutturaException($"ffmpeg stopped reading after {source.Count} frames: {Tail(stderr)}");
            if (sequence)
            {
                if (Directory.GetFiles(tmp, "frame_*.png").Length != source.Count)
                    throw new CutturaException($"ffmpeg wrote {Directory.GetFiles(tmp).Length} of {source.Count} PNG frames for {output}: {Tail(stderr)}");
                if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
                Directory.Move(tmp, output);
            }
            else
            {
                if (!File.Exists(tmp) || new FileInfo(tmp).Length == 0) throw new CutturaException($"ffmpeg produced no output for {output}: {Tail(stderr)}");
                File.Move(tmp, output, overwrite: true);
            }
        }
        finally
        {
            try
            {
                if (File.Exists(tmp)) File.Delete(tmp);
                if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The raw frames bytes ffmpeg may queue between reading the pipe and encoding (its input thread's queue).</summary>
    public const long InputQueueBytes = 64L << 20;

    /// <summary>
    /// Packets (frames) ffmpeg's input thread may queue from the pipe (<c>-thread_queue_size</c>, ffmpeg's default 8;
    /// ffmpeg reads inputs on their own threads when there are several, a film with its sound): as many as fit
    /// <see cref="InputQueueBytes"/>, 1 to 8 — 8 for a 720p film, 1 for 3840×2160 HDR10, whose rgb48le frames are 50 MB
    /// each (the queue held ~150 MB of ffmpeg's 2.2 GB at 4K, docs/BENCHMARKS.md). The encoded bytes are the same.
    /// </summary>
    public static int InputQueue(int frameBytes) => (int)Math.Clamp(InputQueueBytes / Math.Max(1, frameBytes), 1, 8);

    static string TailOf(Queue<string> seen, IReadOnlyList<string>? reported)
    {
        if (reported is { Count: > 0 }) return string.Join(" | ", reported.Skip(Math.Max(0, reported.Count - StderrLinesKept)));
        return Tail(seen);
    }

    static string Tail(Queue<string> lines)
    {
        lock (lines) return lines.Count == 0 ? "(no error output)" : string.Join(" | ", lines);
    }

    /// <summary>Delay (or skip) the audio, then pad with silence; -shortest cuts it where the video ends.</summary>
    internal static string AudioFilter(double offsetSeconds)
    {
        var inv = CultureInfo.InvariantCulture;
        string shift = offsetSeconds switch
        {
            > 0 => $"adelay=delays={(offsetSeconds * 1000).ToString("0.###", inv)}:all=1,",
            < 0 => $"atrim=start={(-offsetSeconds).ToString("0.######", inv)},asetpts=PTS-STARTPTS,",
            _ => "",
        };
        return shift + "apad";
    }

    /// <summary>Adapts the caller's frames to FFMpegCore, validating each and counting what was handed over.</summary>
    sealed class FrameSource(IEnumerable<byte[]> frames, int width, int height, int frameBytes, string pixelFormat, Action<int>? onFrame, CancellationToken ct)
    {
        public int Count;
        public bool Completed;
        public Exception? Error;

        public IEnumerable<IVideoFrame> Frames()
        {
            IEnumerator<byte[]> e;
            try { e = frames.GetEnumerator(); }
            catch (Exception ex) { throw Fail(ex, 0); }
            using (e)
            {
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    byte[] frame;
                    try
                    {
                        if (!e.MoveNext()) break;
                        frame = e.Current;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException) { throw Fail(ex, Count); }
                    if (frame is null || frame.Length != frameBytes)
                        throw Fail(new CutturaException($"frame {Count} has {frame?.Length ?? 0} bytes; a {width}x{height} {pixelFormat} frame has {frameBytes}"), Count);
                    yield return new RawFrame(frame, width, height, pixelFormat);
                    Count++;
                    onFrame?.Invoke(Count);
                }
            }
            if (Count == 0) throw Fail(new CutturaException("no frames to encode"), 0);
            Completed = true;
        }

        Exception Fail(Exception ex, int index)
        {
            Error = ex as CutturaException ?? new CutturaException($"frame {index} could not be produced: {ex.Message}", ex);
            return Error;
        }
    }

    sealed class RawFrame(byte[] data, int width, int height, string pixelFormat) : IVideoFrame
    {
        public int Width => width;
        public int Height => height;
        public string PixelFormat => pixelFormat;
        public void Serialize(Stream pipe) => pipe.Write(data, 0, data.Length);
        public Task SerializeAsync(Stream pipe, CancellationToken token) => pipe.WriteAsync(data, 0, data.Length, token);
    }
}
