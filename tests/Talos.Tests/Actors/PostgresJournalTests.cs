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
