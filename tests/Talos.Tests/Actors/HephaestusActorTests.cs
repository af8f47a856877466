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
    public async Task A_rendering_shot_that_goes_silent_is_started_again_so_a_lost_finish_notice_is_repeated()
    {
        var started = new ConcurrentQueue<object>();
        var region = _system.ActorOf(Props.Create(() => new Recorder(started)));
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions { ShotSilenceResend = TimeSpan.FromSeconds(1) },
            new Dictionary<string, IStageRunner>());
        var heph = _system.ActorOf(HephaestusActor.Props(region, env));
        Task<T> Ask<T>(object m) => heph.Ask<T>(m, TimeSpan.FromSeconds(30));
        List<StartShot> Starts() => started.OfType<StartShot>().ToList();

        Assert.IsType<SubmitAccepted>(await Ask<object>(new SubmitProduction("quiet",
            [Samples.Shot("a", "quiet", width: 16, height: 16, seconds: 0.25) with { Sequence = 1 }])));
        await Until(() => Task.FromResult(Starts()), s => s.Count == 1, "the shot started");
        // It renders (reports progress), then its finish notice is lost (its node was killed right after journalling it).
        heph.Tell(new ShotProgress("quiet--a", ShotStatus.Rendering, new Dictionary<string, StageProgress> { ["ECHO"] = new(0, 1, 0, 1) }, 1));
        var again = (await Until(() => Task.FromResult(Starts()), s => s.Count >= 2, "the silent shot started again"))[1];
        Assert.Equal(("quiet--a", 1), (again.ShotKey, again.SpecRevision));
        // The restarted shot answers from its journal with its outcome: the production completes.
        heph.Tell(new ShotFinished("quiet--a", Frames(40, 3), "v", "r", true, 0, 1));
        var done = await Until(() => Ask<ProductionView>(new GetProduction("quiet")), p => p.Status != "rendering" && p.Status != "editing", "the film");
        Assert.True(done.Status == ShotStatus.Completed, done.Reason);
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

        // The snapshot is in the binary layout; the same snapshot saved before it existed (a JSON document under
        // talos.hephaestus.snapshot.v1, as older farms hold) recovers the same registry.
        await again.GracefulStop(TimeSpan.FromSeconds(10));
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(_dir, "snapshots.db")}"))
        {
            await db.OpenAsync(TestContext.Current.CancellationToken);
            await using var read = db.CreateCommand();
            read.CommandText = "select snapshot, manifest from snapshot where persistence_id = 'hephaestus'";
            byte[] bytes;
            await using (var row = await read.ExecuteReaderAsync(TestContext.Current.CancellationToken))
            {
                Assert.True(await row.ReadAsync(TestContext.Current.CancellationToken));
                Assert.Equal(ShotEventSerializer.HephaestusSnapshotManifest, row.GetString(1));
                bytes = (byte[])row[0];
            }
            var serializer = new ShotEventSerializer(null!);
            var v1 = JsonSerializer.SerializeToUtf8Bytes(serializer.FromBinary(bytes, ShotEventSerializer.HephaestusSnapshotManifest), ShotEventSerializer.Json);
            await using var write = db.CreateCommand();
            write.CommandText = "update snapshot set snapshot = $json, manifest = 'talos.hephaestus.snapshot.v1' where persistence_id = 'hephaestus'";
            write.Parameters.AddWithValue("$json", v1);
            Assert.Equal(1, await write.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }
        var old = _system.ActorOf(HephaestusActor.Props(region, env));
        Assert.Equal(shots, JsonSerializer.Serialize(await old.Ask<ShotListing>(new ListShots(), TimeSpan.FromSeconds(30)), ShotEventSerializer.Json));
        Assert.Equal(film, JsonSerializer.Serialize(await old.Ask<ProductionView>(new GetProduction("rev"), TimeSpan.FromSeconds(30)), ShotEventSerializer.Json));
    }

    sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef watched, TaskCompletionSource stopped)
        {
            Context.Watch(watched);
            Receive<Terminated>(_ => stopped.TrySetResult());
        }
    }

    /// <summary>
    /// The edit starts while the shots render (its sound mixed, the first shot streamed to the encoder as soon as it is
    /// final); a revision of that shot stops it before the other shot has finished, and the film is cut from revision 2.
    /// </summary>
    [Fact]
    public async Task A_revision_of_a_shot_the_edit_has_streamed_stops_that_edit_and_the_film_is_cut_again()
    {
        var started = new ConcurrentQueue<object>();
        var region = _system.ActorOf(Props.Create(() => new Recorder(started)));
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions(), new Dictionary<string, IStageRunner>());
        var heph = _system.ActorOf(HephaestusActor.Props(region, env));
        Task<T> Ask<T>(object m) => heph.Ask<T>(m, TimeSpan.FromSeconds(30));
        ShotSpec Spec(string id, int sequence, string title = "ONE") => Samples.Shot(id, "stream", width: 16, height: 16, seconds: 0.25) with { Sequence = sequence, Title = title };
        async Task<IActorRef?> Editor()
        {
            try { return await _system.ActorSelection(heph.Path / "*").ResolveOne(TimeSpan.FromSeconds(1)); }
            catch (ActorNotFoundException) { return null; }
        }

        Assert.IsType<SubmitAccepted>(await Ask<object>(new SubmitProduction("stream", [Spec("a", 1), Spec("b", 2)])));
        await Until(() => Task.FromResult(started.OfType<StartShot>().Count()), n => n == 2, "both shots started");
        heph.Tell(new ShotFinished("stream--a", Frames(40, 3), "va", "ra", true, 0, 1));
        // the editor is at work with b still rendering: a is final, so its frames go to the encoder
        var editor = (await Until(Editor, e => e is not null, "the editor, while b renders"))!;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(Props.Create(() => new Watcher(editor, stopped)));
        Assert.Equal("rendering", (await Ask<ProductionView>(new GetProduction("stream"))).Status);

        Assert.IsType<SubmitAccepted>(await Ask<object>(new SubmitProduction("stream", [Spec("a", 1, "TWO"), Spec("b", 2)])));
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken); // b never finished: only a stop ends it
        var again = (await Until(Editor, e => e is not null, "the editor of the new cut"))!;
        Assert.NotEqual(editor, again);

        heph.Tell(new ShotFinished("stream--b", Frames(80, 3), "vb", "rb", true, 0, 1));
        heph.Tell(new ShotFinished("stream--a", Frames(120, 3), "va2", "ra", true, 0, 2));
        var film = await Until(() => Ask<ProductionView>(new GetProduction("stream")), p => p.Status != "rendering" && p.Status != "editing", "the film");
        Assert.True(film.Status == ShotStatus.Completed, film.Reason);
        Assert.Equal(6, film.FilmFrames);
        Assert.Equal((2, "va2"), ((await Ask<ShotView>(new GetShot("stream--a"))).Revision, film.Shots[0].VideoHash));
        // the film is the one the whole cut makes at once
        var job = new EditJob("stream", [
            new EditClip("a", film.Shots[0].FramesHash!, "cut", 12, "stream--a", 2, Spec("a", 1, "TWO")),
            new EditClip("b", film.Shots[1].FramesHash!, "cut", 12, "stream--b", 1, Spec("b", 2))], null, 0, film.TransitionFrames);
        var vault = new OwnedVault(_vault, new VaultRef("stream-check", "", 0, BlobVault.FilmStage));
        Assert.Equal(film.FilmHash, (await ProductionEditor.EditAllAsync(job, vault, null)).FilmHash);
    }

    /// <summary>
    /// Group commits in flight together (<c>HephaestusWritesInFlight</c>): 240 submissions, 32 asks at a time, with a
    /// priority change and an identical resubmission of an admitted shot among them (these wait for the writes in flight).
    /// Every ask is answered once its events are durable, every shot is admitted exactly once, each priority change is
    /// journalled after its shot's admission, the registry a restarted Hephaestus recovers is the one that answered, and
    /// with 1 the same holds (one write at a time).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Submissions_with_several_writes_in_flight_are_admitted_once_answered_when_durable_and_recovered(int inFlight)
    {
        var started = new ConcurrentQueue<object>();
        var region = _system.ActorOf(Props.Create(() => new Recorder(started)));
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions { HephaestusSnapshotEvery = 0, HephaestusWritesInFlight = inFlight, MaxActiveShots = 4 },
            new Dictionary<string, IStageRunner>());
        var heph = _system.ActorOf(HephaestusActor.Props(region, env));
        ShotSpec Spec(int i) => Samples.Shot($"p{i:000}", "pipe", width: 16, height: 16, seconds: 0.25) with { Sequence = i + 1 };
        string Key(int i) => HephaestusState.KeyOf(Spec(i));
        const int shots = 240;
        var gate = new SemaphoreSlim(32);
        async Task<object> Ask(object m)
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            // Generous: 240 journalled submissions answered in turn; a loaded CI machine (load ~80 here) took over 60 s.
            try { return await heph.Ask<object>(m, TimeSpan.FromMinutes(3)); } finally { gate.Release(); }
        }
        var asks = new List<Task<object>>();
        var raised = new List<int>();
        for (int i = 0; i < shots; i++)
        {
            asks.Add(Ask(new SubmitShot(Spec(i))));
            if (i % 40 != 39) continue;
            await asks[^1]; // shot i is admitted: the next two are about admitted shots, so they wait for the writes in flight
            asks.Add(Ask(new SetShotPriority(Key(i), 3, "test")));
            raised.Add(i);
            asks.Add(Ask(new SubmitShot(Spec(i - 1))));
        }
        foreach (var reply in await Task.WhenAll(asks))
            Assert.True(reply is SubmitAccepted or CommandAck { Ok: true }, $"{reply}");

        var listing = await heph.Ask<ShotListing>(new ListShots(), TimeSpan.FromSeconds(30));
        Assert.Equal(shots, listing.Shots.Count);

        // The journal: each shot admitted once (sequence numbers without gaps), each priority change after its admission.
        var journal = new List<(long Seq, string Manifest, JsonElement Event)>();
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(_dir, "journal.db")}"))
        {
            await db.OpenAsync(TestContext.Current.CancellationToken);
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "select sequence_number, manifest, message from journal where persistence_id = 'hephaestus' order by sequence_number";
            await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                journal.Add((reader.GetInt64(0), reader.GetString(1), JsonDocument.Parse((byte[])reader.GetValue(2)).RootElement.Clone()));
        }
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(n => (long)n), journal.Select(j => j.Seq));
        var admitted = journal.Where(j => j.Manifest == "talos.hephaestus.shot-admitted.v1").Select(j => j.Event.GetProperty("shotKey").GetString()!).ToList();
        Assert.Equal(Enumerable.Range(0, shots).Select(Key).Order(StringComparer.Ordinal), admitted.Order(StringComparer.Ordinal));
        var changes = journal.Where(j => j.Manifest == "talos.hephaestus.shot-priority.v1").ToList();
        Assert.Equal(raised.Count, changes.Count);
        Assert.Equal(raised.Select(Key).Order(StringComparer.Ordinal), changes.Select(c => c.Event.GetProperty("shotKey").GetString()!).Order(StringComparer.Ordinal));
        foreach (var c in changes)
        {
            Assert.Equal(3, c.Event.GetProperty("priority").GetInt32());
            var key = c.Event.GetProperty("shotKey").GetString()!;
            Assert.True(journal.Single(j => j.Manifest == "talos.hephaestus.shot-admitted.v1" && j.Event.GetProperty("shotKey").GetString() == key).Seq < c.Seq);
        }

        var before = JsonSerializer.Serialize(listing, ShotEventSerializer.Json);
        await heph.GracefulStop(TimeSpan.FromSeconds(10));
        var again = _system.ActorOf(HephaestusActor.Props(region, env));
        Assert.Equal(before, JsonSerializer.Serialize(await again.Ask<ShotListing>(new ListShots(), TimeSpan.FromSeconds(30)), ShotEventSerializer.Json));
    }
}
