using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Talos.Bench;

/// <summary>
/// A private PostgreSQL server for one bench run, started the way the farm starts its own (Talos.Cli/Farm): the Debian
/// binaries as user postgres (the server refuses root), its own data dir and a free port on 127.0.0.1, default
/// durability (fsync on, as in the farm). Stopped and deleted on dispose.
/// </summary>
sealed class PrivatePostgres : IAsyncDisposable
{
    readonly string _dir;
    readonly string _bin;

    public int Port { get; }
    public string Version { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";

    PrivatePostgres(string dir, string bin, int port, string version) { _dir = dir; _bin = bin; Port = port; Version = version; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = (Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null) ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql): no /usr/lib/postgresql/*/bin/pg_ctl");
        var dir = Path.Combine(Path.GetTempPath(), $"talos-bench-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(dir, "sock"));
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        try
        {
            await Run("chown", "-R", "postgres", dir);
            await Run("runuser", "-u", "postgres", "--", Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-A", "trust", "-U", "postgres");
            await Run("runuser", "-u", "postgres", "--", Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "log"),
                "-o", $"-p {port} -k {Path.Combine(dir, "sock")} -c listen_addresses=127.0.0.1", "-w", "start");
        }
        catch
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
            throw;
        }
        return new PrivatePostgres(dir, bin, port, Path.GetFileName(Path.GetDirectoryName(bin)!));
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
