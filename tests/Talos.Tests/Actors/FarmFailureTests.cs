using System.Collections.Concurrent;
using System.Text;
using Talos.Actors.Hephaestus;
using Talos.Actors.Hosting;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Specs;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>
/// Failure handling of the chunk farm, with real stages: an out-of-memory chunk renders in halves and gives the same
/// frames; a node that keeps failing a shot's chunks is avoided and reported; a straggler gets a speculative run on
/// another node and the first result wins; every attempt's log lines are in the vault. Two-node cases run two cluster
/// members in this process on a private PostgreSQL journal (shared, like a farm's).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FarmFailureTests : IAsyncLifetime
{
    readonly string _dir = Repo.TempDir("farm-failures");
    readonly List<TalosNode> _nodes = new();
    PostgresServer? _pg;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Enumerable.Reverse(_nodes)) { try { await n.DisposeAsync(); } catch (Exception) { } }
        if (_pg is not null) await _pg.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static ShotSpec Spec(string id) => Samples.Shot(id, "failures", 96, 54, 12, 1, effects: false);

    /// <summary>
    /// Node A (core + gpu: Hephaestus and the shots) and node B (render: a chunk worker only) on one PostgreSQL journal
    /// and one vault; both pull chunks.
    /// </summary>
    async Task<(TalosNode A, TalosNode B)> TwoNodes(RenderSettingsOptions render, IReadOnlyDictionary<string, IStageRunner> runnersA,
        IReadOnlyDictionary<string, IStageRunner> runnersB)
    {
        if (PostgresServer.FindBinaries() is null) Assert.Skip("PostgreSQL is not installed on this machine");
        _pg = await PostgresServer.StartAsync();
        var journal = JournalTarget.Parse(_pg.Url);
        TalosNodeOptions Options(string name, IReadOnlyList<string> roles, IReadOnlyList<string> seeds) => new()
        {
            WorkDir = Path.Combine(_dir, name), VaultDir = Path.Combine(_dir, "vault"), Roles = roles, Seeds = seeds,
            JournalConnection = journal.ConnectionString, JournalProvider = journal.Provider, SerializeMessages = true,
            DownAfter = TimeSpan.FromSeconds(3), Render = render,
        };
        var a = await TalosNode.StartAsync(Options("a", ["core", "gpu"], []), runnersA);
        _nodes.Add(a);
        var b = await TalosNode.StartAsync(Options("b", ["render"], [Address(a)]), runnersB);
        _nodes.Add(b);
        return (a, b);
    }

    static string Address(TalosNode n) => Akka.Cluster.Cluster.Get(n.System).SelfAddress.ToString();

    async Task<List<(string Manifest, System.Text.Json.JsonElement Event)>> Journal(string persistenceId)
    {
        var events = new List<(string, System.Text.Json.JsonElement)>();
        await using var db = new Npgsql.NpgsqlConnection(_pg!.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select manifest, message from journal where persistence_id = @p order by sequence_number", db);
        cmd.Parameters.AddWithValue("p", persistenceId);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            events.Add((reader.GetString(0), System.Text.Json.JsonDocument.Parse((byte[])reader.GetValue(1)).RootElement.Clone()));
        return events;
    }

    [Fact]
    public async Task A_node_that_keeps_failing_a_shots_chunks_is_avoided_and_reported_and_every_attempt_log_is_in_the_vault()
    {
        var real = StageRunners.Create();
        var broken = real.ToDictionary(kv => kv.Key, kv => (IStageRunner)new FaultyRunner(kv.Value, "the GPU fell off the bus"));
        var render = new RenderSettingsOptions
        {
            ChunkFrames = 4, ChunkSlots = 1, NodeFailureLimit = 2, MaxChunkRetries = 6,
            MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400),
        };
        var (a, b) = await TwoNodes(render, broken, real);
        var key = Assert.IsType<SubmitAccepted>(await a.AskHephaestus<object>(new SubmitShot(Spec("avoid")))).ShotKeys[0];
        var view = await ShotLifecycleTests.WaitFor(a, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);

        var journal = await Journal("shot-" + key);
        string nodeA = Address(a), nodeB = Address(b);
        var avoided = Assert.Single(journal, e => e.Manifest == "talos.shot.node-avoided.v1").Event;
        Assert.Equal(nodeA, avoided.GetProperty("node").GetString());
        var failures = journal.Where(e => e.Manifest == "talos.shot.chunk-failed.v1").Select(e => e.Event).ToList();
        Assert.True(failures.Count >= render.NodeFailureLimit, $"{failures.Count} failed attempts journalled");
        Assert.All(failures, f =>
        {
            Assert.Equal(nodeA, f.GetProperty("node").GetString());
            Assert.Equal(ChunkFailureKind.NodeFault, f.GetProperty("kind").GetString());
            var log = Encoding.UTF8.GetString(b.Vault.Get(f.GetProperty("logHash").GetString()!));
            Assert.Contains("the GPU fell off the bus", log);
            Assert.Contains($"on node {nodeA}", log);
        });
        var chunks = journal.Where(e => e.Manifest == "talos.shot.chunk-completed.v1").Select(e => e.Event).ToList();
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c =>
        {
            Assert.Equal(nodeB, c.GetProperty("node").GetString()); // nothing of this shot succeeded on the faulty node
            var log = Encoding.UTF8.GetString(a.Vault.Get(c.GetProperty("logHash").GetString()!));
            Assert.Contains($"{c.GetProperty("stage").GetString()} chunk {c.GetProperty("chunk").GetInt32()}", log);
            Assert.Contains($"on node {nodeB}", log);
            Assert.Contains("rendered in", log);
        });
    }

    [Fact]
    public async Task A_straggler_gets_a_speculative_run_on_another_node_and_the_first_result_wins()
    {
        var straggle = new Straggle();
        Dictionary<string, IStageRunner> With(string node)
        {
            var runners = new Dictionary<string, IStageRunner>(StageRunners.Create());
            runners[Stages.Raygen] = new StragglingRunner(runners[Stages.Raygen], straggle, node);
            return runners;
        }
        var render = new RenderSettingsOptions
        {
            ChunkFrames = 2, ChunkSlots = 1, SpeculateMinSamples = 2, SpeculateFactor = 3, SpeculateAfter = TimeSpan.FromSeconds(1),
        };
        var (a, b) = await TwoNodes(render, With("A"), With("B"));
        var key = Assert.IsType<SubmitAccepted>(await a.AskHephaestus<object>(new SubmitShot(Spec("straggler")))).ShotKeys[0];
        var view = await ShotLifecycleTests.WaitFor(a, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
        Assert.True(view.Status == ShotStatus.Completed, view.Reason);

        // The first RAYGEN chunk hung on one node until the speculative run on the other node won and withdrew it.
        Assert.True(straggle.Cancelled.Task.IsCompleted, "the straggling attempt was never withdrawn");
        var (hungNode, hungChunk) = straggle.Hung!.Value;
        var journal = await Journal("shot-" + key);
        var recorded = Assert.Single(journal, e => e.Manifest == "talos.shot.chunk-completed.v1"
                                                   && e.Event.GetProperty("stage").GetString() == Stages.Raygen
                                                   && e.Event.GetProperty("chunk").GetInt32() == hungChunk).Event;
        Assert.Equal(hungNode == "A" ? Address(b) : Address(a), recorded.GetProperty("node").GetString());
        Assert.Contains("(speculative)", Encoding.UTF8.GetString(a.Vault.Get(recorded.GetProperty("logHash").GetString()!)));
        Assert.DoesNotContain(journal, e => e.Manifest == "talos.shot.chunk-failed.v1");
    }

    [Fact]
    public async Task An_out_of_memory_chunk_renders_in_halves_with_the_same_frames()
    {
        var spec = Spec("oom");
        var render = new RenderSettingsOptions { ChunkFrames = 6, ChunkSlots = 1, MinBackoff = TimeSpan.FromMilliseconds(50) };

        async Task<(ShotView View, List<string> Frames)> Render(string name, IReadOnlyDictionary<string, IStageRunner> runners)
        {
            await using var node = await TalosNode.StartAsync(new TalosNodeOptions
            {
                WorkDir = Path.Combine(_dir, name), SerializeMessages = true, Render = render,
            }, runners);
            var key = Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitShot(spec))).ShotKeys[0];
            var view = await ShotLifecycleTests.WaitFor(node, key, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
            Assert.True(view.Status == ShotStatus.Completed, view.Reason);
            return (view, System.Text.Json.JsonSerializer.Deserialize<List<string>>(node.Vault.Get(view.FramesHash!))!);
        }

        var plain = await Render("plain", StageRunners.Create());
        var hungry = new Dictionary<string, IStageRunner>(StageRunners.Create());
        var oom = new OutOfMemoryAbove(hungry[Stages.Raygen], maxFrames: 3);
        hungry[Stages.Raygen] = oom;
        var split = await Render("split", hungry);

        Assert.Contains(6, oom.Refused);                      // whole chunks ran out of memory…
        Assert.All(oom.Rendered, n => Assert.True(n <= 3));   // …and rendered as halves
        Assert.Equal(spec.FrameCount, oom.Rendered.Sum());
        Assert.Equal(plain.Frames, split.Frames);             // bit-identical frames (content hashes)
        Assert.Equal(plain.View.FramesHash, split.View.FramesHash);
    }

    [Fact]
    public void Admission_starts_the_highest_priority_first_and_takes_turns_between_productions()
    {
        ShotRecord Shot(string production, int sequence, int priority = 0) =>
            new(HephaestusState.KeyOf(Spec("s") with { Id = $"s{sequence}", Production = production }), Spec("s") with { Id = $"s{sequence}", Production = production, Sequence = sequence }) { Priority = priority };
        var big = Enumerable.Range(1, 6).Select(i => Shot("big", i)).ToList();
        var small = Enumerable.Range(1, 2).Select(i => Shot("small", i)).ToList();
        var urgent = Shot("late", 1, priority: 5);
        var waiting = big.Concat(small).Append(urgent).ToList();
        var queue = new AdmissionQueue();
        foreach (var s in waiting) queue.Add(s);
        var order = new List<string>();
        while (queue.Next() is { } next) order.Add(next);

        Assert.Equal(urgent.Key, order[0]); // priority first
        // Then the two productions alternate (the big one cannot starve the small one), each in cut order.
        Assert.Equal(["small--s1", "big--s1", "small--s2", "big--s2", "big--s3", "big--s4", "big--s5", "big--s6"], order.Skip(1));
    }

    [Fact]
    public void Admission_keeps_its_order_through_adds_priority_changes_and_removals_as_the_linear_rule_does()
    {
        // The queue against the rule it implements, written out as a scan of every waiting shot: random shots of five
        // productions at three priorities, interleaved with re-prioritized, removed and started ones.
        var random = new Random(22);
        var queue = new AdmissionQueue();
        var waiting = new Dictionary<string, ShotRecord>();
        string? last = null;
        string? Reference()
        {
            if (waiting.Count == 0) return null;
            int top = waiting.Values.Max(s => s.Priority);
            var candidates = waiting.Values.Where(s => s.Priority == top).ToList();
            var productions = candidates.Select(s => s.Spec.Production).Distinct().OrderBy(p => p, StringComparer.Ordinal).ToList();
            var production = productions.FirstOrDefault(p => last is null || string.CompareOrdinal(p, last) > 0) ?? productions[0];
            last = production;
            var next = candidates.Where(s => s.Spec.Production == production).OrderBy(s => s.Spec.Sequence).ThenBy(s => s.Key, StringComparer.Ordinal).First();
            waiting.Remove(next.Key);
            return next.Key;
        }
        for (int step = 0; step < 3000; step++)
        {
            int what = random.Next(10);
            if (what < 5)
            {
                var production = "p" + random.Next(5);
                var spec = Spec("s") with { Id = $"s{step}", Production = production, Sequence = random.Next(50) };
                var shot = new ShotRecord(HephaestusState.KeyOf(spec), spec) { Priority = random.Next(3) };
                waiting[shot.Key] = shot; queue.Add(shot);
            }
            else if (what < 7 && waiting.Count > 0)
            {
                var key = waiting.Keys.ElementAt(random.Next(waiting.Count));
                waiting[key] = waiting[key] with { Priority = random.Next(3) };
                queue.Add(waiting[key]);
            }
            else if (what < 8 && waiting.Count > 0)
            {
                var key = waiting.Keys.ElementAt(random.Next(waiting.Count));
                waiting.Remove(key);
                Assert.True(queue.Remove(key));
                Assert.False(queue.Contains(key));
            }
            else Assert.Equal(Reference(), queue.Next());
            Assert.Equal(waiting.Count, queue.Count);
        }
        while (waiting.Count > 0) Assert.Equal(Reference(), queue.Next());
        Assert.Null(queue.Next());
    }

    [Fact]
    public async Task A_shots_priority_is_journalled_and_a_full_farm_starts_the_highest_priority_next()
    {
        var render = new RenderSettingsOptions { ChunkFrames = 12, ChunkSlots = 1, MaxActiveShots = 1 };
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = Path.Combine(_dir, "prio"), SerializeMessages = true, Render = render });
        var started = new ConcurrentQueue<string>();
        node.Environment.ChunkRendered += (shot, stage, _) => { if (stage == Stages.Prism) started.Enqueue(shot); };
        var specs = Enumerable.Range(1, 3).Select(i => Spec($"p{i}") with { Production = "prio", Sequence = i }).ToList();
        Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitProduction("prio", specs)));
        var last = HephaestusState.KeyOf(specs[2]);
        var ack = await node.AskHephaestus<CommandAck>(new SetShotPriority(last, 9, "pipeline"));
        Assert.True(ack.Ok, ack.Message);
        Assert.False((await node.AskHephaestus<CommandAck>(new SetShotPriority("nope--x", 1))).Ok);

        var done = await ShotLifecycleTests.WaitFor(node, HephaestusState.KeyOf(specs[1]), v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
        Assert.Equal(ShotStatus.Completed, done.Status);
        // One shot at a time: the first was already admitted; the prioritised third went before the second.
        Assert.Equal([HephaestusState.KeyOf(specs[0]), last, HephaestusState.KeyOf(specs[1])], started.ToArray());

        // The shot journals the priority it was started with, so a recovered entity hands chunks out at it.
        var read = new TaskCompletionSource<Talos.Cluster.Seed.Api.JournalEvents>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.System.ActorOf(Akka.Actor.Props.Create(() => new Talos.Cluster.Seed.Api.JournalReaderActor("shot-" + last, read)));
        var events = (await read.Task.WaitAsync(TimeSpan.FromSeconds(30))).Events.Select(e => e.Event).ToList();
        Assert.Equal(9, Assert.Single(events.OfType<Talos.Messages.Events.ShotPriorityChanged>()).Priority);
    }

    /// <summary>
    /// A shot still waiting for admission is not rendering: a cancel takes it out of the queue at once (it never starts),
    /// a pause is refused with the reason; a production whose shots ask for different deliveries is refused.
    /// </summary>
    [Fact]
    public async Task A_waiting_shot_is_cancelled_where_it_waits_and_cannot_be_paused()
    {
        var render = new RenderSettingsOptions { ChunkFrames = 12, ChunkSlots = 1, MaxActiveShots = 1 };
        await using var node = await TalosNode.StartAsync(new TalosNodeOptions { WorkDir = Path.Combine(_dir, "wait"), SerializeMessages = true, Render = render });
        var started = new ConcurrentQueue<string>();
        node.Environment.ChunkRendered += (shot, stage, _) => { if (stage == Stages.Prism) started.Enqueue(shot); };
        var specs = Enumerable.Range(1, 2).Select(i => Spec($"w{i}") with { Production = "wait", Sequence = i }).ToList();
        Assert.IsType<SubmitAccepted>(await node.AskHephaestus<object>(new SubmitProduction("wait", specs)));
        var (first, waiting) = (HephaestusState.KeyOf(specs[0]), HephaestusState.KeyOf(specs[1]));

        var pause = await node.AskHephaestus<CommandAck>(new PauseShot(waiting));
        Assert.False(pause.Ok);
        Assert.Contains("waiting for admission", pause.Message);
        Assert.True((await node.AskHephaestus<CommandAck>(new CancelShot(waiting))).Ok);
        var cancelled = await ShotLifecycleTests.WaitFor(node, waiting, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromSeconds(30));
        Assert.Equal(ShotStatus.Cancelled, cancelled.Status);
        Assert.False((await node.AskHephaestus<CommandAck>(new CancelShot(waiting))).Ok); // finished: refused

        var done = await ShotLifecycleTests.WaitFor(node, first, v => ShotStatus.IsTerminal(v.Status), TimeSpan.FromMinutes(3));
        Assert.Equal(ShotStatus.Completed, done.Status);
        Assert.Equal([first], started.ToArray()); // the cancelled shot never started

        var mixed = await node.AskHephaestus<object>(new SubmitProduction("mixed", [Spec("m1") with { Production = "mixed" }, Spec("m2") with { Production = "mixed", Sequence = 2, Delivery = "hdr10" }]));
        Assert.Contains("same delivery", Assert.IsType<SubmitRejected>(mixed).Reason);
    }

    /// <summary>A node fault on every chunk of this node.</summary>
    sealed class FaultyRunner(IStageRunner inner, string reason) : WrappedRunner(inner)
    {
        public override ChunkManifest Run(ChunkContext context) => throw new InvalidOperationException(reason);
    }

    /// <summary>Shared by both nodes' runners: the first RAYGEN chunk anywhere hangs until it is withdrawn.</summary>
    sealed class Straggle
    {
        int _taken;
        public (string Node, int Chunk)? Hung;
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Take() => Interlocked.Exchange(ref _taken, 1) == 0;
    }

    sealed class StragglingRunner(IStageRunner inner, Straggle straggle, string node) : WrappedRunner(inner)
    {

        public override ChunkManifest Run(ChunkContext context)
        {
            if (!straggle.Take()) return Inner.Run(context);
            straggle.Hung = (node, context.Plan.Chunk);
            context.Cancellation.WaitHandle.WaitOne(TimeSpan.FromMinutes(2));
            if (context.Cancellation.IsCancellationRequested) straggle.Cancelled.TrySetResult();
            context.Cancellation.ThrowIfCancellationRequested();
            throw new TimeoutException("the straggler was never withdrawn");
        }
    }

    /// <summary>Runs out of memory on chunks of more than <paramref name="maxFrames"/> frames, as a GPU with too little memory would.</summary>
    sealed class OutOfMemoryAbove(IStageRunner inner, int maxFrames) : WrappedRunner(inner)
    {
        public ConcurrentBag<int> Refused { get; } = new();
        public ConcurrentBag<int> Rendered { get; } = new();

        public override ChunkManifest Run(ChunkContext context)
        {
            if (context.Plan.FrameCount > maxFrames)
            {
                Refused.Add(context.Plan.FrameCount);
                throw new OutOfMemoryException($"cannot allocate {context.Plan.FrameCount} frames of buffers");
            }
            var manifest = Inner.Run(context);
            Rendered.Add(context.Plan.FrameCount);
            return manifest;
        }
    }
}
