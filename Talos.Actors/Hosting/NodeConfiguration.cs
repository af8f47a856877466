namespace Talos.Actors.Hosting;

/// <summary>
/// Node configuration from environment variables, so a container needs no file edits:
/// TALOS_HOSTNAME, TALOS_PORT, TALOS_SEEDS (comma-separated akka.tcp addresses), TALOS_ROLES (comma-separated),
/// TALOS_WORK_DIR, TALOS_JOURNAL (postgres:// URL or connection string; default SQLite under the work dir),
/// TALOS_JOURNAL_PROVIDER, TALOS_VAULT, TALOS_LOGLEVEL, TALOS_DOWN_AFTER_SECONDS (split-brain resolver's stable-after,
/// default 20), TALOS_HEARTBEAT_PAUSE_SECONDS (the failure detector's acceptable heartbeat pause, default 8), TALOS_CHUNK_SLOTS (chunks this node pulls and renders at once, default: cores),
/// TALOS_MAX_ACTIVE_SHOTS (shots Hephaestus lets render at once, the rest wait by priority and fair share; default 16),
/// TALOS_HEPHAESTUS_SNAPSHOT_EVERY (Hephaestus snapshots its registry every N journalled events; default 500, 0 = never),
/// TALOS_MANAGEMENT_URL (the management listener: /healthz, /ready, /metrics, /drain; unset = none). TALOS_API_URL,
/// the TALOS_API_* settings and TALOS_WEBHOOK_ALLOW_PRIVATE are read by the seed's HTTP API, and TALOS_FLUX_MODEL (an ONNX frame interpolator) by FLUX;
/// they are listed here so that deployment checks know every variable a Talos process reads.
/// </summary>
public static class NodeConfiguration
{
    public static readonly IReadOnlyList<string> Variables =
        ["TALOS_HOSTNAME", "TALOS_PORT", "TALOS_SEEDS", "TALOS_ROLES", "TALOS_WORK_DIR", "TALOS_JOURNAL", "TALOS_JOURNAL_PROVIDER", "TALOS_VAULT", "TALOS_LOGLEVEL",
         "TALOS_DOWN_AFTER_SECONDS", "TALOS_HEARTBEAT_PAUSE_SECONDS", "TALOS_CHUNK_SLOTS", "TALOS_MAX_ACTIVE_SHOTS", "TALOS_HEPHAESTUS_SNAPSHOT_EVERY", "TALOS_MANAGEMENT_URL", "TALOS_API_URL",
         "TALOS_API_TOKENS_FILE", "TALOS_API_TOKEN_OPERATOR", "TALOS_API_TOKEN_PIPELINE", "TALOS_API_RATE_LIMIT",
         "TALOS_API_MAX_JSON_BYTES", "TALOS_API_MAX_ASSET_BYTES", "TALOS_WEBHOOK_ALLOW_PRIVATE", Talos.Gpu.Flux.OnnxInterpolator.EnvironmentVariable];

    /// <summary>
    /// How long a process that is told to stop (SIGTERM, or GET /drain from a Kubernetes preStop hook) gives
    /// CoordinatedShutdown to leave the cluster and hand its shards and singletons over. A pod's preStop plus its
    /// terminationGracePeriodSeconds must exceed it (the manifest checks test that).
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

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
        var pauseText = read("TALOS_HEARTBEAT_PAUSE_SECONDS");
        double pause = new TalosNodeOptions { WorkDir = "." }.HeartbeatPause.TotalSeconds;
        if (pauseText is not null && (!double.TryParse(pauseText, System.Globalization.CultureInfo.InvariantCulture, out pause) || pause is < 1 or > 3600))
            throw new ArgumentException($"TALOS_HEARTBEAT_PAUSE_SECONDS '{pauseText}' is not a number of seconds in 1..3600");
        var slotsText = read("TALOS_CHUNK_SLOTS");
        int slots = Math.Max(1, Environment.ProcessorCount);
        if (slotsText is not null && (!int.TryParse(slotsText, out slots) || slots is < 1 or > 1024))
            throw new ArgumentException($"TALOS_CHUNK_SLOTS '{slotsText}' is not a count in 1..1024");
        var activeText = read("TALOS_MAX_ACTIVE_SHOTS");
        int active = new Pipeline.RenderSettingsOptions().MaxActiveShots;
        if (activeText is not null && (!int.TryParse(activeText, out active) || active is < 1 or > 100000))
            throw new ArgumentException($"TALOS_MAX_ACTIVE_SHOTS '{activeText}' is not a count in 1..100000");
        var snapshotText = read("TALOS_HEPHAESTUS_SNAPSHOT_EVERY");
        int snapshotEvery = new Pipeline.RenderSettingsOptions().HephaestusSnapshotEvery;
        if (snapshotText is not null && (!int.TryParse(snapshotText, out snapshotEvery) || snapshotEvery is < 0 or > 10_000_000))
            throw new ArgumentException($"TALOS_HEPHAESTUS_SNAPSHOT_EVERY '{snapshotText}' is not a count of events in 0..10000000 (0: no snapshots)");
        var inFlightText = read("TALOS_HEPHAESTUS_WRITES_IN_FLIGHT");
        int inFlight = new Pipeline.RenderSettingsOptions().HephaestusWritesInFlight;
        if (inFlightText is not null && (!int.TryParse(inFlightText, out inFlight) || inFlight is < 1 or > 16))
            throw new ArgumentException($"TALOS_HEPHAESTUS_WRITES_IN_FLIGHT '{inFlightText}' is not a count in 1..16");
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
            HeartbeatPause = TimeSpan.FromSeconds(pause),
            Render = new Pipeline.RenderSettingsOptions { ChunkSlots = slots, MaxActiveShots = active, HephaestusSnapshotEvery = snapshotEvery,
                HephaestusWritesInFlight = inFlight },
            ManagementUrl = ManagementUrl(read("TALOS_MANAGEMENT_URL")),
        };
    }

    static string? ManagementUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            throw new ArgumentException($"TALOS_MANAGEMENT_URL '{text}' is not an http://host:port URL");
        return uri.GetLeftPart(UriPartial.Authority);
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
        // A render node's native allocations (zstd, SkiaSharp, ONNX Runtime) in a few arenas per chunk slot, as an embedded render's.
        NativeHeap.Limit(options.Render.ChunkSlots);
        var stop = new TaskCompletionSource();
        // SIGTERM (Kubernetes, `kill`) and SIGINT: leave the cluster gracefully (hand off shards) before exiting.
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
            ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT,
            ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        TalosNode started;
        try { started = await TalosNode.StartAsync(options, configureHost: configureHost); }
        catch (IOException e) { Console.Error.WriteLine($"error: {what} cannot start: {e.Message}"); return 1; } // e.g. a port in use
        await using var node = started;
        // Disposed before the node: a graceful stop of the listener lets a running /drain answer first.
        await using var management = options.ManagementUrl is { } url
            ? await Management.ManagementServer.StartAsync(node.System, url, ShutdownTimeout) : null;
        foreach (var line in announce?.Invoke(node) ?? []) Console.WriteLine(line);
        Console.WriteLine($"talos {what} up at {Akka.Cluster.Cluster.Get(node.System).SelfAddress} roles [{string.Join(",", options.Roles)}]"
            + (management is null ? "" : $" management {management.Address}"));
        // Stop on a signal, or when the actor system ends by itself (drained through /drain, or downed).
        await Task.WhenAny(stop.Task, node.System.WhenTerminated);
        // Downed by the split-brain resolver (unreachable too long): this member can never rejoin, so the process
        // exits non-zero for its supervisor to start a fresh one instead of idling outside the cluster.
        if (!stop.Task.IsCompleted && Akka.Actor.CoordinatedShutdown.Get(node.System).ShutdownReason is Akka.Actor.CoordinatedShutdown.ClusterDowningReason)
        {
            Console.Error.WriteLine($"talos {what} was removed from the cluster; exiting");
            return 3;
        }
        Console.WriteLine($"talos {what} leaving the cluster");
        return 0;
    }
}
