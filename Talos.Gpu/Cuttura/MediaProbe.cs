using System.Globalization;
using System.Text.Json;
using FFMpegCore;

namespace Talos.Gpu.Cuttura;

/// <summary>What ffprobe says about a media file. FrameCount is counted by decoding (exact), not estimated.</summary>
public sealed record MediaInfo(string VideoCodec, int Width, int Height, int FrameCount, double Fps, double DurationSeconds, string? AudioCodec);

public static class MediaProbe
{
    /// <summary>Probes the first video stream (and the first audio stream, if any) of <paramref name="path"/>.</summary>
    public static async Task<MediaInfo> ProbeAsync(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0')) throw new CutturaException("media path must be a non-empty file path");
        if (!File.Exists(path)) throw new CutturaException($"media file {path} not found");
        FfmpegTools.EnsureAvailable();

        IMediaAnalysis a;
        try
        {
            a = await FFProbe.AnalyseAsync(Path.GetFullPath(path), FfmpegTools.Options, "-count_frames").ConfigureAwait(false);
        }
        catch (Exception e) when (e is not CutturaException)
        {
            throw new CutturaException($"ffprobe cannot read {path}: {e.Message}", e);
        }
        var v = a.PrimaryVideoStream ?? throw new CutturaException($"{path} has no video stream");
        var raw = a.Raw.Streams.FirstOrDefault(s => s.Index == v.Index);
        int frames = -1;
        if (raw?.ExtensionData is { } ext && ext.TryGetValue("nb_read_frames", out var el))
        {
            if (el.ValueKind == JsonValueKind.String && int.TryParse(el.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) frames = n;
            else if (el.ValueKind == JsonValueKind.Number && el.TryGetInt32(out int m)) frames = m;
        }
        if (frames < 0) throw new CutturaException($"ffprobe did not count the video frames of {path}");
        return new MediaInfo(v.CodecName ?? "unknown", v.Width ?? 0, v.Height ?? 0, frames, v.AverageFrameRate, a.Duration.TotalSeconds,
            a.PrimaryAudioStream?.CodecName);
    }
}
