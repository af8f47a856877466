using System.Threading.Channels;
using Akka.Actor;
using Talos.Actors.Pipeline;
using Talos.Actors.Shots;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Talos.Vault;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// One <see cref="ChunkWorkerPool"/> driven by hand, with every message serialized: the test plays the stage agents
/// (actors that record what the pool tells them; their grants are sent to the pool in their name).
/// </summary>
public sealed class ChunkWorkerPoolTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("chunk-pool");
    TestSystem _host = null!;
    ActorSystem _system = null!;
    BlobVault? _vault;

    public async ValueTask InitializeAsync()
    {
        _host = await TestSystem.StartAsync("pool-test", serializeMessages: true);
        _system = _host.System;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _vault?.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    sealed class Recorder : ReceiveActor
    {
        public Recorder(ChannelWriter<object> inbox) => ReceiveAny(m => inbox.TryWrite(m));
    }

    (IActorRef Agent, Channel<object> Inbox) Agent(string name)
    {
        var inbox = Channel.CreateUnbounded<object>();
        return (_system.ActorOf(Props.Create(() => new Recorder(inbox.Writer)), name), inbox);
    }

    /// <summary>How long a test waits for a message it expects: it returns as soon as the message comes, so only a failing run
    /// waits this long; a loaded CI machine can take several seconds to start an actor and serialise its first message.</summary>
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    static async Task<T> Next<T>(Channel<object> inbox, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        while (true)
        {
            var m = await inbox.Reader.ReadAsync(cts.Token);
            if (m is T t) return t;
        }
    }

    /// <summary>Renders nothing: counts the chunks running at once and holds each until the gate opens.</summary>
    sealed class GatedRunner(ManualResetEventSlim gate) : IStageRunner
    {
        int _now;
        public int Max;
        public int Running => Volatile.Read(ref _now);
        public string Stage => Stages.Flux;
        public IReadOnlyList<string> DependsOn => [];
        public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => [];
        public ChunkManifest Run(ChunkContext context)
        {
            int n = Interlocked.Increment(ref _now);
            lock (this) Max = Math.Max(Max, n);
            try { gate.Wait(context.Cancellation); }
            finally { Interlocked.Decrement(ref _now); }
            return new ChunkManifest(Stage, context.Plan.Chunk, context.Plan.FirstFrame, []);
        }
    }

    /// <summary>Renders a chunk as two tiny frame blobs (a trivial render: only the machinery's writes are left).</summary>
    sealed class TinyRunner : IStageRunner
    {
        public string Stage => Stages.Flux;
        public IReadOnlyList<string> DependsOn => [];
        public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => [];
        public ChunkManifest Run(ChunkContext context) => new(Stage, context.Plan.Chunk, context.Plan.FirstFrame,
            Enumerable.Range(context.Plan.FirstFrame, 2).Select(f => new FrameOutputs(f,
                new Dictionary<string, string> { ["flow"] = context.Vault.Put(System.Text.Encoding.UTF8.GetBytes($"{context.Plan.Chunk}:{f}"), "layer") })).ToArray());
    }

    IActorRef Pool(IBlobVault vault, IStageRunner runner, int slots, int reservationMs = 200, IActorRef? mediator = null, string node = "node-1") =>
        _system.ActorOf(ChunkWorkerPool.Props(new TalosEnvironment(vault, new RenderSettingsOptions
        {
            ChunkSlots = slots, ReservationTimeout = TimeSpan.FromMilliseconds(reservationMs),
            OfferInterval = TimeSpan.FromMilliseconds(100), OfferRefresh = TimeSpan.FromMilliseconds(400),
        }, new Dictionary<string, IStageRunner> { [runner.Stage] = runner }), node, mediator));

    static ChunkLeaseGrant Grant(string shot, long request, params long[] ids)
    {
        var job = new StageJob(shot, Stages.Flux, Samples.Shot(), [], new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<int, string>(), 0, new Dictionary<int, float>());
        return new ChunkLeaseGrant(ids.Select(id => new ChunkLease(id, job, new ChunkPlan(Stages.Flux, (int)id, (int)id * 4, 4), 1, false,
            new Dictionary<int, string>())).ToArray(), MoreWork: false, request);
    }

    [Fact]
    public async Task A_grant_that_comes_after_its_reservation_expired_never_runs_more_chunks_than_slots_and_hands_the_rest_back()
    {
        using var gate = new ManualResetEventSlim();
        try
        {
            _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
            var runner = new GatedRunner(gate);
            // A reservation of 3 s: the prompt agent's grant below must reach the pool within it even on a loaded machine
            // (200 ms did not always); the loop waits out the late agent's.
            var pool = Pool(_vault, runner, slots: 2, reservationMs: 3000);
            var (late, lateInbox) = Agent("late");
            var (prompt, promptInbox) = Agent("prompt");

            pool.Tell(new ChunkWorkOffered(late, 0));
            var lateAsk = await Next<ChunkWorkRequest>(lateInbox, Patience);
            Assert.Equal(2, lateAsk.Slots);
            // The late agent stays silent past the reservation; the slots go to the prompt agent, which fills them.
            ChunkWorkRequest? asked = null;
            for (int i = 0; i < 60 && asked is null; i++)
            {
                await Task.Delay(100);
                pool.Tell(new ChunkWorkOffered(prompt, 0));
                try { asked = await Next<ChunkWorkRequest>(promptInbox, TimeSpan.FromMilliseconds(200)); } catch (OperationCanceledException) { }
            }
            Assert.Equal(2, asked?.Slots);
            pool.Tell(Grant("b", asked!.Request, 1, 2), prompt);
            for (int i = 0; i < 600 && runner.Running < 2; i++) await Task.Delay(50);
            Assert.Equal(2, runner.Running);

            pool.Tell(Grant("a", lateAsk.Request, 1, 2), late); // the late grant: no slot is free for it
            var declined = await Next<ChunkLeasesDeclined>(lateInbox, Patience);
            Assert.Equal([1L, 2L], declined.LeaseIds);
            await Task.Delay(300);
            Assert.Equal(2, runner.Max);

            gate.Set();
            foreach (var _ in new[] { 1, 2 }) Assert.Equal("node-1", (await Next<ChunkLeaseResult>(promptInbox, Patience)).Node);
        }
        finally { gate.Set(); }
    }

    [Fact]
    public async Task A_late_grant_does_not_release_the_agents_newer_reservation()
    {
        using var gate = new ManualResetEventSlim();
        try
        {
            _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
            var runner = new GatedRunner(gate);
            // A reservation lasts 8 s here: long enough for the three messages below (each serialised, serialize-messages on)
            // even when the suite's other tests load both cores (1 s was not, once in a full run; 3 s was not at load 70).
            var pool = Pool(_vault, runner, slots: 2, reservationMs: 8000);
            var (slow, slowInbox) = Agent("slow");
            var (other, _) = Agent("other");

            pool.Tell(new ChunkWorkOffered(slow, 0));
            var first = await Next<ChunkWorkRequest>(slowInbox, Patience);
            await Task.Delay(8500); // past the reservation: it expires and the agent is forgotten until it offers again
            pool.Tell(new ChunkWorkOffered(slow, 0));
            var second = await Next<ChunkWorkRequest>(slowInbox, Patience);
            Assert.NotEqual(first.Request, second.Request);

            // In one go (the pool takes them in this order): the first request's empty grant, late; another agent's offer;
            // the grant of the second request. Had the late grant released the second reservation, the other agent would
            // have been given the slots and the real grant declined.
            pool.Tell(Grant("a", first.Request), slow);
            pool.Tell(new ChunkWorkOffered(other, 0));
            pool.Tell(Grant("a", second.Request, 1, 2), slow);
            for (int i = 0; i < 600 && runner.Running < 2; i++) await Task.Delay(50);
            Assert.Equal(2, runner.Running);
        }
        finally { gate.Set(); }
    }

    /// <summary>Writes one frame blob per frame through the chunk's vault.</summary>
    sealed class WritingRunner : IStageRunner
    {
        public string Stage => Stages.Flux;
        public IReadOnlyList<string> DependsOn => [];
        public IReadOnlyList<ChunkPlan> Plan(ShotSpec spec, int chunkFrames) => [];
        public ChunkManifest Run(ChunkContext context) => new(Stage, context.Plan.Chunk, context.Plan.FirstFrame,
            context.Frames.Select(f => new FrameOutputs(f, new Dictionary<string, string> { ["lines"] = context.Vault.Put([(byte)f, 7], "flux-lines") })).ToList());
    }

    [Fact]
    public async Task What_a_chunk_writes_is_held_by_its_shots_spec_revision_and_indexed_under_its_identity()
    {
        _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var pool = Pool(_vault, new WritingRunner(), slots: 1);
        var (agent, inbox) = Agent("owner");
        pool.Tell(new ChunkWorkOffered(agent, 0));
        var ask = await Next<ChunkWorkRequest>(inbox, Patience);
        var identity = BlobVault.HashOf("flux chunk 0 of these inputs"u8);
        var job = new StageJob("test--sh01", Stages.Flux, Samples.Shot(), [], new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<int, string>(), 0, new Dictionary<int, float>(), SpecRevision: 3);
        pool.Tell(new ChunkLeaseGrant([new ChunkLease(1, job, new ChunkPlan(Stages.Flux, 0, 0, 2), 1, false, new Dictionary<int, string>(), identity)],
            MoreWork: false, ask.Request), agent);
        var result = await Next<ChunkLeaseResult>(inbox, Patience);

        // Two frames, the manifest and the attempt's log, all held by (test, test--sh01, 3, FLUX): nothing left for gc.
        var du = _vault.Usage();
        var row = Assert.Single(du.Rows);
        Assert.Equal(("test", Stages.Flux, 4L), (row.Production, row.Stage, row.Blobs));
        Assert.Equal(0, du.UnheldBlobs);
        Assert.NotEqual("", result.LogHash);
        Assert.Equal(result.ManifestHash, _vault.ReuseChunk(identity, ChunkWorkerPool.OwnerOf(job)));
        Assert.Equal(new VaultRef("test", "test--sh01", 3, Stages.Flux), ChunkWorkerPool.OwnerOf(job));
    }

    /// <summary>The agent's side of a late grant: the declined chunk is handed out again, its attempt not counted.</summary>
    [Fact]
    public async Task A_declined_lease_goes_back_to_its_agents_queue_without_counting_an_attempt()
    {
        using var open = new ManualResetEventSlim(true);
        _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var runner = new GatedRunner(open);
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions(), new Dictionary<string, IStageRunner> { [runner.Stage] = runner });
        var (shot, _) = Agent("shot");
        var (pool, poolInbox) = Agent("pool");
        var job = new StageJob("k", Stages.Flux, Samples.Shot(), [new ChunkPlan(Stages.Flux, 0, 0, 4), new ChunkPlan(Stages.Flux, 1, 4, 4)],
            new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<int, string>(), 0, new Dictionary<int, float>());
        var agent = _system.ActorOf(StageAgent.Props(job, runner, env, shot, mediator: null));

        agent.Tell(new ChunkWorkRequest(1, "node-1"), pool);
        var first = Assert.Single((await Next<ChunkLeaseGrant>(poolInbox, Patience)).Leases);
        Assert.Equal((0, 1), (first.Plan.Chunk, first.Attempt));
        agent.Tell(new ChunkLeasesDeclined([first.LeaseId]), pool);
        agent.Tell(new ChunkWorkRequest(1, "node-1"), pool);
        var again = Assert.Single((await Next<ChunkLeaseGrant>(poolInbox, Patience)).Leases);
        Assert.Equal((0, 1), (again.Plan.Chunk, again.Attempt));
    }

    /// <summary>
    /// An agent's offer reaches every pool; a pool that holds it asks on its own when a slot frees. So the agent announces
    /// again only when a pool may hold it as exhausted (it answered with no lease or "no more work") and work came back,
    /// or as a rare refresh — not on every tick (which sent every waiting agent's offer to every pool twice a second).
    /// </summary>
    [Fact]
    public async Task An_agent_announces_its_work_again_only_when_a_pool_may_hold_it_as_exhausted()
    {
        using var open = new ManualResetEventSlim(true);
        _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var runner = new GatedRunner(open);
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions
        {
            OfferInterval = TimeSpan.FromMilliseconds(50), OfferRefresh = TimeSpan.FromMinutes(10),
        }, new Dictionary<string, IStageRunner> { [runner.Stage] = runner });
        var (shot, _) = Agent("shot");
        var (pool, poolInbox) = Agent("pool");
        var (mediator, published) = Agent("mediator");
        var job = new StageJob("k", Stages.Flux, Samples.Shot(), [new ChunkPlan(Stages.Flux, 0, 0, 4), new ChunkPlan(Stages.Flux, 1, 4, 4), new ChunkPlan(Stages.Flux, 2, 8, 4)],
            new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<int, string>(), 0, new Dictionary<int, float>());
        var agent = _system.ActorOf(StageAgent.Props(job, runner, env, shot, mediator));

        var first = await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(published, Patience);
        Assert.Equal(agent, Assert.IsType<ChunkWorkOffered>(first.Message).Agent);
        await Task.Delay(500); // ten ticks with work waiting: every pool still holds the offer, nothing is repeated
        Assert.False(published.Reader.TryRead(out _));

        agent.Tell(new ChunkWorkRequest(1, "node-1", 1), pool);
        var some = await Next<ChunkLeaseGrant>(poolInbox, Patience);
        Assert.True(some.MoreWork);
        await Task.Delay(300); // a grant with more work to come: the pool still holds the offer
        Assert.False(published.Reader.TryRead(out _));

        agent.Tell(new ChunkWorkRequest(5, "node-1", 2), pool);
        var rest = await Next<ChunkLeaseGrant>(poolInbox, Patience);
        Assert.Equal((2, false), (rest.Leases.Count, rest.MoreWork));
        await Task.Delay(300); // nothing left to hand out: nothing to announce
        Assert.False(published.Reader.TryRead(out _));

        // A chunk comes back to the queue while the pool holds the agent as exhausted: announced again at once.
        agent.Tell(new ChunkLeasesDeclined([rest.Leases[0].LeaseId]), pool);
        var again = await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(published, Patience);
        Assert.Equal(ChunkWorkerPool.Topic, again.Topic);
    }

    [Fact]
    public async Task An_agent_whose_work_nobody_takes_refreshes_its_offer()
    {
        using var open = new ManualResetEventSlim(true);
        _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var runner = new GatedRunner(open);
        var env = new TalosEnvironment(_vault, new RenderSettingsOptions
        {
            OfferInterval = TimeSpan.FromMilliseconds(50), OfferRefresh = TimeSpan.FromMilliseconds(300),
        }, new Dictionary<string, IStageRunner> { [runner.Stage] = runner });
        var (shot, _) = Agent("shot");
        var (mediator, published) = Agent("mediator");
        var job = new StageJob("k", Stages.Flux, Samples.Shot(), [new ChunkPlan(Stages.Flux, 0, 0, 4)],
            new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<int, string>(), 0, new Dictionary<int, float>());
        _system.ActorOf(StageAgent.Props(job, runner, env, shot, mediator));

        // For a pool that joined after the first offer, or forgot it when its reservation expired.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(published, Patience);
        await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(published, Patience);
        await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(published, Patience);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(550), $"three offers in {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>
    /// An agent offers to its own node's pool, in-process, not to every pool; work that needs the farm (here: a node the
    /// shot avoids) is published on the topic to every pool.
    /// </summary>
    [Fact]
    public async Task An_agent_offers_to_its_nodes_pool_and_to_every_pool_only_when_the_work_needs_the_farm()
    {
        using var gate = new ManualResetEventSlim();
        try
        {
            _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
            var runner = new GatedRunner(gate);
            var (mediator, published) = Agent("mediator");
            var pool = Pool(_vault, runner, slots: 1, mediator: mediator);
            // ActorOf returns before the pool's constructor has run (and registered it as this node's pool); on a node the
            // pool starts long before any agent, so the agent below is created only once the pool is registered.
            for (int i = 0; i < 400 && ChunkWorkerPool.LocalTo(_system) is null; i++) await Task.Delay(25);
            Assert.Equal(pool, ChunkWorkerPool.LocalTo(_system));
            var env = new TalosEnvironment(_vault, new RenderSettingsOptions { OfferInterval = TimeSpan.FromMilliseconds(50) },
                new Dictionary<string, IStageRunner> { [runner.Stage] = runner });
            var (shot, _) = Agent("shot");
            var job = new StageJob("k", Stages.Flux, Samples.Shot(), [new ChunkPlan(Stages.Flux, 0, 0, 4), new ChunkPlan(Stages.Flux, 1, 4, 4)],
                new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<int, string>(), 0, new Dictionary<int, float>());
            var agent = _system.ActorOf(StageAgent.Props(job, runner, env, shot, mediator));

            // The local pool was offered the work directly: it asked and runs a chunk; nothing went to the topic.
            for (int i = 0; i < 400 && runner.Running < 1; i++) await Task.Delay(50);
            Assert.Equal(1, runner.Running);
            await Task.Delay(300);
            while (published.Reader.TryRead(out var m))
                Assert.False(m is Akka.Cluster.Tools.PublishSubscribe.Publish { Topic: ChunkWorkerPool.Topic }, "offered on the topic");

            // The shot avoids this node from now on: the chunk still waiting is offered to every pool.
            agent.Tell(new NodeAvoided("node-1"));
            var wide = await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(published, Patience);
            Assert.Equal(ChunkWorkerPool.Topic, wide.Topic);
            Assert.Equal(agent, Assert.IsType<ChunkWorkOffered>(wide.Message).Agent);
        }
        finally { gate.Set(); }
    }

    /// <summary>
    /// A pool with a free slot and nothing to ask says so on the hungry topic; a pool whose slots are full forwards an
    /// offer it has no slot for to a hungry pool, and one that comes later to a hungry pool it still remembers.
    /// </summary>
    [Fact]
    public async Task A_hungry_pool_says_so_and_a_busy_pool_forwards_it_the_offers_it_has_no_slot_for()
    {
        using var gate = new ManualResetEventSlim();
        try
        {
            _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
            var (hungryMediator, hungryPublished) = Agent("hungry-mediator");
            var hungry = Pool(_vault, new GatedRunner(gate), slots: 1, mediator: hungryMediator, node: "node-2");
            var (nothing, nothingInbox) = Agent("nothing");
            hungry.Tell(new ChunkWorkOffered(nothing, 0));
            var ask = await Next<ChunkWorkRequest>(nothingInbox, Patience);
            hungry.Tell(Grant("n", ask.Request), nothing); // no lease: the pool has a free slot and no offer to ask
            var said = await Next<Akka.Cluster.Tools.PublishSubscribe.Publish>(hungryPublished, Patience);
            Assert.Equal(ChunkWorkerPool.HungryTopic, said.Topic);
            Assert.Equal(new ChunkPoolHungry(hungry, 1), said.Message);

            var (mediator, _) = Agent("mediator");
            var busy = Pool(_vault, new GatedRunner(gate), slots: 1, mediator: mediator);
            var (first, firstInbox) = Agent("first");
            var (second, secondInbox) = Agent("second");
            var (third, _) = Agent("third");
            var (other, otherInbox) = Agent("other-pool");
            busy.Tell(new ChunkWorkOffered(first, 0));
            var firstAsk = await Next<ChunkWorkRequest>(firstInbox, Patience);
            busy.Tell(Grant("a", firstAsk.Request, 1), first); // the only slot runs
            busy.Tell(new ChunkWorkOffered(second, 0));         // no slot for it
            busy.Tell(new ChunkPoolHungry(other, 2));
            Assert.Equal(second, (await Next<ChunkWorkOffered>(otherInbox, Patience)).Agent);
            busy.Tell(new ChunkWorkOffered(third, 0));          // the hungry pool still has a slot to fill
            Assert.Equal(third, (await Next<ChunkWorkOffered>(otherInbox, Patience)).Agent);
            Assert.False(secondInbox.Reader.TryRead(out _)); // never asked: the busy pool has no free slot
        }
        finally { gate.Set(); }
    }

    [Fact]
    public async Task A_rendered_chunks_outputs_manifest_log_and_index_row_are_one_vault_commit()
    {
        var vault = _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var pool = Pool(vault, new TinyRunner(), slots: 1);
        var (agent, inbox) = Agent("one-commit");
        string identity = new('a', 64);
        var job = new StageJob("s", Stages.Flux, Samples.Shot(), [], new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<int, string>(), 0, new Dictionary<int, float>());
        var lease = new ChunkLease(7, job, new ChunkPlan(Stages.Flux, 3, 12, 2), 1, false, new Dictionary<int, string>(), identity);

        long before = vault.BatchesWritten;
        pool.Tell(new ChunkWorkOffered(agent, 0));
        var ask = await Next<ChunkWorkRequest>(inbox, Patience);
        pool.Tell(new ChunkLeaseGrant([lease], MoreWork: false, ask.Request), agent);
        var result = await Next<ChunkLeaseResult>(inbox, Patience);

        // One commit held the two frames, the manifest and the log, and indexed the chunk once they were durable.
        Assert.Equal(1, vault.BatchesWritten - before);
        var manifest = ChunkManifest.Load(vault, result.ManifestHash);
        Assert.Equal(2, manifest.Frames.Count);
        foreach (var frame in manifest.Frames) Assert.True(vault.Contains(frame.Blobs["flow"]));
        var log = System.Text.Encoding.UTF8.GetString(vault.Get(result.LogHash));
        Assert.Contains("rendered in", log);
        Assert.Contains(result.ManifestHash, log);
        Assert.Equal(result.ManifestHash, vault.ReuseChunk(identity, ChunkWorkerPool.OwnerOf(job)));
    }

    [Fact]
    public async Task A_chunk_whose_commit_fails_is_reported_failed_and_indexes_nothing()
    {
        var vault = _vault = BlobVault.Open(Path.Combine(_dir, "vault"));
        var pool = Pool(new FailingLogVault(vault), new TinyRunner(), slots: 1);
        var (agent, inbox) = Agent("failed-commit");
        string identity = new('b', 64);
        var job = new StageJob("s", Stages.Flux, Samples.Shot(), [], new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<int, string>(), 0, new Dictionary<int, float>());
        var lease = new ChunkLease(8, job, new ChunkPlan(Stages.Flux, 4, 16, 2), 1, false, new Dictionary<int, string>(), identity);

        pool.Tell(new ChunkWorkOffered(agent, 0));
        var ask = await Next<ChunkWorkRequest>(inbox, Patience);
        pool.Tell(new ChunkLeaseGrant([lease], MoreWork: false, ask.Request), agent);
        // The log is part of the chunk's commit: a vault that cannot take it fails the chunk (its agent retries it),
        // rather than reporting a chunk whose log and index row are missing.
        var failed = await Next<ChunkLeaseFailed>(inbox, Patience);
        Assert.Equal(8, failed.LeaseId);
        Assert.Null(vault.ReuseChunk(identity, ChunkWorkerPool.OwnerOf(job)));
        Assert.False(inbox.Reader.TryRead(out var more) && more is ChunkLeaseResult);
    }

    /// <summary>A vault (not a <see cref="BlobVault"/>, so every write goes through at once) that refuses attempt logs.</summary>
    sealed class FailingLogVault(IBlobVault inner) : IBlobVault
    {
        public string Put(ReadOnlySpan<byte> data, string kind = "blob", VaultRef? owner = null) =>
            kind == "chunk-log" ? throw new IOException("disk full") : inner.Put(data, kind, owner);
        public byte[] Get(string hash) => inner.Get(hash);
        public bool Contains(string hash) => inner.Contains(hash);
        public string PutAsset(string name, ReadOnlySpan<byte> data, string kind, VaultRef? owner = null) => inner.PutAsset(name, data, kind, owner);
        public string? ResolveAsset(string name) => inner.ResolveAsset(name);
        public string PathOf(string hash) => inner.PathOf(hash);
        public void RecordChunk(string identity, string manifestHash) => inner.RecordChunk(identity, manifestHash);
        public string? ReuseChunk(string identity, VaultRef owner) => inner.ReuseChunk(identity, owner);
    }
}
