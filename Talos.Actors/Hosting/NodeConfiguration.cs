namespace Talos.Actors.Hosting;

/// <summary>
/// Node configuration from environment variables, so a container needs no file edits:
/// TALOS_HOSTNAME, TALOS_PORT, TALOS_SEEDS (comma-separated akka.tcp addresses), TALOS_ROLES (comma-separated),
/// TALOS_WORK_DIR, TALOS_JOURNAL (postgres:// URL or connection string; default SQLite under the work dir),
/// TALOS_JOURNAL_PROVIDER, TALOS_VAULT, TALOS_LOGLEVEL.
/// </summary>
public static class NodeConfiguration
{
    public static readonly IReadOnlyList<string> Variables =
        ["TALOS_HOSTNAME", "TALOS_PORT", "TALOS_SEEDS", "TALOS_ROLES", "TALOS_WORK_DIR", "TALOS_JOURNAL", "TALOS_JOURNAL_PROVIDER", "TALOS_VAULT", "TALOS_LOGLEVEL"];

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
        };
    }

    /// <summary>Runs a node until SIGTERM/Ctrl+C, then leaves the cluster gracefully.</summary>
    public static async Task<int> RunUntilStoppedAsync(IReadOnlyList<string> defaultRoles, string what)
    {
        TalosNodeOptions options;
        try { options = FromEnvironment(defaultRoles); }
        catch (ArgumentException e) { Console.Error.WriteLine("error: " + e.Message); return 2; }
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await using var node = await TalosNode.StartAsync(options);
        Console.WriteLine($"talos {what} up at {Akka.Cluster.Cluster.Get(node.System).SelfAddress} roles [{string.Join(",", options.Roles)}]");
        await stop.Task;
        return 0;
    }
}
