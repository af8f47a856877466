using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Talos.Tests.Support;

/// <summary>
/// A seed process (Talos.Cluster.Seed's Release build, roles core+gpu, one chunk slot, its SQLite journal) serving the
/// pipeline API on a free loopback port, in a temp dir of its own, for tests that drive the API from outside (curl,
/// Python). Disposing kills it and deletes the dir.
/// </summary>
public sealed class SeedProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _log;

    public string Url { get; }

    /// <summary>The temp dir: the seed's work dir is <c>seed/</c> under it; tests may put their files here.</summary>
    public string Dir { get; }

    /// <summary>What the seed wrote so far (stdout and stderr), for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    SeedProcess(Process process, StringBuilder log, string url, string dir) => (_process, _log, Url, Dir) = (process, log, url, dir);

    /// <summary>Starts the seed in a new temp dir named after <paramref name="prefix"/> with <paramref name="env"/> (its API tokens); answers once it says it is up.</summary>
    public static async Task<SeedProcess> StartAsync(string prefix, IReadOnlyDictionary<string, string> env)
    {
        var dll = Path.Combine(Repo.Root, "Talos.Cluster.Seed", "bin", "Release", "net10.0", "Talos.Cluster.Seed.dll");
        Assert.True(File.Exists(dll), "build the solution in Release first (./test.sh does)");
        var dir = Repo.TempDir(prefix);
        var url = $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.Environment["TALOS_ROLES"] = "core,gpu";
        psi.Environment["TALOS_PORT"] = "0";
        psi.Environment["TALOS_WORK_DIR"] = Path.Combine(dir, "seed");
        psi.Environment["TALOS_API_URL"] = url;
        psi.Environment["TALOS_CHUNK_SLOTS"] = "1";
        psi.Environment["TALOS_LOGLEVEL"] = "WARNING";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var log = new StringBuilder();
        var seed = new SeedProcess(Process.Start(psi)!, log, url, dir);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        seed._process.OutputDataReceived += (_, e) => { if (e.Data is null) return; lock (log) log.AppendLine(e.Data); if (e.Data.Contains(" up at ")) up.TrySetResult(); };
        seed._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        seed._process.BeginOutputReadLine();
        seed._process.BeginErrorReadLine();
        var first = await Task.WhenAny(up.Task, seed._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != up.Task)
        {
            await seed.DisposeAsync();
            Assert.Fail("the seed did not come up:\n" + seed.Log);
        }
        return seed;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) _process.Kill(true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
