using System.Diagnostics;
using System.Globalization;
using System.Text;
using CliWrap;

namespace Talos.Gpu.Processes;

/// <summary>
/// An external program could not run: it is missing (the message names its Debian package), exited non-zero (the
/// message has the exit code and the tail of its stderr) or ran past its time. An InvalidOperationException, so
/// callers that tolerate a failed tool (a stop of a server already stopped) catch both.
/// </summary>
public sealed class ProcessException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>What a finished program wrote: stdout, stderr, and the exit code.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// The one way Talos runs external programs (ffmpeg, espeak-ng, initdb/pg_ctl, apt-get, dotnet build, python3), on
/// CliWrap; <see cref="StartDetached"/> starts the farm's long-lived processes. <see cref="Require"/> finds a program
/// on PATH and is the one place that installs a missing Debian package (apt-get, as root).
/// </summary>
public static class ProcessRunner
{
    /// <summary>The Debian package that provides each program Talos runs (named when it is missing).</summary>
    static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["ffmpeg"] = "ffmpeg", ["ffprobe"] = "ffmpeg", ["espeak-ng"] = "espeak-ng", ["initdb"] = "postgresql", ["pg_ctl"] = "postgresql",
        ["python3"] = "python3", ["runuser"] = "util-linux", ["setsid"] = "util-linux", ["sh"] = "dash", ["chown"] = "coreutils",
        ["apt-get"] = "apt", ["dotnet"] = "dotnet-sdk-10.0",
    };

    static string Package(string program) => Packages.GetValueOrDefault(Path.GetFileName(program), Path.GetFileName(program));

    /// <summary>One line for a missing program: its name and the package to install (default: its known package).</summary>
    public static string MissingMessage(string program, string? package = null) =>
        $"{Path.GetFileName(program)} is not installed; install it with: sudo apt-get install {package ?? Package(program)}";

    /// <summary>
    /// Runs <paramref name="program"/> to its end. With <paramref name="check"/> (the default) a non-zero exit throws
    /// a <see cref="ProcessException"/> naming the program, its exit code and the tail of its stderr (stdout when stderr
    /// is empty). <paramref name="onLine"/> sees every line of both streams as it comes. <paramref name="env"/>: null
    /// values remove a variable. <paramref name="stdout"/>: binary output goes there instead (Output is then empty).
    /// </summary>
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string?>? env = null, TimeSpan? timeout = null, Action<string>? onLine = null, bool check = true,
        string? workDir = null, Stream? stdout = null, CancellationToken ct = default)
    {
        var path = Locate(program) ?? throw new ProcessException(MissingMessage(program));
        var argList = args.ToList();
        StringBuilder output = new(), error = new();
        PipeTarget Target(StringBuilder sb) => onLine is null ? PipeTarget.ToStringBuilder(sb) : PipeTarget.Merge(PipeTarget.ToStringBuilder(sb), PipeTarget.ToDelegate(onLine));
        var cmd = Cli.Wrap(path).WithArguments(argList).WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(stdout is null ? Target(output) : PipeTarget.ToStream(stdout)).WithStandardErrorPipe(Target(error));
        if (workDir is not null) cmd = cmd.WithWorkingDirectory(workDir);
        if (stdin is not null) cmd = cmd.WithStandardInputPipe(PipeSource.FromString(stdin));
        if (env is not null) cmd = cmd.WithEnvironmentVariables(env);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) limit.CancelAfter(t);
        CommandResult result;
        try { result = await cmd.ExecuteAsync(limit.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && timeout is { } t2)
        {
            throw new ProcessException($"{Describe(program, argList)} did not finish within {t2.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s (killed)");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException && e is not ProcessException)
        {
            throw new ProcessException($"cannot run {path}: {e.Message}; {MissingMessage(program)}", e);
        }
        var done = new ProcessResult(result.ExitCode, output.ToString(), error.ToString());
        if (check && done.ExitCode != 0)
            throw new ProcessException($"{Describe(program, argList)} failed (exit {done.ExitCode}): {Tail(done.Error.Trim().Length > 0 ? done.Error : done.Output, 6)}");
        return done;
    }

    /// <summary><see cref="RunAsync"/> for synchronous callers (a stage function, a benchmark).</summary>
    public static ProcessResult Run(string program, IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string?>? env = null,
        TimeSpan? timeout = null, Action<string>? onLine = null, bool check = true, Stream? stdout = null) =>
        RunAsync(program, args, stdin, env, timeout, onLine, check, stdout: stdout).GetAwaiter().GetResult();

    /// <summary>
    /// Starts <paramref name="program"/> detached: in a session of its own (setsid), stdin from /dev/null, stdout and
    /// stderr appended to <paramref name="log"/>, so it outlives this process and its terminal's Ctrl+C. Returns its
    /// pid, which stays the same through setsid's and sh's execs. The one raw <see cref="Process"/> start: a CliWrap
    /// command is a task bound to the child's lifetime and its pipes, which a detached process must not hold.
    /// </summary>
    public static int StartDetached(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, string log)
    {
        var setsid = Locate("setsid") ?? throw new ProcessException(MissingMessage("setsid"));
        var psi = new ProcessStartInfo(setsid) { UseShellExecute = false };
        foreach (var a in new[] { "sh", "-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null", "sh", log, Locate(program) ?? throw new ProcessException(MissingMessage(program)) })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new ProcessException($"{program} did not start");
        return p.Id;
    }

    /// <summary>
    /// The path of <paramref name="program"/> on PATH. When it is missing and this is a root process on Debian/Ubuntu,
    /// installs <paramref name="package"/> (default: the program's known package) with apt-get first; otherwise throws
    /// a <see cref="ProcessException"/> naming the package. <paramref name="mayInstall"/>: false never installs (default:
    /// a root process on Linux may).
    /// </summary>
    public static string Require(string program, string? package = null, Action<string>? log = null, bool? mayInstall = null)
    {
        if (Which(program) is { } found) return found;
        package ??= Package(program);
        var apt = Which("apt-get");
        if (!((mayInstall ?? (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)) && apt is not null))
            throw new ProcessException(MissingMessage(program, package));
        log?.Invoke($"{program} not found on PATH; installing {package} with apt-get (running as root)");
        var env = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        foreach (var args in new[] { new[] { "update" }, new[] { "install", "-y", "--no-install-recommends", package } })
            Run(apt, args, env: env, timeout: TimeSpan.FromMinutes(20), onLine: log);
        return Which(program) ?? throw new ProcessException($"{program} not found after apt-get install {package}");
    }

    /// <summary>An executable file named <paramref name="name"/> in a PATH directory, or null.</summary>
    public static string? Which(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate;
            try { candidate = Path.Combine(dir, name); }
            catch (ArgumentException) { continue; }
            if (Executable(candidate)) return candidate;
        }
        return null;
    }

    static string? Locate(string program) =>
        program.Contains('/') ? (Executable(program) ? program : null) : Which(program);

    static bool Executable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    static string Describe(string program, IReadOnlyList<string> args) =>
        args.Count == 0 ? program : $"{program} {string.Join(' ', args.Take(8))}{(args.Count > 8 ? " …" : "")}";

    /// <summary>The last <paramref name="lines"/> non-empty lines of <paramref name="text"/>, joined by " | ".</summary>
    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", all.Skip(Math.Max(0, all.Length - lines)));
    }
}
