using System.Text.Json;
using Talos.Gpu.Anima;
using Talos.Gpu.Cuttura;
using Talos.Gpu.Processes;

namespace Talos.Tests.Cuttura;

/// <summary>ffprobe/ffmpeg as an outside observer of the deliveries: stream tags, frame side data, decoded samples.</summary>
public static class DeliveryProbe
{
    public static byte[] Run(string tool, params string[] args)
    {
        var exe = FfmpegTools.EnsureAvailable();
        if (tool == "ffprobe") exe = Path.Combine(Path.GetDirectoryName(exe)!, "ffprobe");
        using var ms = new MemoryStream();
        ProcessRunner.Run(exe, args, stdout: ms);
        return ms.ToArray();
    }

    /// <summary>The first video stream's fields as ffprobe reports them.</summary>
    public static JsonElement Stream(string path) =>
        JsonDocument.Parse(Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json", path)).RootElement
            .GetProperty("streams")[0].Clone();

    /// <summary>The side data types attached to the first decoded video frame.</summary>
    public static IReadOnlyList<JsonElement> FirstFrameSideData(string path)
    {
        var root = JsonDocument.Parse(Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1", "-show_frames", "-of", "json", path)).RootElement;
        var frame = root.GetProperty("frames")[0];
        return frame.TryGetProperty("side_data_list", out var list) ? list.EnumerateArray().Select(e => e.Clone()).ToList() : [];
    }

    /// <summary>Decoded frames as 16-bit little-endian samples of <paramref name="pixFmt"/> (e.g. the Y plane first for yuv420p10le).</summary>
    public static ushort[] Samples16(string path, string pixFmt, int frame = 0)
    {
        var raw = Run("ffmpeg", "-v", "error", "-i", path, "-vf", $"select=eq(n\\,{frame})", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", pixFmt, "-");
        var o = new ushort[raw.Length / 2];
        for (int i = 0; i < o.Length; i++) o[i] = (ushort)(raw[2 * i] | raw[2 * i + 1] << 8);
        return o;
    }

    /// <summary>The 10-bit limited-range luma code of a grey at <paramref name="nits"/> in PQ (what a Y' sample at that light reads).</summary>
    public static double PqLuma10(double nits) => 64 + 876 * DeliveryPixels.PqEncode((float)nits);
}
