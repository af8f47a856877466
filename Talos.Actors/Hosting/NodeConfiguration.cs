namespace Talos.Actors.Hosting;

/// <summary>
/// Node configuration from environment variables, so a container needs no file edits:
/// TALOS_HOSTNAME, TALOS_PORT, TALOS_SEEDS (comma-separated akka.tcp addresses), TALOS_ROLES (comma-separated),
/// TALOS_WORK_DIR, TALOS_JOURNAL (postgres:// URL or connection string; default SQLite under the work dir),
/// TALOS_JOURNAL_PROVIDER, TALOS_VAULT, TALOS_LOGLEVEL, TALOS_DOWN_AFTER_SECONDS (split-brain resolver's stable-after,
/// default 20), TALOS_CHUNK_SLOTS (chunks rendering at once, default: cores).
/// </summary>
public static class NodeConfiguration
{
    public static readonly IReadOnlyList<string> Variables =
        ["TALOS_HOSTNAME", "TALOS_PORT", "TALOS_SEEDS", "TALOS_ROLES", "TALOS_WORK_DIR", "TALOS_JOURNAL", "TALOS_JOURNAL_PROVIDER", "TALOS_VAULT", "TALOS_LOGLEVEL",
         "TALOS_DOWN_AFTER_SECONDS", "TALOS_CHUNK_SLOTS"];

    public static TalosNodeOptions FromEnvironment(IReadOnlyList<string> defaultRoles, Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        static IReadOnlyList<string> List(string? v) => v is null ? [] : v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var portText = read("TALOS_PORT");
        int port = 0;
        if (portText is not null && (!int.TryParse(portText, out port) || port is < 0 or > 65535))
            throw new ArgumentException($"TALOS_PORT '{portText}' is not a port number");
        var roles = List(read("TALOS_ROLES"));
        var journal = JournalTarget.Parse(read("TALOS_JOURNAL"), read("TALOS_JOURNAL_PROVIDER"));
        var downText = read("TALOS_DOWN_AFTER_SECONDS");
        double down = 20;
        if (downText is not null && (!double.TryParse(downText, System.Globalization.CultureInfo.InvariantCulture, out down) || down is < 1 or > 3600))
            throw new ArgumentException($"TALOS_DOWN_AFTER_SECONDS '{downText}' is not a number of seconds in 1..3600");
        var slotsText = read("TALOS_CHUNK_SLOTS");
        int slots = Math.Max(1, Environment.ProcessorCount);
        if (slotsText is not null && (!int.TryParse(slotsText, out slots) || slots is < 1 or > 1024))
            throw new ArgumentException($"TALOS_CHUNK_SLOTS '{slotsText}' is not a count in 1..1024");
        return new TalosNodeOptions
        {
            WorkDir = read("TALOS_WORK_DIR") ?? Path.Combine(Environment.CurrentDirectory, ".talos"),
            Hostname = read("TALOS_HOSTNAME") ?? "127.0.0.1",
            Port = port,
            Seeds = List(read("TALOS_SEEDS")),
            Roles = roles.Count > 0 ? roles : defaultRoles,
            JournalConnection = journal.ConnectionString,
            JournalProvider = journal.Provider,
            VaultDir = read("TALOS_VAULT"),
            LogLevel = read("TALOS_LOGLEVEL") ?? "INFO",
            DownAfter = TimeSpan.FromSeconds(down),
            Render = new Pipeline.RenderSettingsOptions { ChunkSlots = slots },
        };
    }

    /// <summary>Runs a node until SIGTERM/Ctrl+C, then leaves the cluster gracefully.</summary>
    /// <param name="configureHost">More services on the same generic host (the seed's HTTP API).</param>
    /// <param name="announce">Extra lines printed once the node is up.</param>
    public static async Task<int> RunUntilStoppedAsync(IReadOnlyList<string> defaultRoles, string what,
        Action<Microsoft.Extensions.Hosting.IHostBuilder>? configureHost = null, Func<TalosNode, IEnumerable<string>>? announce = null)
    {
        TalosNodeOptions options;
        try { options = FromEnvironment(defaultRoles); }
        catch (ArgumentException e) { Console.Error.WriteLine("error: " + e.Message); return 2; }
        var stop = new TaskCompletionSource();
        // SIGTERM (Kubernetes, `kill`) and SIGINT: leave the cluster gracefully (hand off shards) before exiting.
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
            ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT,
            ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        await using var node = await TalosNode.StartAsync(options, configureHost: configureHost);
        foreach (var line in announce?.Invoke(node) ?? []) Console.WriteLine(line);
        Console.WriteLine($"talos {what} up at {Akka.Cluster.Cluster.Get(node.System).SelfAddress} roles [{string.Join(",", options.Roles)}]");
        // Told to leave by an operator (talos node drain / cluster leave) or downed: the actor system stops; so does the process.
        _ = node.System.WhenTerminated.ContinueWith(_ => stop.TrySetResult(), TaskScheduler.Default);
        await stop.Task;
        Console.WriteLine($"talos {what} leaving the cluster");
        return 0;
    }
}
