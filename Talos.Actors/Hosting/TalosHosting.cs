using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
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
    /// <summary>The management listener's http://host:port (TALOS_MANAGEMENT_URL); null: none (the embedded CLI cluster).</summary>
    public string? ManagementUrl { get; init; }

    public string VaultPath => VaultDir ?? Path.Combine(WorkDir, "vault");
}

public static class TalosHosting
{
    public const string SystemName = "talos";

    /// <summary>Serializer bindings every process registers identically: Hyperion on the wire, versioned manifests in the journal.</summary>
    public const string SerializationHocon = """
        akka.actor {
          serializers {
            talos-hyperion = "Talos.Messages.Serialization.TalosHyperionSerializer, Talos.Messages"
            talos-events = "Talos.Messages.Serialization.ShotEventSerializer, Talos.Messages"
          }
          serialization-bindings {
            "Talos.Messages.ITalosMessage, Talos.Messages" = talos-hyperion
            "Talos.Messages.ITalosEvent, Talos.Messages" = talos-events
          }
        }
        """;

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>Akka.Persistence.Sql by HOCON (its Hosting package is not available): shot journal and a separate journal for remember-entities.</summary>
    public static string PersistenceHocon(TalosNodeOptions o)
    {
        // SQLite: one file per store (a file is one writer's lock). A server database: one database, the
        // remember-entities journal in tables of its own.
        bool shared = o.JournalConnection is not null && !o.JournalProvider.StartsWith("SQLite", StringComparison.Ordinal);
        // PostgreSQL: up to 1,000 rows (many shots' writes) per transaction, and every write of more than one row as a
        // binary COPY (see PostgresWrites) instead of a multi-row INSERT with literals; measured in docs/BENCHMARKS.md.
        string writes = PostgresWrites(o) is not null ? "batch-size = 1000\n              max-row-by-row-size = 1" : "";
        string Conn(string file) => o.JournalConnection ?? $"Data Source={Path.Combine(Path.GetFullPath(o.WorkDir), file)};Pooling=True";
        string Journal(string conn, string tables) => $$"""
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              connection-string = {{Quote(conn)}}
              provider-name = {{Quote(o.JournalProvider)}}
              auto-initialize = true
              {{writes}}
              {{tables}}
            """;
        var shardingTables = shared ? """
            default.journal.table-name = "sharding_journal"
            default.metadata.table-name = "sharding_journal_metadata"
            default.tag.table-name = "sharding_tags"
            """ : "";
        return $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { {{Journal(Conn("journal.db"), "")}} }
                sharding-sql { {{Journal(Conn("sharding.db"), shardingTables)}} }
              }
              query.journal.sql {
                class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
                connection-string = {{Quote(Conn("journal.db"))}}
                provider-name = {{Quote(o.JournalProvider)}}
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                  connection-string = {{Quote(Conn("snapshots.db"))}}
                  provider-name = {{Quote(o.JournalProvider)}}
                  auto-initialize = true
                }
              }
            }
            """;
    }

    /// <summary>
    /// For a PostgreSQL journal, linq2db options whose bulk copy is PostgreSQL's binary COPY (linq2db's default for
    /// PostgreSQL is a multi-row INSERT with the payloads as literals, which both sides must format and parse); null for
    /// SQLite. Akka.Persistence.Sql uses bulk copy for journal writes of more than <c>max-row-by-row-size</c> rows.
    /// </summary>
    public static LinqToDB.DataOptions? PostgresWrites(TalosNodeOptions o) =>
        o.JournalConnection is null || !o.JournalProvider.StartsWith("PostgreSQL", StringComparison.Ordinal) ? null
            : LinqToDB.DataOptionsExtensions.UsePostgreSQL(
                LinqToDB.DataOptionsExtensions.UseConnectionString(new LinqToDB.DataOptions(), o.JournalProvider, o.JournalConnection),
                pg => pg with { BulkCopyType = LinqToDB.Data.BulkCopyType.ProviderSpecific });

    /// <summary>The whole Talos wiring: serializers, persistence, remoting, cluster, shot shards (role gpu), Hephaestus singleton (role core).</summary>
    public static AkkaConfigurationBuilder AddTalos(this AkkaConfigurationBuilder builder, TalosNodeOptions o, TalosEnvironment env)
    {
        builder.AddHocon(SerializationHocon, HoconAddMode.Prepend);
        builder.AddHocon(PersistenceHocon(o), HoconAddMode.Prepend);
        if (PostgresWrites(o) is { } pgWrites) builder.AddSetup(new Akka.Persistence.Sql.Config.DataOptionsSetup(pgWrites));
        builder.AddHocon($$"""
            # Every node keeps its recent log lines (INFO and up) in a ring for `talos logs`; RingLogger prints those at
            # the configured level and above to stdout, as the default logger would (Talos.Actors/Operations).
            akka.loglevel = {{(o.LogLevel.Equals("DEBUG", StringComparison.OrdinalIgnoreCase) ? "DEBUG" : "INFO")}}
            akka.stdout-loglevel = {{o.LogLevel}}
            akka.loggers = ["Talos.Actors.Operations.RingLogger, Talos.Actors"]
            talos.log-ring.stdout-level = {{o.LogLevel}}
            akka.actor.serialize-messages = {{(o.SerializeMessages ? "on" : "off")}}
            akka.coordinated-shutdown.exit-clr = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            akka.cluster.sharding.distributed-data.durable.keys = []
            akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            akka.cluster.split-brain-resolver.active-strategy = keep-majority
            akka.cluster.split-brain-resolver.stable-after = {{(int)o.DownAfter.TotalMilliseconds}}ms
            akka.cluster.singleton-proxy.log-singleton-identification-failure = {{(o.Seeds.Count == 0 ? "off" : "on")}}
            # Rendering keeps every core busy through the .NET thread pool (chunk workers, Parallel.For). Cluster
            # membership (heartbeats, gossip, failure detection) gets threads of its own so a busy node is never
            # mistaken for a dead one, and the failure detector tolerates a few seconds of GC or load.
            talos-cluster-dispatcher {
              type = ForkJoinDispatcher
              throughput = 30
              dedicated-thread-pool { thread-count = 2, threadtype = background }
            }
            akka.cluster.use-dispatcher = talos-cluster-dispatcher
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 8s
            """, HoconAddMode.Prepend);
        if (o.SerializeMessages)
            // serialize-messages also round-trips Akka.Persistence's internal journal envelope, which carries our events
            // inside; the default JSON serializer cannot rebuild records with read-only collections, Hyperion can.
            builder.AddHocon("""
                akka.actor.serializers.talos-local-only = "Talos.Actors.Hosting.LocalOnlySerializer, Talos.Actors"
                akka.actor.serialization-bindings {
                  "Akka.Persistence.Journal.AsyncWriteJournal+Desequenced, Akka.Persistence" = talos-hyperion
                  "Akka.Persistence.Sql.Journal.Types.WriteFinished, Akka.Persistence.Sql" = talos-local-only
                }
                """, HoconAddMode.Prepend);
        builder.WithRemoting(o.Hostname, o.Port);
        builder.WithClustering(new ClusterOptions { Roles = o.Roles.ToArray(), SeedNodes = o.Seeds.ToArray() });
        if (o.Seeds.Count == 0)
            builder.AddStartup((system, _) => { var c = Cluster.Get(system); c.Join(c.SelfAddress); });

        bool gpu = o.Roles.Contains("gpu");
        // Work pulling: stage agents announce chunks on a pub-sub topic; each render node's pool pulls leases from them.
        builder.WithDistributedPubSub(role: null!);
        // Role "gpu" hosts shot shards and renders chunks; role "render" only renders chunks (a worker that owns no shot state).
        if (gpu || o.Roles.Contains("render"))
            builder.WithActors((system, _) =>
            {
                var mediator = Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system).Mediator;
                system.ActorOf(ChunkWorkerPool.Props(env, Cluster.Get(system).SelfAddress.ToString(), mediator), "chunk-pool");
            });
        if (gpu)
        {
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
        }
        else
        {
            builder.WithShardRegionProxy<ShotRegionKey>("shots", "gpu", new ShotMessageExtractor());
        }
        builder.WithActors((system, registry, _) =>
            system.ActorOf(NodeOpsActor.Props(env, gpu ? registry.Get<ShotRegionKey>() : null), NodeOpsActor.Name));
        if (o.Roles.Contains("core"))
            builder.WithSingleton<HephaestusKey>("hephaestus",
                (_, registry, _) => HephaestusActor.Props(registry.Get<ShotRegionKey>(), env),
                new ClusterSingletonOptions { Role = "core" }, createProxyToo: true);
        else
            builder.WithSingletonProxy<HephaestusKey>("hephaestus", new ClusterSingletonOptions { Role = "core" });
        return builder;
    }
}
