using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talos.Actors.Hosting;
using Xunit;

namespace Talos.Tests.Support;

/// <summary>
/// What every test that runs Talos executables as processes owns: a temp dir, the processes it started, an optional
/// private PostgreSQL; on dispose the processes are killed, the server stopped and the dir deleted.
/// </summary>
public abstract class ProcessFarmFixture(string prefix) : IAsyncLifetime
{
    protected readonly string _dir = Repo.TempDir(prefix);
    protected readonly List<Process> _processes = new();
    protected PostgresServer? _pg;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes) { try { if (!p.HasExited) p.Kill(true); } catch (InvalidOperationException) { } p.Dispose(); }
        if (_pg is not null) await _pg.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    protected static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>
    /// Heartbeat gaps a test farm's members tolerate. Heartbeats may be seconds late when the suite shares 2 cores with
    /// other work: with the default pause (8 s) a 9.6 s gap at load ~50 made the resolver down the seed itself. A killed
    /// node is still downed within ~25 s (this plus the resolver's 3 s).
    /// </summary>
    protected const int HeartbeatPauseSeconds = 20;

    /// <summary>
    /// A Talos executable (<c>Talos.Cluster.Seed</c> or <c>Talos.Cluster.Node</c>) as a member of this test's farm on
    /// 127.0.0.1:<paramref name="port"/>: its work dir in the test's dir, the farm's shared vault, the journal, the
    /// resolver after 3 s, <see cref="HeartbeatPauseSeconds"/>, one chunk slot, warnings and errors logged.
    /// </summary>
    protected ProcessStartInfo MemberProcess(string project, string roles, int port, string seed, string journal)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Executable(project));
        psi.Environment["TALOS_HOSTNAME"] = "127.0.0.1";
        psi.Environment["TALOS_PORT"] = port.ToString();
        psi.Environment["TALOS_SEEDS"] = seed;
        psi.Environment["TALOS_ROLES"] = roles;
        psi.Environment["TALOS_WORK_DIR"] = Path.Combine(_dir, $"work-{port}");
        psi.Environment["TALOS_VAULT"] = Path.Combine(_dir, "vault");
        psi.Environment["TALOS_JOURNAL"] = journal;
        psi.Environment["TALOS_DOWN_AFTER_SECONDS"] = "3";
        psi.Environment["TALOS_HEARTBEAT_PAUSE_SECONDS"] = HeartbeatPauseSeconds.ToString();
        psi.Environment["TALOS_CHUNK_SLOTS"] = "1";
        psi.Environment["TALOS_LOGLEVEL"] = "WARNING";
        return psi;
    }

    /// <summary>A project's Release build (./test.sh builds the solution first).</summary>
    protected static string Executable(string project) =>
        Path.Combine(Repo.Root, project, "bin", "Release", "net10.0", project + ".dll");
}
