using Talos.Gpu.Processes;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Processes;

/// <summary>The one way Talos runs programs: output, stdin, environment, and its errors in one line each.</summary>
public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task Runs_a_program_with_stdin_and_environment_and_returns_both_streams()
    {
        var r = await ProcessRunner.RunAsync("sh", ["-c", "read line; echo \"$line $TALOS_X\"; echo err >&2"], stdin: "hello\n",
            env: new Dictionary<string, string?> { ["TALOS_X"] = "there" }, ct: TestContext.Current.CancellationToken);
        Assert.Equal((0, "hello there\n", "err\n"), (r.ExitCode, r.Output, r.Error));
    }

    [Fact]
    public async Task A_missing_program_is_one_line_naming_it_and_its_package()
    {
        var e = await Assert.ThrowsAsync<ProcessException>(() => ProcessRunner.RunAsync("espeak-ng-not-here", []));
        Assert.Equal("espeak-ng-not-here is not installed; install it with: sudo apt-get install espeak-ng-not-here", e.Message);
        var known = ProcessRunner.MissingMessage("/nowhere/pg_ctl");
        Assert.Equal("pg_ctl is not installed; install it with: sudo apt-get install postgresql", known);
        e = await Assert.ThrowsAsync<ProcessException>(() => ProcessRunner.RunAsync("/nowhere/pg_ctl", []));
        Assert.Equal(known, e.Message);
    }

    [Fact]
    public async Task A_failing_program_names_itself_its_exit_code_and_the_tail_of_its_stderr()
    {
        var e = await Assert.ThrowsAsync<ProcessException>(() =>
            ProcessRunner.RunAsync("sh", ["-c", "echo out; for i in 1 2 3 4 5 6 7 8; do echo line$i >&2; done; exit 3"]));
        Assert.StartsWith("sh -c ", e.Message);
        Assert.EndsWith("failed (exit 3): line3 | line4 | line5 | line6 | line7 | line8", e.Message);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
        var r = await ProcessRunner.RunAsync("sh", ["-c", "exit 4"], check: false, ct: TestContext.Current.CancellationToken);
        Assert.Equal(4, r.ExitCode);
    }

    [Fact]
    public async Task A_program_past_its_time_is_killed_with_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<ProcessException>(() => ProcessRunner.RunAsync("sleep", ["30"], timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal("sleep 30 did not finish within 0.3 s (killed)", e.Message);
    }

    [Fact]
    public void Require_finds_a_program_on_PATH() => Assert.Equal(ProcessRunner.Which("sh"), ProcessRunner.Require("sh"));

    [Fact]
    public void Require_names_the_package_of_a_program_it_cannot_install()
    {
        // mayInstall: false, so that as root (CI) it names the package instead of running apt-get install.
        var e = Assert.Throws<ProcessException>(() => ProcessRunner.Require("no-such-tool-x", "no-such-package-x", mayInstall: false));
        Assert.Equal("no-such-tool-x is not installed; install it with: sudo apt-get install no-such-package-x", e.Message);
    }

    [Fact]
    public async Task StartDetached_runs_in_a_session_of_its_own_with_output_in_the_log()
    {
        var dir = Repo.TempDir("detached");
        try
        {
            var log = Path.Combine(dir, "x.log");
            int pid = ProcessRunner.StartDetached("sh", ["-c", "echo \"$TALOS_Y $$\"; sleep 1"], new Dictionary<string, string> { ["TALOS_Y"] = "y" }, log);
            // it leads a session of its own: its session id (field 6 of /proc/PID/stat) is its pid, once setsid has run
            string Session() { var stat = File.ReadAllText($"/proc/{pid}/stat"); return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3]; }
            for (int i = 0; i < 50 && Session() != pid.ToString(); i++) await Task.Delay(10, TestContext.Current.CancellationToken);
            Assert.Equal(pid.ToString(), Session());
            for (int i = 0; i < 50 && !(File.Exists(log) && File.ReadAllText(log).Contains('\n')); i++) await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.Equal($"y {pid}\n", await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken));
        }
        finally { Directory.Delete(dir, true); }
    }
}
