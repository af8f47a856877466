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

    /// <summary>A project's Release build (./test.sh builds the solution first).</summary>
    protected static string Executable(string project) =>
        Path.Combine(Repo.Root, project, "bin", "Release", "net10.0", project + ".dll");
}
