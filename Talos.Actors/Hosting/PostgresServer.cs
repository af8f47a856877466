using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Talos.Actors.Hosting;

/// <summary>
/// A private PostgreSQL server for a test or a benchmark run: the Debian binaries started as user postgres (the server
/// refuses root), its own data dir under /tmp and a free port on 127.0.0.1; stopped and deleted on dispose.
/// <c>durable: false</c> turns fsync off (tests); benchmarks keep it on, as a farm does. (`talos farm up` keeps its
/// server's data in the farm's work dir instead, so it outlives the process: see Talos.Cli/Farm.)
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    readonly string _dir;
    readonly string _bin;

    public int Port { get; }
    /// <summary>The server's major version, from its binaries' directory (e.g. "15").</summary>
    public string Version => Path.GetFileName(Path.GetDirectoryName(_bin)!);
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";
    public string Url => $"postgres://postgres@127.0.0.1:{Port}/postgres";

    PostgresServer(string dir, string bin, int port) { _dir = dir; _bin = bin; Port = port; }

    /// <summary>The server binaries, or null when PostgreSQL is not installed on this machine.</summary>
    public static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null;

    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql): no /usr/lib/postgresql/*/bin/pg_ctl");
        var dir = Path.Combine("/tmp", $"talos-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(dir, "sock"));
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        try
        {
            await Run("chown", "-R", "postgres", dir);
            await Run("runuser", ["-u", "postgres", "--", Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-A", "trust", "-U", "postgres",
                .. durable ? Array.Empty<string>() : ["--no-sync"]]);
            await Run("runuser", "-u", "postgres", "--", Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "log"),
                "-o", $"-p {port} -k {Path.Combine(dir, "sock")} -c listen_addresses=127.0.0.1{(durable ? "" : " -c fsync=off")}", "-w", "start");
        }
        catch
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
            throw;
        }
        return new PostgresServer(dir, bin, port);
    }

    static async Task Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await error}{await output}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await Run("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "fast", "-w", "stop"); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
