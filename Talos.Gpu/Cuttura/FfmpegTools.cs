using System.Text.RegularExpressions;
using FFMpegCore;
using Talos.Gpu.Processes;

namespace Talos.Gpu.Cuttura;

/// <summary>CUTTURA failure: bad timeline, bad frames, missing or failing ffmpeg.</summary>
public sealed class CutturaException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Locates ffmpeg/ffprobe (installed by <see cref="ProcessRunner.Require"/> when missing and running as root).</summary>
public static partial class FfmpegTools
{
    static readonly object Gate = new();
    static Tools? _tools;
    static CutturaException? _failure;
    static DateTime _failedAt;

    /// <summary>How long a failure to find or run ffmpeg is answered from the cache before it is looked for again: a long-lived
    /// node whose `ffmpeg -version` timed out on a loaded machine, or that had ffmpeg installed after it started, would
    /// otherwise fail every chunk that needs it until restarted.</summary>
    public static readonly TimeSpan FailureKept = TimeSpan.FromSeconds(30);

    /// <summary>Whether a failure recorded at <paramref name="failedAt"/> still answers at <paramref name="now"/>.</summary>
    public static bool FailureStands(DateTime failedAt, DateTime now) => now - failedAt < FailureKept;

    sealed record Tools(string FfmpegPath, string FfprobePath, int MajorVersion);

    /// <summary>
    /// Returns the path of ffmpeg (ffprobe is checked too). Success is cached per process, a failure for <see cref="FailureKept"/>.
    /// </summary>
    public static string EnsureAvailable(Action<string>? log = null) => Resolve(log).FfmpegPath;

    internal static string FfprobePath => Resolve(null).FfprobePath;

    /// <summary>Major version of the ffmpeg found (0 when it could not be parsed, e.g. a git build).</summary>
    internal static int MajorVersion => Resolve(null).MajorVersion;

    /// <summary>FFMpegCore options pointing at the binaries found (a folder holding both, else a PATH lookup).</summary>
    internal static FFOptions Options
    {
        get
        {
            var t = Resolve(null);
            var dir = Path.GetDirectoryName(t.FfmpegPath)!;
            bool together = string.Equals(dir, Path.GetDirectoryName(t.FfprobePath), StringComparison.Ordinal);
            return new FFOptions { BinaryFolder = together ? dir : "", TemporaryFilesFolder = Path.GetTempPath() };
        }
    }

    static Tools Resolve(Action<string>? log)
    {
        lock (Gate)
        {
            if (_tools is not null) return _tools;
            if (_failure is not null && FailureStands(_failedAt, DateTime.UtcNow)) throw _failure;
            try
            {
                _tools = Locate(log);
                _failure = null;
                return _tools;
            }
            catch (CutturaException e)
            {
                (_failure, _failedAt) = (e, DateTime.UtcNow);
                throw;
            }
        }
    }

    static Tools Locate(Action<string>? log)
    {
        try
        {
            var ffmpeg = ProcessRunner.Require("ffmpeg", log: log);
            var ffprobe = ProcessRunner.Require("ffprobe", log: log);
            var version = ProcessRunner.Run(ffmpeg, ["-hide_banner", "-version"], timeout: TimeSpan.FromSeconds(30));
            var m = VersionRegex().Match(version.Output);
            int major = m.Success && int.TryParse(m.Groups[1].Value, out int v) ? v : 0;
            log?.Invoke($"using {ffmpeg} (major version {major}) and {ffprobe}");
            return new Tools(ffmpeg, ffprobe, major);
        }
        catch (ProcessException e) { throw new CutturaException(e.Message, e); }
    }

    [GeneratedRegex(@"version\s+n?(\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();
}
