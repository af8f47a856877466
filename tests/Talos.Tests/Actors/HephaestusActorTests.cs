using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Data.Sqlite;
using Talos.Actors.Hephaestus;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Gpu.Imaging;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Queries;
using Talos.Messages.Serialization;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// The Hephaestus actor on a local system with the SQLite journal and snapshot store, its shot region a recorder (the
/// test plays the shots: it reads their StartShot and answers with notices): a production resubmitted with an edited
/// shot starts revision 2 of that shot only, ignores a late finish of revision 1, and re-edits the film from revision
/// 2; snapshots are saved every few events, older ones deleted, and a restarted Hephaestus recovers the same registry.
/// </summary>
public sealed class HephaestusActorTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("heph-actor");
    TestSystem _host = null!;
    ActorSystem _system = null!;
    BlobVault _vault = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestSystem.StartAsync("heph-actor", serializeMessages: true, b => b.WithTalosPersistence(JournalTarget.Parse(null), _dir));
        _system = _host.System;
        _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _vault.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<object> seen) => ReceiveAny(seen.Enqueue);
    }

    /// <summary>Stops itself in its first incarnation (as a persistent actor whose recovery failed is stopped); answers after.</summary>
    sealed class FailsFirstRecovery : ReceiveActor
    {
        public FailsFirstRecovery(ConcurrentQueue<int> starts)
        {
            starts.Enqueue(starts.Count + 1);
            if (starts.Count == 1) Context.Stop(Self);
            ReceiveAny(m => Sender.Tell($"up: {m}"));
        }
    }

    [Fact]
    public async Task A_Hephaestus_that_stops_after_a_failed_recovery_is_started_again()
    {
        // A 20-node scale run stalled for good when Hephaestus's snapshot read timed out at start-up: Akka.Persistence
        // stops the actor and a singleton manager does not start it again. Under its supervisor it comes back.
        var starts = new ConcurrentQueue<int>();
        var heph = _system.ActorOf(TalosHosting.SupervisedHephaestus(Props.Create(() => new FailsFirstRecovery(starts))), "supervised");
        string answer = "";
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            try { answer = await heph.Ask<string>("ping", TimeSpan.FromMilliseconds(500)); break; }
            catch (AskTimeoutException) { }
        }
        Assert.Equal("up: ping", answer);
        Assert.Equal(2, starts.Count);
    }

    /// <summary>A shot's frame list in the vault: <paramref name="frames"/> flat 16×16 frames of grey <paramref name="grey"/>.</summary>
    string Frames(byte grey, int frames) => _vault.Put(JsonSerializer.SerializeToUtf8Bytes(
        Enumerable.Range(0, frames).Select(_ => _vault.Put(FrameCodec.EncodeRgb24(Enumerable.Repeat(grey, 16 * 16 * 3).ToArray(), 16, 16), "frame")).ToList(),
        ShotEventSerializer.Json), "frames");

    static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            Assert.True(DateTime.UtcNow < until, $"{what}: {value}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task An_edited_shot_renders_as_revision_2_a_stale_finish_is_ignored_the_film_is_recut_and_a_snapshot_recovers_the_registry()
    {
        var started = new ConcurrentQueue<object>();
        var region = _system.ActorOf(Props.Create(() => new Recorder(started)));
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions { HephaestusSnapshotEvery = 4 }, new Dictionary<string, IStageRunner>());
        var heph = _system.ActorOf(HephaestusActor.Props(region, env));
        Task<T> Ask<T>(object m) => heph.Ask<T>(m, TimeSpan.FromSeconds(30));
        ShotSpec Spec(string id, int sequence, string title = "ONE") => Samples.Shot(id, "rev", width: 16, height: 16, seconds: 0.25) with { Sequence = sequence, Title = title };
        Task<ProductionView> Production(Func<ProductionView, bool> done, string what) =>
            Until(() => Ask<ProductionView>(new GetProduction("rev")), done, what);
        List<StartShot> Starts() => started.OfType<StartShot>().ToList();

        Assert.IsType<SubmitAccepted>(await Ask<object>(new SubmitProduction("rev", [Spec("a", 1), Spec("b", 2)])));
        await Until(() => Task.FromResult(Starts()), s => s.Count == 2, "both shots started");
        Assert.All(Starts(), s => Assert.Equal(1, s.SpecRevision));
        heph.Tell(new ShotFinished("rev--a", Frames(40, 3), "va", "ra", true, 0, 1));
        heph.Tell(new ShotFinished("rev--b", Frames(80, 3), "vb1", "rb", true, 0, 1));
        var first = await Production(p => p.Status != "rendering" && p.Status != "editing", "the first film");
        Assert.True(first.Status == ShotStatus.Completed, first.Reason);

        // b edited: revision 2 of b starts, a is not started again; the old film shows while the production renders.
        Assert.IsType<SubmitAccepted>(await Ask<object>(new SubmitProduction("rev", [Spec("a", 1), Spec("b", 2, "TWO")])));
        var restart = (await Until(() => Task.FromResult(Starts()), s => s.Count > 2, "revision 2 started"))[2];
        Assert.Equal(("rev--b", 2, "TWO"), (restart.ShotKey, restart.SpecRevision, restart.Spec.Title));
        var b = await Ask<ShotView>(new GetShot("rev--b"));
        Assert.Equal((2, ShotStatus.Queued), (b.Revision, b.Status));
        var revising = await Ask<ProductionView>(new GetProduction("rev"));
        Assert.Equal((ShotStatus.Rendering, first.FilmHash), (revising.Status, revising.FilmHash));

        // A late finish of revision 1 is ignored; progress of revision 1 too.
        heph.Tell(new ShotProgress("rev--b", ShotStatus.Rendering, new Dictionary<string, StageProgress> { ["ECHO"] = new(1, 1, 1, 1) }, 1));
        heph.Tell(new ShotFinished("rev--b", Frames(90, 3), "vb-late", "rb", true, 0, 1));
        b = await Ask<ShotView>(new GetShot("rev--b"));
        Assert.Equal((2, ShotStatus.Queued, "vb1"), (b.Revision, b.Status, b.VideoHash));
        Assert.Empty(b.Stages);

        var framesB2 = Frames(200, 4);
        heph.Tell(new ShotFinished("rev--b", framesB2, "vb2", "rb", true, 0, 2));
        var second = await Production(p => p.Status != "rendering" && p.Status != "editing", "the second film");
        Assert.True(second.Status == ShotStatus.Completed, second.Reason);
        Assert.NotEqual(first.FilmHash, second.FilmHash);
        Assert.Equal(3 + 4, second.FilmFrames); // cut from revision 2's four frames
        // Nothing else was started: after the first two, only revision 2 of b (told again if it kept quiet: idempotent).
        Assert.All(Starts().Skip(2), s => Assert.Equal(("rev--b", 2), (s.ShotKey, s.SpecRevision)));

        // Snapshots: saved every 4 events, the older ones deleted; a restarted Hephaestus recovers the same registry.
        var shots = JsonSerializer.Serialize(await Ask<ShotListing>(new ListShots()), ShotEventSerializer.Json);
        var film = JsonSerializer.Serialize(second, ShotEventSerializer.Json);
        await heph.GracefulStop(TimeSpan.FromSeconds(10));
        long snapshots;
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(_dir, "snapshots.db")}"))
        {
            await db.OpenAsync(TestContext.Current.CancellationToken);
            await using var count = db.CreateCommand();
            count.CommandText = "select count(*) from snapshot where persistence_id = 'hephaestus'";
            snapshots = (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }
        Assert.Equal(1, snapshots);
        var again = _system.ActorOf(HephaestusActor.Props(region, env));
        Assert.Equal(shots, JsonSerializer.Serialize(await again.Ask<ShotListing>(new ListShots(), TimeSpan.FromSeconds(30)), ShotEventSerializer.Json));
        Assert.Equal(film, JsonSerializer.Serialize(await again.Ask<ProductionView>(new GetProduction("rev"), TimeSpan.FromSeconds(30)), ShotEventSerializer.Json));
    }
}
