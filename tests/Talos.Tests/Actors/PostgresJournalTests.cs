using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>The farm journal: TALOS_JOURNAL selects PostgreSQL, and a killed node's shot recovers from it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresJournalTests : IDisposable
{
    readonly string _dir = Repo.TempDir("pg");
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public void Journal_setting_reads_urls_and_connection_strings()
    {
        var url = JournalTarget.Parse("postgres://talos:s%40cret@db.farm:6543/render?Timeout=7");
        Assert.Equal(JournalTarget.Postgres, url.Provider);
        var b = new Npgsql.NpgsqlConnectionStringBuilder(url.ConnectionString);
        Assert.Equal(("db.farm", 6543, "render", "talos", "s@cret", 7), (b.Host, b.Port, b.Database, b.Username, b.Password, b.Timeout));
        Assert.Equal((null, JournalTarget.Sqlite), (JournalTarget.Parse(null).ConnectionString, JournalTarget.Parse("").Provider));
        Assert.Equal(JournalTarget.Postgres, JournalTarget.Parse("Host=x;Username=y").Provider);
        Assert.Equal(JournalTarget.Sqlite, JournalTarget.Parse("Data Source=/tmp/j.db").Provider);
        Assert.Contains("postgres://", Assert.Throws<ArgumentException>(() => JournalTarget.Parse("mysql://x")).Message);
        var bad = Assert.Throws<ArgumentException>(() => JournalTarget.Parse("postgres://u:hunter2@/"));
        Assert.DoesNotContain("hunter2", bad.Message);
        var env = NodeConfiguration.FromEnvironment(["gpu"], v => v == "TALOS_JOURNAL" ? "postgres://p@127.0.0.1:5999/x" : null);
        Assert.Equal(JournalTarget.Postgres, env.JournalProvider);
    }

    /// <summary>
    /// Talos's Npgsql defaults for a PostgreSQL journal (no DISCARD ALL each time a pooled connection is reused) are added
    /// only where the operator's connection string does not set them, and never to SQLite.
    /// </summary>
    [Fact]
    public void PostgreSQL_connection_defaults_fill_in_what_the_operator_did_not_set()
    {
        static Npgsql.NpgsqlConnectionStringBuilder Of(JournalTarget j) => new(j.WithPostgresDefaults().ConnectionString);
        var plain = Of(JournalTarget.Parse("postgres://talos:x@db.farm:6543/render?Timeout=7"));
        Assert.True(plain.NoResetOnClose);
        Assert.Equal(("db.farm", 6543, "render", "talos", "x", 7), (plain.Host, plain.Port, plain.Database, plain.Username, plain.Password, plain.Timeout));
        Assert.False(Of(JournalTarget.Parse("postgres://talos@db.farm/render?No%20Reset%20On%20Close=false")).NoResetOnClose);
        Assert.False(Of(JournalTarget.Parse("Host=db;Username=t;NoResetOnClose=false")).NoResetOnClose);
        Assert.Null(JournalTarget.Parse(null).WithPostgresDefaults().ConnectionString);
        Assert.Equal("Data Source=/tmp/j.db", JournalTarget.Parse("Data Source=/tmp/j.db").WithPostgresDefaults().ConnectionString);
    }

    /// <summary>
    /// The typed persistence wiring on PostgreSQL: shot journal (default), remember-entities journal in tables of its own,
    /// snapshots, each with the binary-COPY linq2db options and batched writes. Nothing connects until a plugin is used.
    /// </summary>
    [Fact]
    public async Task PostgreSQL_persistence_wiring_carries_its_tables_batches_and_bulk_copy_to_every_plugin()
    {
        var journal = JournalTarget.Parse("postgres://talos:x@127.0.0.1:5999/farm");
        var host = new HostBuilder()
            .ConfigureServices(s => s.AddAkka("pg-wiring", b => b.WithTalosPersistence(journal, _dir)))
            .Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var config = system.Settings.Config;
            Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
            Assert.Equal("akka.persistence.snapshot-store.sql", config.GetString("akka.persistence.snapshot-store.plugin"));
            foreach (var id in new[] { "sql", "sharding-sql" })
            {
                Assert.Equal(journal.WithPostgresDefaults().ConnectionString, config.GetString($"akka.persistence.journal.{id}.connection-string"));
                Assert.Equal(1000, config.GetInt($"akka.persistence.journal.{id}.batch-size"));
                Assert.Equal(1, config.GetInt($"akka.persistence.journal.{id}.max-row-by-row-size"));
            }
            Assert.Equal("sharding_journal", config.GetString("akka.persistence.journal.sharding-sql.default.journal.table-name"));
            Assert.Equal("sharding_journal_metadata", config.GetString("akka.persistence.journal.sharding-sql.default.metadata.table-name"));
            Assert.Equal("journal", config.GetString("akka.persistence.journal.sql.default.journal.table-name"));
            var setup = system.Settings.Setup.Get<Akka.Persistence.Sql.Config.MultiDataOptionsSetup>();
            Assert.True(setup.HasValue);
            foreach (var plugin in new[] { "akka.persistence.journal.sql", "akka.persistence.journal.sharding-sql", "akka.persistence.snapshot-store.sql" })
                Assert.True(setup.Value.TryGetDataOptionsFor(plugin, out _), plugin);
        }
        finally { await host.StopAsync(); host.Dispose(); }
    }

    [Fact]
    public async Task A_shot_recovers_from_a_PostgreSQL_journal_without_rerendering_recorded_chunks()
    {
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        await using var pg = await PostgresServer.StartAsync();
        var journal = JournalTarget.Parse(pg.Url);
        await ShotLifecycleTests.RecoveryScenario(render => new TalosNodeOptions
        {
            WorkDir = _dir,
            SerializeMessages = true,
            JournalConnection = journal.ConnectionString,
            JournalProvider = journal.Provider,
            Render = render ?? new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) },
        });
    }
}
