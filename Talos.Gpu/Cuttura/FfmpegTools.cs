using System.Diagnostics;
using System.Text.RegularExpressions;
using FFMpegCore;

namespace Talos.Gpu.Cuttura;

/// <summary>CUTTURA failure: bad timeline, bad frames, missing or failing ffmpeg.</summary>
public sealed class CutturaException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Locates ffmpeg/ffprobe (installing them with apt-get when running as root on Debian/Ubuntu).</summary>
public static partial class FfmpegTools
{
    const string InstallHint = "install it with: sudo apt-get install ffmpeg";
    static readonly object Gate = new();
    static Tools? _tools;
    static CutturaException? _failure;

    sealed record Tools(string FfmpegPath, string FfprobePath, int MajorVersion);

    /// <summary>
    /// Returns the path of ffmpeg (ffprobe is checked too). The result — success or failure — is cached per process.
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
            if (_failure is not null) throw _failure;
            try
            {
                _tools = Locate(log);
                return _tools;
            }
            catch (CutturaException e)
            {
                _failure = e;
                throw;
            }
        }
    }

    static Tools Locate(Action<string>? log)
    {
        var ffmpeg = FindOnPath("ffmpeg");
        var ffprobe = FindOnPath("ffprobe");
        if (ffmpeg is null || ffprobe is null)
        {
            var missing = ffmpeg is null ? "ffmpeg" : "ffprobe";
            var aptGet = FindOnPath("apt-get");
            if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess && aptGet is not null)
            {
                log?.Invoke($"{missing} not found on PATH; installing ffmpeg with apt-get (running as root)");
                RunInstaller(aptGet, "update", log);
                RunInstaller(aptGet, "install -y --no-install-recommends ffmpeg", log);
                ffmpeg = FindOnPath("ffmpeg");
                ffprobe = FindOnPath("ffprobe");
                if (ffmpeg is null || ffprobe is null)
                    throw new CutturaException($"ffmpeg not found after apt-get install ffmpeg; {InstallHint}");
            }
            else
            {
                throw new CutturaException($"{missing} not found; {InstallHint}");
            }
        }
        int major = ProbeVersion(ffmpeg);
        log?.Invoke($"using {ffmpeg} (major version {major}) and {ffprobe}");
        return new Tools(ffmpeg, ffprobe, major);
    }

    static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var exts = OperatingSystem.IsWindows() ? new[] { ".exe", "" } : new[] { "" };
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var ext in exts)
            {
                string candidate;
                try { candidate = Path.Combine(dir, name + ext); }
                catch (ArgumentException) { continue; }
                if (!File.Exists(candidate)) continue;
                if (!OperatingSystem.IsWindows())
                {
                    var mode = File.GetUnixFileMode(candidate);
                    if ((mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0) continue;
                }
                return candidate;
            }
        }
        return null;
    }

    static int ProbeVersion(string ffmpeg)
    {
        var (code, output) = Run(ffmpeg, "-hide_banner -version", TimeSpan.FromSeconds(30), null);
        if (code != 0) throw new CutturaException($"{ffmpeg} -version failed (exit {code}): {Tail(output, 5)}; {InstallHint}");
        var m = VersionRegex().Match(output);
        return m.Success && int.TryParse(m.Groups[1].Value, out int v) ? v : 0;
    }

    static void RunInstaller(string aptGet, string args, Action<string>? log)
    {
        log?.Invoke($"$ {aptGet} {args}");
        var (code, output) = Run(aptGet, args, TimeSpan.FromMinutes(20), log);
        if (code != 0)
            throw new CutturaException($"ffmpeg not found and '{Path.GetFileName(aptGet)} {args}' failed (exit {code}): {Tail(output, 8)}; {InstallHint}");
    }

    static (int code, string output) Run(string file, string args, TimeSpan timeout, Action<string>? log)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        var sb = new System.Text.StringBuilder();
        using var p = new Process { StartInfo = psi };
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (sb) sb.AppendLine(e.Data);
            log?.Invoke(e.Data);
        }
        p.OutputDataReceived += OnLine;
        p.ErrorDataReceived += OnLine;
        try { p.Start(); }
        catch (System.ComponentModel.Win32Exception e) { throw new CutturaException($"cannot run {file}: {e.Message}; {InstallHint}", e); }
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new CutturaException($"{file} {args} did not finish within {timeout.TotalMinutes:0} min");
        }
        p.WaitForExit();
        lock (sb) return (p.ExitCode, sb.ToString());
    }

    internal static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", all.Skip(Math.Max(0, all.Length - lines)));
    }

    [GeneratedRegex(@"version\s+n?(\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();
}
