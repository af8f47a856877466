using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Specs;

namespace Talos.Actors.Shots;

/// <summary>
/// One shot, sharded by its key on role "gpu", event-sourced. State machine:
/// queued → rendering (stages PRISM → AXIS → FLUX → CHROMA → RAYGEN + STOKES → ANIMA → CUTTURA → ECHO, with
/// bounded ECHO revisions) → completed | failed | cancelled. Each running stage is a child <see cref="StageAgent"/>;
/// every finished chunk is journalled as ChunkCompleted before anything depends on it, so recovery never re-renders it.
/// </summary>
public sealed class ShotEntity : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;
    readonly string _key;
    readonly TalosEnvironment _env;
    readonly IActorRef _hephaestus;
    readonly ILoggingAdapter _log = Context.GetLogger();
    ShotState _state = new();
    long _lastSnapshot;
    readonly Dictionary<string, IActorRef> _agents = new();
    readonly HashSet<IActorRef> _stopping = new();
    /// <summary>The stage plans of the state's spec: updated with the state (<see cref="StagePlans.For"/>), so they always match it.</summary>
    StagePlans _plans = StagePlans.None;
    int _agentSerial;
    IActorRef? _mediator;
    /// <summary>When and with which status Hephaestus last heard this shot's progress; whether a sampled report is due.</summary>
    DateTime _reportedAt;
    string? _reportedStatus;
    bool _reportDue;
    /// <summary>Chunk results taken in and not yet journalled (journalled together by the next FlushChunks).</summary>
    readonly List<ChunkDone> _arrived = new();

    public ShotEntity(string key, TalosEnvironment env, IActorRef hephaestus)
    {
        _key = key; _env = env; _hephaestus = hephaestus;

        Recover<SnapshotOffer>(o =>
        {
            _state = ShotSnapshots.FromDocument((SnapshotDocument)o.Snapshot);
            _lastSnapshot = _state.Events;
        });
        Recover<ITalosEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            _plans = _plans.For(_state, PlanStages);
            if (_state.Status == ShotStatus.Rendering) Self.Tell(Advance.Instance);
        });

        Command<StartShot>(OnStart);
        Command<Advance>(_ => AdvanceStages());
        Command<ChunkDone>(OnChunkDone);
        Command<FlushChunks>(_ => OnFlushChunks());
        Command<ReportDue>(_ => { if (_reportDue) ReportProgress(); });
        Command<ChunkAttemptFailed>(OnAttemptFailed);
        Command<ChunkGaveUp>(OnGaveUp);
        Command<RetryShotEntity>(_ => OnRetry());
        Command<CancelShotEntity>(_ => OnCancel());
        Command<PauseShotEntity>(_ => OnPause());
        Command<ResumeShotEntity>(_ => OnResume());
        Command<SaveSnapshotSuccess>(ok => DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("shot {0}: snapshot not saved: {1}", _key, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("shot {0}: old snapshots not deleted: {1}", _key, f.Cause.Message));
        Command<Terminated>(t =>
        {
            foreach (var (stage, agent) in _agents.ToList())
                if (agent.Equals(t.ActorRef)) _agents.Remove(stage);
            if (_stopping.Remove(t.ActorRef) && _stopping.Count == 0) ReportProgress(); // now the pause has reached every chunk
        });
    }

    public override string PersistenceId => "shot-" + _key;

    public static Props Props(string key, TalosEnvironment env, IActorRef hephaestus) =>
        Akka.Actor.Props.Create(() => new ShotEntity(key, env, hephaestus));

    sealed class Advance : ITalosMessage { public static readonly Advance Instance = new(); }
    /// <summary>Journal the chunk results taken in since the last flush, in one write.</summary>
    sealed class FlushChunks : ITalosMessage { public static readonly FlushChunks Instance = new(); }
    /// <summary>The sampled progress report held back since the last one is sent now.</summary>
    sealed class ReportDue : ITalosMessage { public static readonly ReportDue Instance = new(); }

    // ---- commands ----

    /// <summary>
    /// Persists what a decision (<see cref="ShotDecisions"/>) says, applying each event to the state as it is written; then
    /// <paramref name="after"/> (once, when all are written). Nothing to journal: <paramref name="after"/> at once.
    /// </summary>
    void Write(IReadOnlyList<ITalosEvent> events, Action after)
    {
        if (events.Count == 0) { after(); return; }
        // The handlers run in order, each once its event is durable: the last one's is where all are written. (A
        // DeferAsync after the PersistAll ran at the same point, but as one more message through the journal and back.)
        int left = events.Count;
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            _plans = _plans.For(_state, PlanStages);
            if (--left == 0) { MaybeSnapshot(); after(); }
        });
    }

    void OnStart(StartShot cmd)
    {
        var events = ShotDecisions.Start(_state, cmd, DateTimeOffset.UtcNow);
        if (events.OfType<ShotSpecRevised>().FirstOrDefault() is { } revised)
        {
            _log.Info("shot {0}: revision {1} ({2})", _key, revised.Revision, revised.Changes.Count == 0 ? "no change" : string.Join(", ", revised.Changes.Take(8)));
            StopAllAgents();
            _arrived.Clear();
        }
        Write(events, () =>
        {
            switch (_state.Status)
            {
                case ShotStatus.Completed: NotifyFinished(); break;
                case ShotStatus.Failed: _hephaestus.Tell(new ShotFailedNotice(_key, _state.FailReason ?? "failed", _state.SpecRevision)); break;
                case ShotStatus.Cancelled: _hephaestus.Tell(new ShotCancelledNotice(_key, _state.SpecRevision)); break;
                // A priority change reaches the running agents' next stages; advancing may persist, so it comes as a command.
                default: ReportProgress(); AdvanceLater(); break;
            }
        });
    }

    /// <summary>
    /// A chunk result is taken in at once and journalled by the next <see cref="FlushChunks"/>: results that arrive while
    /// a write is in flight (Akka.Persistence stashes them and hands them back, in order, ahead of the flush they ask for)
    /// go to the journal together, one write for all of them (a group commit), instead of one write each.
    /// </summary>
    void OnChunkDone(ChunkDone done)
    {
        if (_state.Status != ShotStatus.Rendering) return;
        if (!_agents.TryGetValue(done.Stage, out var agent) || !agent.Equals(Sender)) return; // a stale agent
        if (_state.ChunksOf(done.Stage).ContainsKey(done.Chunk) || _arrived.Exists(a => a.Stage == done.Stage && a.Chunk == done.Chunk)) return;
        _arrived.Add(done);
        if (_arrived.Count == 1) Self.Tell(FlushChunks.Instance);
    }

    void OnFlushChunks()
    {
        var arrived = _arrived.ToList();
        _arrived.Clear();
        var events = ShotDecisions.Record(_state, arrived, _plans.Plans, _env.Settings.MaxRevisions, DateTimeOffset.UtcNow);
        if (events.Count == 0) return;
        foreach (var r in events.OfType<RevisionRequested>())
            _log.Info("shot {0}: ECHO sends {1} ANIMA chunk(s) back (round {2}): {3}", _key, r.AnimaChunks.Count, r.Round, r.Reason);
        var completedStages = events.OfType<StageCompleted>().Select(e => e.Stage).ToList();
        if (events.OfType<RevisionRequested>().Any()) completedStages.Add(Stages.Echo);
        long persisting = System.Diagnostics.Stopwatch.GetTimestamp();
        Write(events, () =>
        {
            Hosting.TalosMetrics.JournalWritten(persisting, arrived.Count);
            foreach (var stage in completedStages) StopAgent(stage);
            // A finished stage is reported at once (what `talos shot show` and the API's progress stream show move stage by
            // stage even for a shot that renders in under ProgressEvery); chunks within a stage are sampled.
            if (completedStages.Count > 0) ReportProgress(); else ReportSampled();
            if (_state.Status == ShotStatus.Completed) { NotifyFinished(); Passivate(); }
            else AdvanceLater();
        });
    }

    /// <summary>
    /// A failed attempt is journalled with the node, the cause and its log (the agent decides the retry). A node whose
    /// attempts keep failing (not bad input: that is the shot's fault, not the node's) is avoided from then on: journalled,
    /// logged, and every running agent told.
    /// </summary>
    void OnAttemptFailed(ChunkAttemptFailed f)
    {
        _log.Warning("shot {0}: {1}", _key, $"{f.Stage} chunk {f.Chunk} attempt {f.Attempt} failed on {f.Node} ({f.Kind}): {f.Reason}");
        if (!_agents.TryGetValue(f.Stage, out var agent) || !agent.Equals(Sender)) return;
        var events = ShotDecisions.AttemptFailed(_state, f, _env.Settings.NodeFailureLimit, DateTimeOffset.UtcNow);
        Write(events, () =>
        {
            foreach (var avoided in events.OfType<ShotNodeAvoided>())
            {
                _log.Warning("shot {0}: {1}", _key, $"avoiding node {avoided.Node} after {avoided.Failures} failed chunk attempt(s), the last: {avoided.Reason}");
                foreach (var a in _agents.Values) a.Tell(new NodeAvoided(avoided.Node));
            }
        });
    }

    void OnGaveUp(ChunkGaveUp g)
    {
        var events = ShotDecisions.GaveUp(_state, g, DateTimeOffset.UtcNow);
        if (events.Count == 0) return;
        Write(events, () =>
        {
            StopAllAgents();
            _log.Warning("shot {0} failed: {1}", _key, _state.FailReason);
            ReportProgress();
            _hephaestus.Tell(new ShotFailedNotice(_key, _state.FailReason ?? "failed", _state.SpecRevision));
        });
    }

    void OnRetry() => Write(ShotDecisions.Retry(_state, DateTimeOffset.UtcNow), () => { ReportProgress(); if (_state.Status == ShotStatus.Rendering) AdvanceLater(); });

    void OnPause()
    {
        var events = ShotDecisions.Pause(_state, DateTimeOffset.UtcNow);
        if (events.Count == 0) { ReportProgress(); return; }
        Write(events, () =>
        {
            // In-flight chunks are cancelled (each agent withdraws its leases as it stops); recorded ones stay recorded.
            // The registry hears "paused" once every agent has stopped, so nothing of this shot renders after that.
            StopAllAgents(awaitStop: true);
            if (_stopping.Count == 0) ReportProgress();
        });
    }

    void OnResume() => Write(ShotDecisions.Resume(_state, DateTimeOffset.UtcNow), () => { ReportProgress(); if (_state.Status == ShotStatus.Rendering) AdvanceLater(); });

    void OnCancel()
    {
        var events = ShotDecisions.Cancel(_state, DateTimeOffset.UtcNow);
        if (events.Count == 0) { ReportProgress(); return; }
        Write(events, () =>
        {
            StopAllAgents();
            ReportProgress();
            _hephaestus.Tell(new ShotCancelledNotice(_key, _state.SpecRevision));
        });
    }

    /// <summary>Every <c>SnapshotEvery</c> events the state is saved whole, so recovery replays only what came after it.</summary>
    void MaybeSnapshot()
    {
        int every = _env.Settings.SnapshotEvery;
        if (every <= 0 || _state.Events - _lastSnapshot < every) return;
        _lastSnapshot = _state.Events;
        SaveSnapshot(ShotSnapshots.ToDocument(_state));
    }

    // ---- the stage graph ----

    IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> PlanStages(ShotSpec spec) =>
        Stages.All.ToDictionary(s => s, s => _env.Runners[s].Plan(spec, _env.Settings.ChunkFrames));

    /// <summary>
    /// Advancing may persist; persisting from inside another persist or defer handler leaves the batch unflushed in
    /// Akka.Persistence (the entity would wait for it forever), so handlers ask for the next step as a command.
    /// </summary>
    void AdvanceLater() => Self.Tell(Advance.Instance);

    void AdvanceStages()
    {
        var (completed, start) = ShotDecisions.Advance(_state, _plans.Plans, Graph.Of(_env).DependsOn, _agents.Keys.ToHashSet());
        foreach (var (stage, todo) in start) StartAgent(stage, _env.Runners[stage], todo);
        if (completed.Count > 0) Write(completed, () => { ReportProgress(); AdvanceLater(); });
    }

    void StartAgent(string stage, IStageRunner runner, IReadOnlyList<ChunkPlan> todo)
    {
        var inputs = Graph.Of(_env).Reads[stage].ToDictionary(
            s => s, s => (IReadOnlyList<string>)_state.ChunksOf(s).Values.Select(c => c.Hash).ToList());
        var own = _state.ChunksOf(stage).ToDictionary(kv => kv.Key, kv => kv.Value.Hash);
        var job = new StageJob(_key, stage, _state.Spec!, todo, inputs, own, _state.Revision, new Dictionary<int, float>(_state.FrameGains),
            _state.Priority, _state.AvoidedNodes.ToArray(), _state.SpecRevision);
        _mediator ??= DistributedPubSub.Get(Context.System).Mediator;
        var agent = Context.ActorOf(StageAgent.Props(job, runner, _env, Self, _mediator), $"{stage.ToLowerInvariant()}-{++_agentSerial}");
        Context.Watch(agent);
        _agents[stage] = agent;
    }

    /// <summary>
    /// The stage graph of a set of runners, worked out once per environment (it was rebuilt at every advance): what each
    /// stage waits for, and what it reads — its direct and all transitive upstream stages (e.g. ANIMA reads RAYGEN and STOKES).
    /// </summary>
    sealed class Graph
    {
        static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyDictionary<string, IStageRunner>, Graph> Cache = new();
        public IReadOnlyDictionary<string, IReadOnlyList<string>> DependsOn { get; }
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Reads { get; }

        Graph(IReadOnlyDictionary<string, IStageRunner> runners)
        {
            DependsOn = runners.ToDictionary(r => r.Key, r => r.Value.DependsOn);
            Reads = runners.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value.DependsOn.Concat(UpstreamOf(runners, r.Value)).Distinct().ToList());
        }

        public static Graph Of(TalosEnvironment env) => Cache.GetValue(env.Runners, r => new Graph(r));

        static IEnumerable<string> UpstreamOf(IReadOnlyDictionary<string, IStageRunner> runners, IStageRunner runner)
        {
            var seen = new HashSet<string>();
            var stack = new Stack<string>(runner.DependsOn);
            while (stack.Count > 0)
            {
                var s = stack.Pop();
                if (!seen.Add(s)) continue;
                foreach (var d in runners[s].DependsOn) stack.Push(d);
            }
            return seen;
        }
    }

    void StopAgent(string stage)
    {
        if (_agents.Remove(stage, out var agent)) { Context.Unwatch(agent); Context.Stop(agent); }
    }

    void StopAllAgents(bool awaitStop = false)
    {
        foreach (var stage in _agents.Keys.ToList())
        {
            if (!awaitStop) { StopAgent(stage); continue; }
            var agent = _agents[stage];
            _agents.Remove(stage);
            _stopping.Add(agent); // still watched: its Terminated says its leases are withdrawn
            Context.Stop(agent);
        }
    }

    // ---- reporting ----

    /// <summary>
    /// Chunk by chunk, progress is sampled: reported now if the status changed or <c>ProgressEvery</c> has passed since the
    /// last report, else once when it has (one report for all the chunks in between).
    /// </summary>
    void ReportSampled()
    {
        var since = DateTime.UtcNow - _reportedAt;
        var every = _env.Settings.ProgressEvery;
        if (_state.Status != _reportedStatus || since >= every) { ReportProgress(); return; }
        if (_reportDue) return;
        _reportDue = true;
        Timers.StartSingleTimer("progress", ReportDue.Instance, every - since);
    }

    void ReportProgress()
    {
        if (_state.Spec is null) return;
        _reportedAt = DateTime.UtcNow; _reportedStatus = _state.Status; _reportDue = false;
        Timers.Cancel("progress");
        _hephaestus.Tell(new ShotProgress(_key, _state.Status, _state.Progress(_plans.Plans), _state.SpecRevision));
    }

    void NotifyFinished()
    {
        var r = _state.Result!;
        _hephaestus.Tell(new ShotFinished(_key, r.FramesHash, r.VideoHash, r.ReportHash, r.QualityPassed, _state.Revision, _state.SpecRevision));
    }

    void Passivate() => Context.Parent.Tell(new Passivate(PoisonPill.Instance));
}

/// <summary>Routes shot messages by ShotKey.</summary>
public sealed class ShotMessageExtractor() : HashCodeMessageExtractor(64)
{
    public override string EntityId(object message) => message is IWithShotKey k ? k.ShotKey : null!;
}
