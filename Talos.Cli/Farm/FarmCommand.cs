using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Spectre.Console;
using Talos.Actors.Hosting;
using Talos.Gpu.Processes;

namespace Talos.Cli.Farm;

/// <summary>
/// <c>talos farm up --nodes N --work-dir DIR</c>: a local farm of separate processes on 127.0.0.1 — a private
/// PostgreSQL journal, the seed (Talos.Cluster.Seed: Hephaestus and the HTTP API) and N render nodes
/// (Talos.Cluster.Node) sharing DIR/vault — started in their own sessions so they outlive the command, which returns
/// once the cluster is up and writes DIR/farm.json. <c>talos farm down --work-dir DIR</c> stops it: SIGTERM (a
/// graceful leave), a wait, then SIGKILL; then the database.
/// </summary>
public static partial class FarmCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes", "-n") { Description = "render nodes to start (1..32)", DefaultValueFactory = _ => 2 };
        var workDir = new Option<string>("--work-dir") { Description = "the farm's directory: journal database, vault, logs, farm.json", Required = true };
        var slots = new Option<int?>("--chunk-slots") { Description = "chunks each node renders at once (default: cores / nodes, at least 1)" };
        var apiPort = new Option<int?>("--api-port") { Description = "the seed's API port on 127.0.0.1 (default: a free one)" };
        var up = new Command("up", "Start a local farm (seed + N nodes + PostgreSQL) and write DIR/farm.json") { nodes, workDir, slots, apiPort };
        up.SetAction((parse, ct) => CliErrors.Guard(() => UpAsync(parse.GetValue(nodes), parse.GetValue(workDir)!, parse.GetValue(slots), parse.GetValue(apiPort), ct)));

        var downDir = new Option<string>("--work-dir") { Description = "the farm's directory (with farm.json)", Required = true };
        var down = new Command("down", "Stop the local farm in DIR") { downDir };
        down.SetAction((parse, ct) => CliErrors.Guard(() => DownAsync(parse.GetValue(downDir)!, ct)));

        return new Command("farm", "A local farm of processes on this machine") { up, down };
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Talos.Cluster.Seed.dll / Talos.Cluster.Node.dll: beside the CLI, or built in Release in the source tree (built now if missing).</summary>
    static async Task<string> Executable(string project, CancellationToken ct)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        if (File.Exists(beside)) return beside;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Talos.sln"))) dir = dir.Parent;
        if (dir is null) throw new UsageException($"{project}.dll is not beside the talos CLI and no Talos source tree is above it");
        var dll = Path.Combine(dir.FullName, project, "bin", "Release", "net10.0", project + ".dll");
        if (!File.Exists(dll))
        {
            AnsiConsole.MarkupLine($"[grey]building {project} (Release)…[/]");
            await ProcessRunner.RunAsync("dotnet", ["build", Path.Combine(dir.FullName, project, project + ".csproj"), "-c", "Release", "-v", "q", "-nologo", "-clp:NoSummary"], ct: ct);
        }
        return dll;
    }

    static string? PostgresBinaries() => PostgresServer.FindBinaries();

    static async Task<FarmDatabase> StartPostgres(string dir, CancellationToken ct)
    {
        var bin = PostgresBinaries() ?? throw new UsageException("a farm journals into PostgreSQL, which is not installed (apt-get install postgresql)");
        var root = await PostgresRoot(dir, ct);
        int port = FreePort();
        await PostgresServer.StartIn(bin, root, port, durable: true, ct);
        return new FarmDatabase(Path.Combine(root, "data"), port, bin, $"postgres://postgres@127.0.0.1:{port}/postgres");
    }

    /// <summary>Where farms keep their databases when user postgres cannot enter their directory (see <see cref="PostgresRoot"/>).</summary>
    internal const string OutsideRoot = "/var/lib/postgresql/talos-farms";

    /// <summary>
    /// Where the farm's PostgreSQL keeps its data, socket and log: DIR/postgres — or, when we are root and user postgres
    /// cannot enter DIR (it or a directory above it is private, as a <c>mktemp -d</c> directory or /root is), a
    /// directory under <see cref="OutsideRoot"/> named after DIR and written to DIR/postgres/location, so `farm down`
    /// and `farm up` again resume on the same journal. A directory of that name without the location file is what a
    /// deleted farm at the same path left: it is not this farm's journal and is started afresh.
    /// </summary>
    static async Task<string> PostgresRoot(string dir, CancellationToken ct)
    {
        var local = Path.Combine(dir, "postgres");
        var location = Path.Combine(local, "location");
        if (File.Exists(location))
        {
            var kept = (await File.ReadAllTextAsync(location, ct)).Trim();
            if (!Directory.Exists(kept)) AnsiConsole.MarkupLine($"[yellow]warning[/]: {Markup.Escape(location)} names {Markup.Escape(kept)}, which is gone: this farm starts on an empty journal");
            return kept;
        }
        if (File.Exists(Path.Combine(local, "data", "PG_VERSION")) || await PostgresServer.PostgresCanEnter(dir, ct)) return local;
        if (!Directory.Exists(Path.GetDirectoryName(OutsideRoot)))
            throw new UsageException($"user postgres cannot enter {dir} (it or a directory above it is private) and {Path.GetDirectoryName(OutsideRoot)} does not exist: use a --work-dir user postgres can reach, e.g. under /srv or /var/tmp");
        var name = Path.GetFileName(dir);
        var outside = Path.Combine(OutsideRoot, $"{(name.Length > 24 ? name[..24] : name)}-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dir)))[..12]}");
        if (Directory.Exists(outside)) Directory.Delete(outside, recursive: true);
        // rwxr-xr-x whatever root's umask: user postgres must pass through it to its own directory below.
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
            UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(OutsideRoot);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(OutsideRoot, traversable);
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(local);
        await File.WriteAllTextAsync(location, outside + "\n", ct);
        AnsiConsole.MarkupLine($"[grey]user postgres cannot enter {Markup.Escape(dir)}: the journal database lives in {Markup.Escape(outside)} (named in {Markup.Escape(location)})[/]");
        return outside;
    }

    static async Task UpAsync_CheckFree(string dir)
    {
        if (!File.Exists(FarmInfo.PathIn(dir))) return;
        var old = FarmInfo.Read(dir);
        if (old.Processes.Any(p => IsFarmProcess(p.Pid)))
            throw new UsageException($"a farm is already running in {dir} (talos farm down --work-dir {dir})");
        await Task.CompletedTask;
    }

    static async Task<int> UpAsync(int nodeCount, string workDir, int? slots, int? apiPort, CancellationToken ct)
    {
        if (nodeCount is < 1 or > 32) throw new UsageException($"--nodes {nodeCount} is outside 1..32");
        if (slots is < 1 or > 256) throw new UsageException($"--chunk-slots {slots} is outside 1..256");
        if (apiPort is < 1 or > 65535) throw new UsageException($"--api-port {apiPort} is not a port");
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workDir)); // "farm/" is "farm"
        Directory.CreateDirectory(dir);
        await UpAsync_CheckFree(dir);
        var seedDll = await Executable("Talos.Cluster.Seed", ct);
        var nodeDll = await Executable("Talos.Cluster.Node", ct);

        var started = new List<FarmProcess>();
        FarmDatabase? db = null;
        try
        {
            db = await StartPostgres(dir, ct);
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            int seedPort = FreePort();
            var seedAddress = $"akka.tcp://talos@127.0.0.1:{seedPort}";
            var url = $"http://127.0.0.1:{apiPort ?? FreePort()}";
            int perNode = slots ?? Math.Max(1, Environment.ProcessorCount / nodeCount);
            Dictionary<string, string> Env(string name, int port, string roles) => new()
            {
                ["TALOS_HOSTNAME"] = "127.0.0.1", ["TALOS_PORT"] = port.ToString(), ["TALOS_SEEDS"] = seedAddress, ["TALOS_ROLES"] = roles,
                ["TALOS_WORK_DIR"] = Path.Combine(dir, name), ["TALOS_VAULT"] = Path.Combine(dir, "vault"), ["TALOS_JOURNAL"] = db.Url,
                ["TALOS_CHUNK_SLOTS"] = perNode.ToString(), ["TALOS_LOGLEVEL"] = Environment.GetEnvironmentVariable("TALOS_LOGLEVEL") ?? "WARNING",
                ["TALOS_DOWN_AFTER_SECONDS"] = Environment.GetEnvironmentVariable("TALOS_DOWN_AFTER_SECONDS") ?? "10",
            };
            var seedEnv = Env("seed", seedPort, "core");
            seedEnv["TALOS_API_URL"] = url;
            seedEnv["TALOS_API_TOKEN_OPERATOR"] = token;
            started.Add(Launch(seedDll, "seed", seedAddress, seedEnv, dir));
            await WaitUp(started[0], ct);
            for (int i = 1; i <= nodeCount; i++)
            {
                int port = FreePort();
                started.Add(Launch(nodeDll, "node", $"akka.tcp://talos@127.0.0.1:{port}", Env($"node-{i}", port, "gpu"), dir));
            }
            await Task.WhenAll(started.Skip(1).Select(p => WaitUp(p, ct)));
            await WaitApi(url, token, ct);
            var info = new FarmInfo(url, token, dir, db, started, DateTimeOffset.UtcNow);
            info.Write(dir);
            AnsiConsole.MarkupLine($"[green]farm up[/]: seed {Markup.Escape(seedAddress)} + {nodeCount} node(s), API {Markup.Escape(url)}, journal PostgreSQL :{db.Port}");
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(FarmInfo.PathIn(dir))} (url, token, processes); logs in {Markup.Escape(Path.Combine(dir, "logs"))}[/]");
            return CliErrors.Ok;
        }
        catch
        {
            await StopAsync(started, db, TimeSpan.FromSeconds(5), CancellationToken.None);
            throw;
        }
    }

    static FarmProcess Launch(string dll, string role, string address, Dictionary<string, string> env, string dir)
    {
        var logs = Directory.CreateDirectory(Path.Combine(dir, "logs")).FullName;
        var name = Path.GetFileName(env["TALOS_WORK_DIR"]);
        var log = Path.Combine(logs, name + ".log");
        // a session of its own, so it outlives this command and the terminal's Ctrl+C; the pid stays dotnet's
        var pid = ProcessRunner.StartDetached("dotnet", [dll], env, log);
        return new FarmProcess(role, address, pid, log);
    }

    /// <summary>Waits for the process's " up at " line (it prints it once it is a cluster member).</summary>
    static async Task WaitUp(FarmProcess p, CancellationToken ct)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var text = File.Exists(p.Log) ? await File.ReadAllTextAsync(p.Log, ct) : "";
            if (text.Contains(" up at ", StringComparison.Ordinal)) return;
            if (!IsFarmProcess(p.Pid, starting: true)) throw new InvalidOperationException($"the {p.Role} at {p.Address} exited before joining; its log ({p.Log}):\n{Tail(text)}");
            if (DateTime.UtcNow > until) throw new TimeoutException($"the {p.Role} at {p.Address} did not join in 120 s; its log ({p.Log}):\n{Tail(text)}");
            await Task.Delay(200, ct);
        }
    }

    static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;

    /// <summary>The API answers with Hephaestus's registry: the singleton is up and reachable.</summary>
    static async Task WaitApi(string url, string token, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(35) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string last = "";
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var r = await http.GetAsync("api/v1/shots", ct);
                if (r.IsSuccessStatusCode) return;
                last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { last = e.Message; }
            await Task.Delay(300, ct);
        }
        throw new TimeoutException($"the seed's API at {url} did not answer: {last}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
    const int SIGTERM = 15, SIGKILL = 9;

    /// <summary>
    /// Alive and one of ours (a recycled pid running something else is left alone; a zombie has exited). With
    /// <paramref name="starting"/>, an empty command line counts as ours: a process just launched reads empty while it
    /// passes from one exec to the next (setsid → sh → dotnet), which once made `farm up` report a starting node as exited.
    /// </summary>
    static bool IsFarmProcess(int pid, bool starting = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length || stat[close + 2] is 'Z' or 'X') return false;
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("Talos.Cluster.", StringComparison.Ordinal) || (starting && cmdline.Length == 0);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    static async Task StopAsync(IReadOnlyList<FarmProcess> processes, FarmDatabase? db, TimeSpan grace, CancellationToken ct)
    {
        // Nodes first (their shards hand off while the seed still runs), then the seed.
        foreach (var group in new[] { processes.Where(p => p.Role != "seed").ToList(), processes.Where(p => p.Role == "seed").ToList() })
        {
            foreach (var p in group.Where(p => IsFarmProcess(p.Pid))) kill(p.Pid, SIGTERM);
            var until = DateTime.UtcNow + grace;
            while (group.Any(p => IsFarmProcess(p.Pid)) && DateTime.UtcNow < until) await Task.Delay(200, ct);
            foreach (var p in group.Where(p => IsFarmProcess(p.Pid)))
            {
                AnsiConsole.MarkupLine($"[yellow]{p.Role} {Markup.Escape(p.Address)} (pid {p.Pid}) did not stop in {grace.TotalSeconds:F0} s: killed[/]");
                kill(p.Pid, SIGKILL);
            }
        }
        if (db is not null)
        {
            try { await PostgresServer.StopIn(db.BinDir, db.DataDir, ct); }
            catch (ProcessException e) { AnsiConsole.MarkupLine($"[grey]PostgreSQL: {Markup.Escape(e.Message.Trim())}[/]"); }
        }
    }

    static async Task<int> DownAsync(string workDir, CancellationToken ct)
    {
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workDir)); // "farm/" is "farm"
        var info = FarmInfo.Read(dir);
        await StopAsync(info.Processes, info.Database, TimeSpan.FromSeconds(20), ct);
        File.Delete(FarmInfo.PathIn(dir));
        var journal = info.Database is { DataDir: var data } && !data.StartsWith(dir + "/", StringComparison.Ordinal) ? $"journal stays in {data}, vault in {dir}" : $"journal and vault stay in {dir}";
        AnsiConsole.MarkupLine($"[green]farm down[/]: {info.Processes.Count} process(es) stopped{(info.Database is null ? "" : ", PostgreSQL stopped")}; {Markup.Escape(journal)}");
        return CliErrors.Ok;
    }
}
