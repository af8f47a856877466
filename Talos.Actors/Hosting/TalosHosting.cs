using Akka.Actor;
using Akka.Pattern;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Talos.Messages;
using Talos.Messages.Serialization;
using Talos.Actors.Hephaestus;
using Talos.Actors.Operations;
using Talos.Actors.Pipeline;
using Talos.Actors.Shots;

namespace Talos.Actors.Hosting;

/// <summary>Registry key of the shot shard region (or its proxy on nodes without role "gpu").</summary>
public sealed class ShotRegionKey;
/// <summary>Registry key of the Hephaestus singleton proxy.</summary>
public sealed class HephaestusKey;

/// <summary>How one Talos process joins and serves the cluster.</summary>
public sealed record TalosNodeOptions
{
    public required string WorkDir { get; init; }
    public string Hostname { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    /// <summary>Seed addresses (akka.tcp://talos@host:port); empty = join self (an embedded single-node cluster).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = ["core", "gpu"];
    /// <summary>Journal connection string; default: SQLite files under the work dir.</summary>
    public string? JournalConnection { get; init; }
    /// <summary>linq2db provider: SQLite.MS or PostgreSQL.15.</summary>
    public string JournalProvider { get; init; } = "SQLite.MS";
    public string? VaultDir { get; init; }
    public RenderSettingsOptions Render { get; init; } = new();
    /// <summary>Serialize every message even in-process (tests): proves everything can cross the wire.</summary>
    public bool SerializeMessages { get; init; }
    public string LogLevel { get; init; } = "WARNING";
    /// <summary>How long the split-brain resolver waits for a stable view before downing unreachable nodes (keep-majority).</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// The failure detector's acceptable heartbeat pause: how long a member may go unheard before it is unreachable.
    /// 8 s tolerates GC and a busy node; many processes on few cores (a bench's 20 nodes on 2) need more, or starved
    /// members flap unreachable and the resolver downs the whole cluster as unstable (docs/SCALE.md).
    /// </summary>
    public TimeSpan HeartbeatPause { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>The management listener's http://host:port (TALOS_MANAGEMENT_URL); null: none (the embedded CLI cluster).</summary>
    public string? ManagementUrl { get; init; }
    /// <summary>
    /// A cluster of this process alone that no other member joins (<c>talos render</c>'s embedded one; no seeds): its leader
    /// acts and its singletons are looked up and handed over on 100 ms ticks instead of Akka's 1 s, so the member is Up and,
    /// at the end, has left without waiting out whole ticks (docs/BENCHMARKS.md, issue 19).
    /// </summary>
    public bool Solo { get; init; }

    public string VaultPath => VaultDir ?? Path.Combine(WorkDir, "vault");
}

/// <summary>
/// The Talos wiring as composable Akka.Hosting steps; <see cref="AddTalos"/> composes them. Typed Akka.Hosting options
/// where they exist, HOCON only for settings that have none.
/// </summary>
public static class TalosHosting
{
    public const string SystemName = "talos";

    /// <summary>The whole Talos wiring: serializers, logging, persistence, remoting and cluster, shot shards and chunk pool, Hephaestus, node ops.</summary>
    public static AkkaConfigurationBuilder AddTalos(this AkkaConfigurationBuilder builder, TalosNodeOptions o, TalosEnvironment env) => builder
        .WithTalosSerialization(o.SerializeMessages)
        .WithTalosLogging(o.LogLevel)
        .WithTalosPersistence(new JournalTarget(o.JournalConnection, o.JournalProvider), o.WorkDir)
        .WithTalosClustering(o)
        .WithTalosSharding(o.Roles, env)
        .WithTalosOperations(o.Roles, env);

    /// <summary>
    /// Hyperion on the wire for every <see cref="ITalosMessage"/>, versioned JSON manifests in the journal for every
    /// <see cref="ITalosEvent"/>. <paramref name="serializeMessages"/> (tests): every message is serialized even in-process.
    /// </summary>
    public static AkkaConfigurationBuilder WithTalosSerialization(this AkkaConfigurationBuilder builder, bool serializeMessages = false)
    {
        Type[] wire = [typeof(ITalosMessage)];
        if (serializeMessages)
        {
            // serialize-messages also round-trips Akka.Persistence's internal journal envelope, which carries our events
            // inside; the default JSON serializer cannot rebuild records with read-only collections, Hyperion can. The SQL
            // journal's WriteFinished holds a running Task and never leaves the process (LocalOnlySerializer).
            wire = [.. wire, Type.GetType("Akka.Persistence.Journal.AsyncWriteJournal+Desequenced, Akka.Persistence", throwOnError: true)!];
            builder.WithCustomSerializer("talos-local-only",
                [Type.GetType("Akka.Persistence.Sql.Journal.Types.WriteFinished, Akka.Persistence.Sql", throwOnError: true)!],
                system => new LocalOnlySerializer(system));
            builder.AddHocon("akka.actor.serialize-messages = on", HoconAddMode.Prepend);
        }
        return builder
            .WithCustomSerializer("talos-hyperion", wire, system => new TalosHyperionSerializer(system))
            .WithCustomSerializer("talos-events", [typeof(ITalosEvent)], system => new ShotEventSerializer(system));
    }

    /// <summary>
    /// Every node keeps its recent log lines (INFO and up) in a ring for `talos logs`; RingLogger prints those at
    /// <paramref name="level"/> and above to stdout, as the default logger would (Talos.Actors/Operations).
    /// </summary>
    public static AkkaConfigurationBuilder WithTalosLogging(this AkkaConfigurationBuilder builder, string level) =>
        builder.AddHocon($$"""
            akka.loglevel = {{(level.Equals("DEBUG", StringComparison.OrdinalIgnoreCase) ? "DEBUG" : "INFO")}}
            akka.stdout-loglevel = {{level}}
            akka.loggers = ["Talos.Actors.Operations.RingLogger, Talos.Actors"]
            talos.log-ring.stdout-level = {{level}}
            """, HoconAddMode.Prepend);

    /// <summary>
    /// Akka.Persistence.Sql: the shot journal (default plugin "sql"), a separate journal for remember-entities
    /// ("sharding-sql") and the snapshot store. SQLite (no connection string): one file per store under
    /// <paramref name="workDir"/> (a file is one writer's lock). A server database: one database, the remember-entities
    /// journal in tables of its own.
    /// </summary>
    public static AkkaConfigurationBuilder WithTalosPersistence(this AkkaConfigurationBuilder builder, JournalTarget journal, string workDir)
    {
        journal = journal.WithPostgresDefaults();
        bool shared = journal.ConnectionString is not null && !journal.Provider.StartsWith("SQLite", StringComparison.Ordinal);
        var writes = PostgresWrites(journal);
        string Conn(string file) => journal.ConnectionString ?? $"Data Source={Path.Combine(Path.GetFullPath(workDir), file)};Pooling=True";
        SqlJournalOptions Journal(string id, bool isDefault, string conn, JournalDatabaseOptions? tables) => new(isDefault, id)
        {
            ConnectionString = conn, ProviderName = journal.Provider, AutoInitialize = true, DatabaseOptions = tables, DataOptions = writes,
        };
        JournalDatabaseOptions? shardingTables = null;
        if (shared)
        {
            shardingTables = JournalDatabaseOptions.Default;
            shardingTables.JournalTable!.TableName = "sharding_journal";
            shardingTables.MetadataTable!.TableName = "sharding_journal_metadata";
            shardingTables.TagTable!.TableName = "sharding_tags";
        }
        builder.WithSqlPersistence(Journal("sql", true, Conn("journal.db"), null), new SqlSnapshotOptions(true, "sql")
        {
            ConnectionString = Conn("snapshots.db"), ProviderName = journal.Provider, AutoInitialize = true, DataOptions = writes,
        });
        builder.WithSqlPersistence(Journal("sharding-sql", false, Conn("sharding.db"), shardingTables));
        // PostgreSQL: up to 1,000 rows (many shots' writes) per transaction, and every write of more than one row as a
        // binary COPY (see PostgresWrites) instead of a multi-row INSERT with literals; measured in docs/BENCHMARKS.md.
        // (No typed option for these.)
        if (writes is not null)
            builder.AddHocon("""
                akka.persistence.journal.sql { batch-size = 1000, max-row-by-row-size = 1 }
                akka.persistence.journal.sharding-sql { batch-size = 1000, max-row-by-row-size = 1 }
                """, HoconAddMode.Prepend);
        return builder;
    }

    /// <summary>
    /// For a PostgreSQL journal, linq2db options whose bulk copy is PostgreSQL's binary COPY (linq2db's default for
    /// PostgreSQL is a multi-row INSERT with the payloads as literals, which both sides must format and parse); null for
    /// SQLite. Akka.Persistence.Sql uses bulk copy for journal writes of more than <c>max-row-by-row-size</c> rows.
    /// </summary>
    public static LinqToDB.DataOptions? PostgresWrites(JournalTarget journal) =>
        journal.ConnectionString is null || !journal.IsPostgres ? null
            : LinqToDB.DataOptionsExtensions.UsePostgreSQL(
                LinqToDB.DataOptionsExtensions.UseConnectionString(new LinqToDB.DataOptions(), journal.Provider, journal.ConnectionString),
                pg => pg with { BulkCopyType = LinqToDB.Data.BulkCopyType.ProviderSpecific });

    /// <summary>
    /// Remoting, cluster membership (keep-majority split-brain resolver after <see cref="TalosNodeOptions.DownAfter"/>;
    /// no seeds: the node joins itself) and the pub-sub mediator the work topic runs on.
    /// </summary>
    public static AkkaConfigurationBuilder WithTalosClustering(this AkkaConfigurationBuilder builder, TalosNodeOptions o)
    {
        builder.WithRemoting(o.Hostname, o.Port);
        builder.WithClustering(new ClusterOptions
        {
            Roles = o.Roles.ToArray(), SeedNodes = o.Seeds.ToArray(), SplitBrainResolver = new KeepMajorityOption(),
            // The failure detector tolerates a few seconds of GC or load (more where the options say so).
            FailureDetector = new PhiAccrualFailureDetectorOptions { AcceptableHeartbeatPause = o.HeartbeatPause },
        });
        // No typed option for these. Rendering keeps every core busy through the .NET thread pool (chunk workers,
        // Parallel.For): cluster membership (heartbeats, gossip, failure detection) gets threads of its own so a busy
        // node is never mistaken for a dead one.
        builder.AddHocon($$"""
            akka.coordinated-shutdown.exit-clr = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            akka.cluster.split-brain-resolver.stable-after = {{(int)o.DownAfter.TotalMilliseconds}}ms
            talos-cluster-dispatcher {
              type = ForkJoinDispatcher
              throughput = 30
              dedicated-thread-pool { thread-count = 2, threadtype = background }
            }
            akka.cluster.use-dispatcher = talos-cluster-dispatcher
            akka.cluster.singleton-proxy.log-singleton-identification-failure = {{(o.Seeds.Count == 0 ? "off" : "on")}}
            """, HoconAddMode.Prepend);
        if (o.Solo)
        {
            if (o.Seeds.Count > 0) throw new ArgumentException("a solo cluster member has no seeds: it forms its own cluster");
            builder.AddHocon("""
                akka.cluster.periodic-tasks-initial-delay = 100ms
                akka.cluster.leader-actions-interval = 100ms
                akka.cluster.singleton.hand-over-retry-interval = 100ms
                akka.cluster.singleton-proxy.singleton-identification-interval = 100ms
                akka.cluster.sharding.retry-interval = 200ms
                """, HoconAddMode.Prepend);
        }
        if (o.Seeds.Count == 0)
            builder.AddStartup((system, _) => { var c = Cluster.Get(system); c.Join(c.SelfAddress); });
        // Work pulling: stage agents announce chunks on a pub-sub topic; each render node's pool pulls leases from them.
        return builder.WithDistributedPubSub(role: null!);
    }

    /// <summary>
    /// Role "gpu": the shot shards (remember-entities in the "sharding-sql" journal, DData coordinator state); other
    /// nodes a region proxy. Roles "gpu" and "render": this node's chunk pool. Role "core": the Hephaestus singleton;
    /// every node a proxy to it.
    /// </summary>
    public static AkkaConfigurationBuilder WithTalosSharding(this AkkaConfigurationBuilder builder, IReadOnlyList<string> roles, TalosEnvironment env)
    {
        bool gpu = roles.Contains("gpu");
        builder.AddHocon("akka.cluster.sharding.distributed-data.durable.keys = []", HoconAddMode.Prepend);
        if (gpu || roles.Contains("render"))
            builder.WithActors((system, _) =>
            {
                var mediator = Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system).Mediator;
                system.ActorOf(ChunkWorkerPool.Props(env, Cluster.Get(system).SelfAddress.ToString(), mediator), "chunk-pool");
            });
        if (gpu)
            builder.WithShardRegion<ShotRegionKey>("shots",
                (_, registry, _) => key => ShotEntity.Props(key, env, registry.Get<HephaestusKey>()),
                new ShotMessageExtractor(),
                new ShardOptions
                {
                    Role = "gpu",
                    RememberEntities = true,
                    RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
                    StateStoreMode = StateStoreMode.DData,
                    JournalPluginId = "akka.persistence.journal.sharding-sql",
                    SnapshotPluginId = "akka.persistence.snapshot-store.sql",
                });
        else
            builder.WithShardRegionProxy<ShotRegionKey>("shots", "gpu", new ShotMessageExtractor());
        if (roles.Contains("core"))
            return builder.WithSingleton<HephaestusKey>("hephaestus",
                (_, registry, _) => SupervisedHephaestus(HephaestusActor.Props(registry.Get<ShotRegionKey>(), env)),
                new ClusterSingletonOptions { Role = "core" }, createProxyToo: true);
        return builder.WithSingletonProxy<HephaestusKey>("hephaestus", new ClusterSingletonOptions { Role = "core" });
    }

    /// <summary>
    /// The Hephaestus singleton under a backoff supervisor that starts it again whenever it stops (1 s doubling to 30 s,
    /// and back once it has run a while). A persistent actor whose recovery fails — its snapshot or events not read
    /// within the journal's recovery timeout — is stopped by Akka.Persistence, and the singleton manager does not start
    /// a stopped singleton again: the farm then admits nothing and starts no shot, for good. That is how a 20-node
    /// scale run stalled (Hephaestus's snapshot read timed out at 30 s while 20 node processes started on 2 cores at load
    /// average ~30; no chunk result in 15 minutes). Messages sent while it is down are dropped, as while a singleton
    /// moves: asks time out and their senders retry.
    /// </summary>
    public static Props SupervisedHephaestus(Props hephaestus) =>
        BackoffSupervisor.Props(Backoff.OnStop(hephaestus, "hephaestus", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1)
            .WithAutoReset(TimeSpan.FromSeconds(60)));

    /// <summary>Every node's <see cref="NodeOpsActor"/>: its load and recent log lines for the operator palette.</summary>
    public static AkkaConfigurationBuilder WithTalosOperations(this AkkaConfigurationBuilder builder, IReadOnlyList<string> roles, TalosEnvironment env) =>
        builder.WithActors((system, registry, _) =>
            system.ActorOf(NodeOpsActor.Props(env, roles.Contains("gpu") ? registry.Get<ShotRegionKey>() : null), NodeOpsActor.Name));
}
