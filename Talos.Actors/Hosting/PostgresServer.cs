using System.Net;
using System.Net.Sockets;
using Talos.Gpu.Processes;

namespace Talos.Actors.Hosting;

/// <summary>
/// A private PostgreSQL server for a test or a benchmark run: the Debian binaries started as user postgres (the server
/// refuses root), its own data dir under /tmp and a free port on 127.0.0.1; stopped and deleted on dispose.
/// <c>durable: false</c> turns fsync off (tests); benchmarks keep it on, as a farm does. (`talos farm up` keeps its
/// server's data in the farm's work dir instead — or under /var/lib/postgresql/talos-farms when user postgres cannot
/// enter it — so it outlives the process: see Talos.Cli/Farm.)
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

    /// <summary>The server's main process (the first line of its postmaster.pid), or null when it cannot be read.</summary>
    public int? ServerPid
    {
        get
        {
            try { return int.TryParse(File.ReadLines(Path.Combine(_dir, "data", "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
    }

    /// <summary>The server binaries, or null when PostgreSQL is not installed on this machine.</summary>
    public static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null;

    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(NotInstalled);
        var dir = Path.Combine("/tmp", $"talos-pg-{Guid.NewGuid():N}");
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        try { await StartIn(bin, dir, port, durable); }
        catch
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
            throw;
        }
        return new PostgresServer(dir, bin, port);
    }

    public const string NotInstalled = "PostgreSQL is not installed (apt-get install postgresql): no /usr/lib/postgresql/*/bin/pg_ctl";

    /// <summary>
    /// The server's connection limit. Every Talos process holds a pool of connections (journal writes, recoveries,
    /// snapshots); PostgreSQL's default of 100 was exhausted by a 20-node scale run whose shards all recovered at once
    /// ("53300: sorry, too many clients already", then the journals' circuit breakers opened). A farm's own server needs
    /// at least processes × their pools' maximum (<c>Maximum Pool Size</c> in the connection string, Npgsql's default 100).
    /// </summary>
    public const int MaxConnections = 500;

    /// <summary>
    /// Starts a server on 127.0.0.1:<paramref name="port"/> whose files live under <paramref name="root"/>: <c>data/</c>
    /// (initialised by initdb when it has no PG_VERSION yet, so a second start resumes on the same data), <c>sock/</c>
    /// and <c>log</c>. As root the tree is chowned to user postgres first, which must be able to enter it.
    /// </summary>
    public static async Task StartIn(string bin, string root, int port, bool durable, CancellationToken ct = default)
    {
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(Path.Combine(root, "sock"));
        if (Environment.IsPrivilegedProcess) await ProcessRunner.RunAsync("chown", ["-R", "postgres", root], ct: ct);
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
            await Tool(bin, "initdb", ["-D", data, "-A", "trust", "-U", "postgres", .. durable ? Array.Empty<string>() : ["--no-sync"]], ct);
        await Tool(bin, "pg_ctl", ["-D", data, "-l", Path.Combine(root, "log"),
            "-o", $"-p {port} -k {Path.Combine(root, "sock")} -c listen_addresses=127.0.0.1 -c max_connections={MaxConnections}{(durable ? "" : " -c fsync=off")}", "-w", "start"], ct);
    }

    /// <summary>Stops the server of <paramref name="dataDir"/> (fast shutdown: sessions are ended, nothing is lost).</summary>
    public static Task StopIn(string bin, string dataDir, CancellationToken ct = default) =>
        Tool(bin, "pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"], ct);

    /// <summary>Runs initdb or pg_ctl: as user postgres when we are root (the server refuses root), else as ourselves.</summary>
    static Task<ProcessResult> Tool(string bin, string tool, IEnumerable<string> args, CancellationToken ct) =>
        Environment.IsPrivilegedProcess
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args], ct: ct)
            : ProcessRunner.RunAsync(Path.Combine(bin, tool), args, ct: ct);

    /// <summary>Whether the server's account can reach <paramref name="dir"/> (always, unless we are root and it is user postgres).</summary>
    public static async Task<bool> PostgresCanEnter(string dir, CancellationToken ct = default) =>
        !Environment.IsPrivilegedProcess
        || (await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", "test", "-x", dir], check: false, ct: ct)).ExitCode == 0;

    public async ValueTask DisposeAsync()
    {
        try { await StopIn(_bin, Path.Combine(_dir, "data")); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
