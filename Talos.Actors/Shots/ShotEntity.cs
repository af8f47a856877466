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
public sealed class ShotEntity : ReceivePersistentActor
{
    readonly string _key;
    readonly TalosEnvironment _env;
    readonly IActorRef _hephaestus;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly ShotState _state = new();
    readonly Dictionary<string, IActorRef> _agents = new();
    readonly HashSet<IActorRef> _stopping = new();
    Dictionary<string, IReadOnlyList<ChunkPlan>> _plans = new();
    int _agentSerial;
    /// <summary>Chunk results taken in and not yet journalled (journalled together by the next FlushChunks).</summary>
    readonly List<ChunkDone> _arrived = new();

    public ShotEntity(string key, TalosEnvironment env, IActorRef hephaestus)
    {
        _key = key; _env = env; _hephaestus = hephaestus;

        Recover<ITalosEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Spec is not null) _plans = PlanStages();
            if (_state.Status == ShotStatus.Rendering) Self.Tell(Advance.Instance);
        });

        Command<StartShot>(OnStart);
        Command<Advance>(_ => AdvanceStages());
        Command<ChunkDone>(OnChunkDone);
        Command<FlushChunks>(_ => OnFlushChunks());
        Command<ChunkAttemptFailed>(OnAttemptFailed);
        Command<ChunkGaveUp>(OnGaveUp);
        Command<RetryShotEntity>(_ => OnRetry());
        Command<CancelShotEntity>(_ => OnCancel());
        Command<PauseShotEntity>(_ => OnPause());
        Command<ResumeShotEntity>(_ => OnResume());
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

    // ---- commands ----

    void OnStart(StartShot cmd)
    {
        if (cmd.Priority != _state.Priority && !_state.IsTerminal)
        {
            // Journalled here too, so that after a crash or a rebalance the recovered shot hands its chunks out at the same
            // priority before Hephaestus says anything; then the start goes on (as a command: no persist inside a handler).
            var self = Self;
            Persist(new ShotPriorityChanged(_key, cmd.Priority, "hephaestus", DateTimeOffset.UtcNow), e => { _state.Apply(e); self.Tell(cmd); });
            return;
        }
        if (_state.Spec is not null && cmd.SpecRevision < _state.SpecRevision) { ReportProgress(); return; } // a stale start of an older revision
        if (_state.Spec is not null && cmd.SpecRevision > _state.SpecRevision)
        {
            var changes = SpecChanges.Between(_state.Spec, cmd.Spec);
            _log.Info("shot {0}: revision {1} ({2})", _key, cmd.SpecRevision, changes.Count == 0 ? "no change" : string.Join(", ", changes.Take(8)));
            StopAllAgents();
            _arrived.Clear();
            Persist(new ShotSpecRevised(cmd.SpecRevision, cmd.Spec, changes, DateTimeOffset.UtcNow), e =>
            {
                _state.Apply(e);
                _plans = PlanStages();
                ReportProgress();
                AdvanceLater();
            });
            return;
        }
        if (_state.Spec is null)
        {
            Persist(new ShotStarted(cmd.Spec, DateTimeOffset.UtcNow, cmd.SpecRevision), e =>
            {
                _state.Apply(e);
                _plans = PlanStages();
                ReportProgress();
                AdvanceLater();
            });
            return;
        }
        switch (_state.Status)
        {
            case ShotStatus.Completed: NotifyFinished(); break;
            case ShotStatus.Failed: _hephaestus.Tell(new ShotFailedNotice(_key, _state.FailReason ?? "failed", _state.SpecRevision)); break;
            case ShotStatus.Cancelled: _hephaestus.Tell(new ShotCancelledNotice(_key, _state.SpecRevision)); break;
            default: ReportProgress(); AdvanceStages(); break;
        }
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
        if (_state.Status != ShotStatus.Rendering || arrived.Count == 0) return; // paused or cancelled since: not recorded

        var events = new List<ITalosEvent>();
        var inBatch = new HashSet<(string Stage, int Chunk)>();
        var completedStages = new List<string>();
        foreach (var done in arrived)
        {
            inBatch.Add((done.Stage, done.Chunk));
            events.Add(new ChunkCompleted(done.Stage, done.Chunk, done.ManifestHash, done.FrameCount, done.Note, done.Node, done.Attempt, done.LogHash, done.Reused));
            var recorded = _state.ChunksOf(done.Stage);
            if (!_plans[done.Stage].All(p => recorded.ContainsKey(p.Chunk) || inBatch.Contains((done.Stage, p.Chunk)))) continue;
            completedStages.Add(done.Stage);
            if (done.Stage == Stages.Echo) events.AddRange(DecideAfterEcho(done));
            else events.Add(new StageCompleted(done.Stage));
        }

        long persisting = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(events, e => _state.Apply(e));
        DeferAsync(events, _ =>
        {
            Hosting.TalosMetrics.JournalWritten(persisting, arrived.Count);
            foreach (var stage in completedStages) StopAgent(stage);
            ReportProgress();
            if (_state.Status == ShotStatus.Completed) { NotifyFinished(); Passivate(); }
            else AdvanceLater();
        });
    }

    IEnumerable<ITalosEvent> DecideAfterEcho(ChunkDone done)
    {
        var echo = Notes.Read<EchoOutcome>(done.Note, "ECHO");
        if (!echo.Passed && echo.Correctable && _state.Revision < _env.Settings.MaxRevisions && echo.FailingFrames.Count > 0)
        {
            var chunks = _plans[Stages.Anima]
                .Where(p => echo.FailingFrames.Any(f => f >= p.FirstFrame && f < p.FirstFrame + p.FrameCount))
                .Select(p => p.Chunk).ToList();
            _log.Info("shot {0}: ECHO sends {1} ANIMA chunk(s) back (round {2}): {3}", _key, chunks.Count, _state.Revision + 1, echo.Summary);
            return [new RevisionRequested(_state.Revision + 1, chunks, echo.Gains, echo.Summary)];
        }
        var cut = Notes.Read<CutOutcome>(_state.ChunksOf(Stages.Cuttura)[0].Note, "CUTTURA");
        return [new StageCompleted(Stages.Echo), new ShotRenderCompleted(cut.FramesHash, cut.VideoHash, echo.ReportHash, echo.Passed, DateTimeOffset.UtcNow)];
    }

    /// <summary>
    /// A failed attempt is journalled with the node, the cause and its log (the agent decides the retry). A node whose
    /// attempts keep failing (not bad input: that is the shot's fault, not the node's) is avoided from then on: journalled,
    /// logged, and every running agent told.
    /// </summary>
    void OnAttemptFailed(ChunkAttemptFailed f)
    {
        _log.Warning("shot {0}: {1}", _key, $"{f.Stage} chunk {f.Chunk} attempt {f.Attempt} failed on {f.Node} ({f.Kind}): {f.Reason}");
        if (_state.Status != ShotStatus.Rendering || f.Node is null || !_agents.TryGetValue(f.Stage, out var agent) || !agent.Equals(Sender)) return;
        var attempt = new ChunkAttemptRecorded(f.Stage, f.Chunk, f.Attempt, f.Node, f.Kind ?? ChunkFailureKind.NodeFault, f.Reason, f.LogHash);
        var events = new List<ITalosEvent> { attempt };
        int failures = _state.NodeFailures.GetValueOrDefault(f.Node) + (attempt.Kind == ChunkFailureKind.BadInput ? 0 : 1);
        if (failures >= _env.Settings.NodeFailureLimit && !_state.AvoidedNodes.Contains(f.Node))
            events.Add(new ShotNodeAvoided(f.Node, f.Stage, failures, f.Reason, DateTimeOffset.UtcNow));
        PersistAll(events, e =>
        {
            _state.Apply(e);
            if (e is not ShotNodeAvoided avoided) return;
            _log.Warning("shot {0}: {1}", _key, $"avoiding node {avoided.Node} after {avoided.Failures} failed chunk attempt(s), the last: {avoided.Reason}");
            foreach (var a in _agents.Values) a.Tell(new NodeAvoided(avoided.Node));
        });
    }

    void OnGaveUp(ChunkGaveUp g)
    {
        if (_state.Status != ShotStatus.Rendering) return;
        var reason = $"{g.Stage} chunk {g.Chunk} failed after {g.Attempts} attempt(s): {g.Reason}";
        Persist(new ShotRenderFailed(reason, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            StopAllAgents();
            _log.Warning("shot {0} failed: {1}", _key, reason);
            ReportProgress();
            _hephaestus.Tell(new ShotFailedNotice(_key, reason, _state.SpecRevision));
        });
    }

    void OnRetry()
    {
        if (_state.Status is not (ShotStatus.Failed or ShotStatus.Cancelled) || _state.Spec is null) { ReportProgress(); return; }
        Persist(new ShotRenderRetried(DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            ReportProgress();
            AdvanceLater();
        });
    }

    void OnPause()
    {
        if (_state.Status != ShotStatus.Rendering) { ReportProgress(); return; }
        Persist(new ShotRenderPaused(DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            // In-flight chunks are cancelled (each agent withdraws its leases as it stops); recorded ones stay recorded.
            // The registry hears "paused" once every agent has stopped, so nothing of this shot renders after that.
            StopAllAgents(awaitStop: true);
            if (_stopping.Count == 0) ReportProgress();
        });
    }

    void OnResume()
    {
        if (_state.Status != ShotStatus.Paused) { ReportProgress(); return; }
        Persist(new ShotRenderResumed(DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            ReportProgress();
            AdvanceLater();
        });
    }

    void OnCancel()
    {
        if (_state.IsTerminal || _state.Spec is null) { ReportProgress(); return; }
        Persist(new ShotRenderCancelled(DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            StopAllAgents();
            ReportProgress();
            _hephaestus.Tell(new ShotCancelledNotice(_key, _state.SpecRevision));
        });
    }

    // ---- the stage graph ----

    Dictionary<string, IReadOnlyList<ChunkPlan>> PlanStages() =>
        Stages.All.ToDictionary(s => s, s => _env.Runners[s].Plan(_state.Spec!, _env.Settings.ChunkFrames));

    /// <summary>
    /// Advancing may persist; persisting from inside another persist or defer handler leaves the batch unflushed in
    /// Akka.Persistence (the entity would wait for it forever), so handlers ask for the next step as a command.
    /// </summary>
    void AdvanceLater() => Self.Tell(Advance.Instance);

    void AdvanceStages()
    {
        if (_state.Status != ShotStatus.Rendering || _state.Spec is null) return;
        var completedNow = new List<ITalosEvent>();
        foreach (var stage in Stages.All)
        {
            if (_state.StagesDone.Contains(stage) || _agents.ContainsKey(stage)) continue;
            var runner = _env.Runners[stage];
            if (!runner.DependsOn.All(_state.StagesDone.Contains)) continue;
            var recorded = _state.ChunksOf(stage);
            var todo = _plans[stage].Where(p => !recorded.ContainsKey(p.Chunk)).ToList();
            if (todo.Count == 0) { completedNow.Add(new StageCompleted(stage)); continue; }
            StartAgent(stage, runner, todo);
        }
        if (completedNow.Count > 0)
        {
            PersistAll(completedNow, e => _state.Apply(e));
            DeferAsync(completedNow, _ => { ReportProgress(); AdvanceLater(); });
        }
    }

    void StartAgent(string stage, IStageRunner runner, IReadOnlyList<ChunkPlan> todo)
    {
        var inputs = runner.DependsOn.Concat(UpstreamOf(runner)).Distinct().ToDictionary(
            s => s, s => (IReadOnlyList<string>)_state.ChunksOf(s).Values.Select(c => c.Hash).ToList());
        var own = _state.ChunksOf(stage).ToDictionary(kv => kv.Key, kv => kv.Value.Hash);
        var job = new StageJob(_key, stage, _state.Spec!, todo, inputs, own, _state.Revision, new Dictionary<int, float>(_state.FrameGains),
            _state.Priority, _state.AvoidedNodes.ToArray(), _state.SpecRevision);
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        var agent = Context.ActorOf(StageAgent.Props(job, runner, _env, Self, mediator), $"{stage.ToLowerInvariant()}-{++_agentSerial}");
        Context.Watch(agent);
        _agents[stage] = agent;
    }

    /// <summary>All transitive upstream stages (a runner may read any of them, e.g. ANIMA reads RAYGEN and STOKES).</summary>
    IEnumerable<string> UpstreamOf(IStageRunner runner)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(runner.DependsOn);
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            if (!seen.Add(s)) continue;
            foreach (var d in _env.Runners[s].DependsOn) stack.Push(d);
        }
        return seen;
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

    void ReportProgress()
    {
        if (_state.Spec is null) return;
        _hephaestus.Tell(new ShotProgress(_key, _state.Status, _state.Progress(_plans), _state.SpecRevision));
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
