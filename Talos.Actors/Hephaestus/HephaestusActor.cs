using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;

namespace Talos.Actors.Hephaestus;

/// <summary>
/// HEPHAESTUS CORE: the cluster singleton (role "core") that admits shots and productions, journals admission,
/// forwards work to the shot shard region, keeps the registry of shots and their status, answers queries,
/// lets an operator retry or cancel, and has each finished production edited into a film (CUTTURA).
/// The registry is <see cref="HephaestusState"/> (immutable; <see cref="HephaestusState.Decide"/> makes the events,
/// <see cref="HephaestusState.Apply"/> the next state); this actor persists, snapshots and schedules, and keeps only
/// what is not journalled: which shots render or wait, what they last reported, which films are being cut.
/// </summary>
public sealed class HephaestusActor : ReceivePersistentActor, IWithTimers, IWithUnboundedStash
{
    public ITimerScheduler Timers { get; set; } = null!;
    /// <summary>When each active shot last reported; a shot silent since it was started is started again (idempotent).</summary>
    readonly Dictionary<string, DateTime> _heard = new();
    sealed class Kick : INoSerializationVerificationNeeded { public static readonly Kick Instance = new(); }
    sealed class PublishMetrics : INoSerializationVerificationNeeded { public static readonly PublishMetrics Instance = new(); }

    readonly IActorRef _shots;
    readonly TalosEnvironment _env;
    readonly ILoggingAdapter _log = Context.GetLogger();
    /// <summary>The registry as its durable events leave it (what queries, admission and snapshots read).</summary>
    HephaestusState _state = HephaestusState.Empty;
    /// <summary>The registry after every decided group commit, durable or in flight: what the next batch is decided on.</summary>
    HephaestusState _decided = HephaestusState.Empty;
    /// <summary>Group commits written and not yet durable (at most <c>HephaestusWritesInFlight</c>).</summary>
    int _inFlight;
    /// <summary>A command had to wait for the writes in flight: every later one (but reads) waits behind it, in order.</summary>
    bool _barrier;
    /// <summary>Events journalled since the last snapshot.</summary>
    int _sinceSnapshot;
    /// <summary>The shots in the last snapshot saved or recovered from (0: none): the next waits for as many events (<see cref="HephaestusState.SnapshotDue"/>).</summary>
    int _snapshotShots;
    /// <summary>The editor of each production whose film is being cut, and the cut it was last told (<see cref="MaybeEdit"/>).</summary>
    readonly Dictionary<string, (IActorRef Editor, EditJob Plan)> _editing = new();
    /// <summary>Productions whose cut an event of the group commit being applied may have changed: looked at once it is durable.</summary>
    readonly HashSet<string> _editChecks = new();
    /// <summary>Shots told to render (or found rendering), at most MaxActiveShots; the rest wait in <see cref="_admission"/>.</summary>
    readonly HashSet<string> _active = new();
    /// <summary>Live, not journalled: the status an unfinished shot last reported (rendering or paused); finished shots leave it.</summary>
    readonly Dictionary<string, string> _liveStatus = new();
    /// <summary>Live, not journalled: the stage progress each shot last reported (dropped when its spec is revised).</summary>
    readonly Dictionary<string, IReadOnlyDictionary<string, StageProgress>> _progress = new();
    /// <summary>The shots waiting for a slot, in the order they will start (O(log n) a shot).</summary>
    readonly AdmissionQueue _admission = new();

    public override string PersistenceId => "hephaestus";

    public HephaestusActor(IActorRef shotRegion, TalosEnvironment env)
    {
        _shots = shotRegion; _env = env;

        Recover<SnapshotOffer>(o =>
        {
            _state = HephaestusState.FromSnapshot((HephaestusSnapshot)o.Snapshot);
            _snapshotShots = _state.Shots.Count;
            _snapshotRead = System.Diagnostics.Stopwatch.GetElapsedTime(_started);
        });
        Recover<ITalosEvent>(e => { _state = _state.Apply(e); _sinceSnapshot++; });
        Recover<RecoveryCompleted>(_ =>
        {
            var recovered = System.Diagnostics.Stopwatch.GetElapsedTime(_started);
            _log.Info("hephaestus: recovered {0} shots in {1:F0} ms: a snapshot of {2} read in {3:F0} ms, then {4} events in {5:F0} ms",
                _state.Shots.Count, recovered.TotalMilliseconds, _snapshotShots, _snapshotRead.TotalMilliseconds, _sinceSnapshot,
                (recovered - _snapshotRead).TotalMilliseconds);
            _decided = _state;
            Timers.StartPeriodicTimer("kick", Kick.Instance, TimeSpan.FromSeconds(5));
            // Shot statuses for /metrics once a second, not after every message (progress reports arrive per chunk).
            Timers.StartPeriodicTimer("metrics", PublishMetrics.Instance, TimeSpan.FromSeconds(1));
            PublishShotMetrics();
            // A long journal since the last snapshot (or none yet; long: as SnapshotDue says): the next recovery starts from here.
            if (HephaestusState.SnapshotDue(_sinceSnapshot, _snapshotShots, SnapshotEvery)) Snapshot();
            // Resume everything unfinished: a restarted cluster picks up where it stopped.
            foreach (var s in _state.Shots.Values.Where(s => !ShotStatus.IsTerminal(s.Status))) Enqueue(s.Key);
            Dispatch(); // once all are queued, so admission orders them by priority and fair share
            foreach (var p in _state.Productions.Values) MaybeEdit(p.Production);
        });

        // First: while group commits are in flight, a command that is not a new shot's admission (nor a read) waits for them
        // (stashed, and every command after it, so the order holds); see OnFlushCommands.
        Command<object>(_ => { _barrier = true; Stash.Stash(); }, MustWait);
        Command<SubmitShot>(c => Execute(c, () =>
        {
            var key = HephaestusState.KeyOf(c.Spec);
            if (_state.Shots.TryGetValue(key, out var s) && !ShotStatus.IsTerminal(s.Status)) Admit(key);
        }));
        Command<SubmitProduction>(c => Execute(c, () =>
        {
            if (!_state.Productions.TryGetValue(c.Production, out var p)) return;
            // New, revised and unfinished shots render (an unchanged one already rendering is only told again: idempotent).
            foreach (var s in _state.ShotsOf(p).Where(s => !ShotStatus.IsTerminal(s.Status))) Enqueue(s.Key);
            Dispatch();
            MaybeEdit(p.Production);
        }));
        Command<ShotProgress>(p =>
        {
            if (!_state.Shots.TryGetValue(p.ShotKey, out var s) || p.SpecRevision != s.Revision) return; // about an older spec: ignored
            _heard[p.ShotKey] = DateTime.UtcNow;
            _progress[p.ShotKey] = p.Stages;
            if (!ShotStatus.IsTerminal(s.Status) && p.Status is ShotStatus.Rendering or ShotStatus.Paused)
            {
                _liveStatus[p.ShotKey] = p.Status;
                // A shot renders without being started from here (a remembered entity restarted after a crash): count it.
                _admission.Remove(p.ShotKey);
                _active.Add(p.ShotKey);
            }
        });
        Command<SetShotPriority>(c => Execute(c, () =>
        {
            var s = _state.Shots[c.ShotKey];
            // A rendering shot hands its next stages' chunks out at the new priority.
            if (_active.Contains(c.ShotKey) && !ShotStatus.IsTerminal(s.Status)) Start(s);
            _log.Info("shot {0}: priority {1} (set by {2})", c.ShotKey, c.Priority, c.By);
        }));
        Command<PublishMetrics>(_ => PublishShotMetrics());
        Command<FlushCommands>(_ => OnFlushCommands());
        // A StartShot can be lost when the node that would host the shot dies before the shot persisted anything (it is
        // then not yet a remembered entity): active shots that have not reported since they were started get it again.
        Command<Kick>(_ =>
        {
            var quiet = DateTime.UtcNow - TimeSpan.FromSeconds(10);
            foreach (var key in _active.Where(k => _state.Shots[k].Status == ShotStatus.Queued && !_liveStatus.ContainsKey(k) && _heard.GetValueOrDefault(k) < quiet).ToList())
                Start(_state.Shots[key]);
            // A shot that rendered and then went silent may have finished with its notice lost (its node killed, the
            // notice in flight): a passivated shot never repeats it, so it is started again, which it answers (progress,
            // or its outcome from its journal). Each silent shot once per ShotSilenceResend.
            var silent = DateTime.UtcNow - _env.Settings.ShotSilenceResend;
            foreach (var key in _active.Where(k => _liveStatus.ContainsKey(k) && !ShotStatus.IsTerminal(_state.Shots[k].Status) && _heard.GetValueOrDefault(k) < silent).ToList())
                Start(_state.Shots[key]);
        });
        Command<ShotFinished>(f => Outcome(f.ShotKey, f.SpecRevision, f));
        Command<ShotFailedNotice>(f => Outcome(f.ShotKey, f.SpecRevision, f));
        Command<ShotCancelledNotice>(c => Outcome(c.ShotKey, c.SpecRevision, c));
        Command<RetryShot>(c => Execute(c, () =>
        {
            _admission.Remove(c.ShotKey);
            _active.Add(c.ShotKey); // the operator asked: it renders now
            _shots.Tell(new RetryShotEntity(c.ShotKey));
        }));
        Command<PauseShot>(c =>
        {
            if (_admission.Contains(c.ShotKey)) { Sender.Tell(new CommandAck(c.ShotKey, false, "shot is waiting for admission, not rendering; cancel it or change its priority")); return; }
            Forward(c.ShotKey, new PauseShotEntity(c.ShotKey), "pause requested");
        });
        Command<ResumeShot>(c => Forward(c.ShotKey, new ResumeShotEntity(c.ShotKey), "resume requested"));
        Command<CancelShot>(c =>
        {
            if (_admission.Contains(c.ShotKey))
            {
                // Not started from here: cancelled where it waits (and its entity told, in case it renders from before a restart).
                _shots.Tell(new CancelShotEntity(c.ShotKey));
                var s = _state.Shots[c.ShotKey];
                Sender.Tell(new CommandAck(c.ShotKey, true, "cancelled while waiting for admission"));
                Outcome(c.ShotKey, s.Revision, new ShotCancelledNotice(c.ShotKey, s.Revision));
                return;
            }
            Forward(c.ShotKey, new CancelShotEntity(c.ShotKey), "cancel requested");
        });
        // A film cut from shots revised meanwhile is not recorded (the decision says so): the production is cut again.
        Command<FilmEdited>(d => { EditorDone(d.Production); Execute(d, () => MaybeEdit(d.Production)); });
        Command<FilmEditFailed>(f => { EditorDone(f.Production); Execute(f, () => MaybeEdit(f.Production)); });
        Command<SaveSnapshotSuccess>(s =>
        {
            if (_snapshotsTaken.Remove(s.Metadata.SequenceNr, out var taken))
                _log.Info("hephaestus: snapshot of {0} shots at {1} saved in {2:F0} ms", taken.Shots, s.Metadata.SequenceNr,
                    Hosting.TalosMetrics.HephaestusSnapshotSaved(taken.Timestamp, taken.Shots) * 1000);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotsTaken.Remove(f.Metadata.SequenceNr);
            _log.Warning("hephaestus: snapshot at {0} not saved: {1}", f.Metadata.SequenceNr, f.Cause.Message);
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("hephaestus: older snapshots not deleted: {0}", f.Cause.Message));

        Command<GetShot>(q => Sender.Tell(_state.Shots.TryGetValue(q.ShotKey, out var s) ? View(s) : new ShotNotFound(q.ShotKey)));
        Command<ListShots>(q => Sender.Tell(new ShotListing(_state.Shots.Values
            .Where(s => q.Production is null || s.Spec.Production == q.Production)
            .OrderBy(s => s.Spec.Production).ThenBy(s => s.Spec.Sequence).Select(View).ToList())));
        Command<GetProduction>(q => Sender.Tell(_state.Productions.TryGetValue(q.Production, out var p)
            ? _state.View(p, View) : new ProductionNotFound(q.Production)));
    }

    protected override void PostStop() => Hosting.TalosMetrics.Shots(null);

    public static Props Props(IActorRef shotRegion, TalosEnvironment env) =>
        Akka.Actor.Props.Create(() => new HephaestusActor(shotRegion, env));

    int SnapshotEvery => _env.Settings.HephaestusSnapshotEvery;

    /// <summary>A shot's status as it stands: the one it last reported while it renders (dropped when its outcome is recorded), else the journalled one.</summary>
    string StatusOf(ShotRecord s) => _liveStatus.GetValueOrDefault(s.Key) ?? s.Status;

    ShotView View(ShotRecord s) => HephaestusState.View(s, StatusOf(s), _progress.GetValueOrDefault(s.Key));

    void PublishShotMetrics() => Hosting.TalosMetrics.Shots(_state.Shots.Values.Select(StatusOf));

    /// <summary>
    /// Decides <paramref name="command"/> on the registry, persists the events (each applied as it is written), then runs
    /// <paramref name="then"/> and answers the sender with the decision's reply. A group commit: commands that arrive
    /// while a write is in flight are decided one after another on the registry as the earlier ones leave it, and their
    /// events go to the journal in one write; each is answered once that write is durable.
    /// </summary>
    void Execute(object command, Action then)
    {
        _pending.Add((command, then, Sender, System.Diagnostics.Stopwatch.GetTimestamp()));
        if (_pending.Count == 1) Self.Tell(FlushCommands.Instance);
    }

    readonly List<(object Command, Action Then, IActorRef Sender, long Taken)> _pending = new();
    sealed class FlushCommands : INoSerializationVerificationNeeded { public static readonly FlushCommands Instance = new(); }

    int WritesInFlight => Math.Max(1, _env.Settings.HephaestusWritesInFlight);

    /// <summary>
    /// Whether a command must wait for the group commits in flight. Reads and timers never do (they read the durable
    /// registry). A new shot's admission (a key the registry has not decided yet) may overlap them: its decision depends on
    /// nothing an earlier write in flight holds, so should that write fail (the actor then stops before answering anyone
    /// after it) and this one be durable, recovery replays a registry in which every event was decided as it was. Anything
    /// else — a revision, an outcome, an operator verb, a shot's report — waits until no write is in flight, as with one
    /// write at a time, and so does every command after it.
    /// </summary>
    bool MustWait(object message)
    {
        switch (message)
        {
            case FlushCommands or PublishMetrics or Kick or GetShot or ListShots or GetProduction
                or SaveSnapshotSuccess or SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                return false;
        }
        if (_barrier) return true;
        if (_inFlight == 0) return false;
        return message is not SubmitShot c || _decided.Shots.ContainsKey(HephaestusState.KeyOf(c.Spec));
    }

    /// <summary>
    /// Writes the commands taken in since the last write, as one group commit, unless <c>HephaestusWritesInFlight</c>
    /// writes are already in flight (then the next write to finish flushes them). Events are persisted with
    /// <c>PersistAllAsync</c> (no stash: <see cref="MustWait"/> decides what waits), applied to the durable registry in
    /// journal order as each write is confirmed, and the batch's senders are answered after its write, in order.
    /// </summary>
    void OnFlushCommands()
    {
        if (_pending.Count == 0 || _inFlight >= WritesInFlight) return;
        var batch = _pending.ToList();
        _pending.Clear();
        var now = DateTimeOffset.UtcNow;
        var state = _decided;
        var decided = new List<(Decision Decision, Action Then, IActorRef Sender, long Taken)>(batch.Count);
        var events = new List<ITalosEvent>();
        // The registry after each event, as deciding made it: the write applies them in turn without applying the events again.
        var states = new List<HephaestusState>();
        foreach (var (command, then, sender, taken) in batch)
        {
            var decision = HephaestusState.Decide(state, command, now);
            foreach (var e in decision.Events) states.Add(state = state.Apply(e));
            events.AddRange(decision.Events);
            decided.Add((decision, then, sender, taken));
        }
        var written = System.Diagnostics.Stopwatch.GetTimestamp();
        void Answer()
        {
            foreach (var (decision, then, sender, taken) in decided)
            {
                if (decision.Reply is not SubmitRejected and not CommandAck { Ok: false }) then();
                if (decision.Reply is not null) sender.Tell(decision.Reply);
                Hosting.TalosMetrics.HephaestusAnswered(taken);
            }
        }
        if (events.Count == 0)
        {
            // Nothing to journal (decided on a registry with writes in flight: answered after them, so no answer gets ahead of a write it read).
            if (_inFlight == 0) Answer();
            else DeferAsync(decided, _ => Answer());
            return;
        }
        Hosting.TalosMetrics.HephaestusBatch(batch.Count);
        _decided = state;
        _inFlight++;
        int applied = 0;
        PersistAllAsync(events, e =>
        {
            _state = states[applied++];
            Applied(e);
            if (HephaestusState.SnapshotDue(++_sinceSnapshot, _snapshotShots, SnapshotEvery)) Snapshot();
        });
        DeferAsync(events, _ =>
        {
            Hosting.TalosMetrics.HephaestusWritten(written);
            Answer();
            // once the whole group commit is durable, not after each event (a resubmitted production revises its shots one event at a time)
            foreach (var production in _editChecks.ToList()) MaybeEdit(production);
            _editChecks.Clear();
            _inFlight--;
            if (_inFlight == 0)
            {
                _decided = _state; // the same registry unless a write was rejected: then the durable one
                if (_barrier) { _barrier = false; Stash.UnstashAll(); }
            }
            if (_pending.Count > 0) Self.Tell(FlushCommands.Instance);
        });
    }

    /// <summary>What an event changes outside the registry: a revised shot's live report is about the old spec.</summary>
    void Applied(ITalosEvent e)
    {
        switch (e)
        {
            case ShotPriorityChanged c when _admission.Contains(c.ShotKey):
                _admission.Add(_state.Shots[c.ShotKey]); // waits at its new priority
                break;
            case ShotRevised r:
                _liveStatus.Remove(r.ShotKey); _progress.Remove(r.ShotKey);
                if (_state.ProductionOf(r.ShotKey) is { } revised) _editChecks.Add(revised.Production); // its cut changed
                if (_admission.Contains(r.ShotKey)) _admission.Add(_state.Shots[r.ShotKey]); // its cut position may have moved
                _log.Info("shot {0}: spec revision {1} ({2})", r.ShotKey, r.Revision, string.Join(", ", r.Changes));
                break;
            case ShotOutcomeRecorded o when ShotStatus.IsTerminal(o.Status):
                _liveStatus.Remove(o.ShotKey); _heard.Remove(o.ShotKey);
                if (_state.ProductionOf(o.ShotKey) is { } p) _editChecks.Add(p.Production); // a shot final, failed or cancelled
                break;
            case ShotRetryRequested r when _state.ProductionOf(r.ShotKey) is { } retried:
                _editChecks.Add(retried.Production);
                break;
            case ProductionAdmitted a:
                _editChecks.Add(a.Production); // its sound can be mixed while the shots render
                break;
            case ProductionRevised r:
                _editChecks.Add(r.Production);
                break;
            case ProductionEdited d:
                _log.Info("production {0}: film {1} ({2} frames)", d.Production, d.FilmHash, d.Frames);
                break;
            case ProductionEditFailed f:
                _log.Warning("production {0}: edit failed: {1}", f.Production, f.Reason);
                break;
        }
    }

    /// <summary>The snapshot being built off the actor's thread (each waits for the one before, so the store gets them in order).</summary>
    Task _snapshotting = Task.CompletedTask;
    /// <summary>Snapshots handed to the store and not yet confirmed: when each was taken and its shots (for its save time).</summary>
    readonly Dictionary<long, (long Timestamp, int Shots)> _snapshotsTaken = new();
    /// <summary>When this incarnation started recovering, and how long it took to its snapshot (zero: none).</summary>
    readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
    TimeSpan _snapshotRead;

    /// <summary>
    /// Saves the registry as it stands at the last journalled event. The registry is immutable, so the snapshot (every
    /// shot, sorted by key: O(n log n), ~64,000 shots in a 100,000-shot admission) is built on the thread pool and handed
    /// to the snapshot store with this sequence number, while the actor goes on deciding and journalling; the store's
    /// reply (<see cref="SaveSnapshotSuccess"/>, which deletes the older snapshots) comes back here as for
    /// <see cref="Eventsourced.SaveSnapshot"/>. A snapshot built after the actor stopped is still one of durable events.
    /// </summary>
    void Snapshot()
    {
        _sinceSnapshot = 0;
        _snapshotShots = _state.Shots.Count;
        _snapshotsTaken[SnapshotSequenceNr] = (System.Diagnostics.Stopwatch.GetTimestamp(), _snapshotShots);
        var (state, metadata, store, self, log) = (_state, new SnapshotMetadata(SnapshotterId, SnapshotSequenceNr, DateTime.UtcNow), SnapshotStore, Self, _log);
        _snapshotting = _snapshotting.ContinueWith(_ =>
        {
            try
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var snapshot = state.ToSnapshot();
                store.Tell(new SaveSnapshot(metadata, snapshot), self);
                log.Info("hephaestus: snapshot of {0} shots at {1} built in {2:F0} ms (off the actor's thread)", snapshot.Shots.Count, metadata.SequenceNr, watch.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) { log.Warning("hephaestus: snapshot at {0} not built: {1}", metadata.SequenceNr, e.Message); } // as a snapshot the store failed to save: the next one is due after as many events
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>A shot's notice: about its current spec revision, it frees the shot's slot (when terminal) and is recorded once; about an older one, ignored.</summary>
    void Outcome(string key, int revision, object notice)
    {
        if (!_state.Shots.TryGetValue(key, out var s) || s.Revision != revision) return;
        if (_active.Remove(key) | _admission.Remove(key)) Dispatch();
        Execute(notice, () => { });
    }

    /// <summary>An operator verb for one shot: unknown shots are refused, known ones get the command.</summary>
    void Forward(string key, object command, string ack)
    {
        if (!_state.Shots.TryGetValue(key, out var s)) { Sender.Tell(new CommandAck(key, false, $"unknown shot '{key}'")); return; }
        if (ShotStatus.IsTerminal(s.Status)) { Sender.Tell(new CommandAck(key, false, $"shot is {s.Status}")); return; }
        _shots.Tell(command);
        Sender.Tell(new CommandAck(key, true, ack));
    }

    // ---- admission: priorities and fair share ----

    void Start(ShotRecord s)
    {
        _heard[s.Key] = DateTime.UtcNow;
        _shots.Tell(new StartShot(s.Key, s.Spec, s.Priority, s.Revision));
        if (_state.ProductionOf(s.Key) is { } p && !_editing.ContainsKey(p.Production)) MaybeEdit(p.Production); // its edit may begin
    }

    /// <summary>A shot that should render: started now if the farm has room, else queued in admission order.</summary>
    void Admit(string key)
    {
        Enqueue(key);
        Dispatch();
    }

    /// <summary>
    /// Queues a shot for admission; an active one is told to start again at its current spec revision (an idempotent
    /// resume, or — for a revised spec — the new revision at once: the entity drops the old work).
    /// </summary>
    void Enqueue(string key)
    {
        if (_active.Contains(key)) { Start(_state.Shots[key]); return; }
        _admission.Add(_state.Shots[key]);
    }

    void Dispatch()
    {
        while (_active.Count < Math.Max(1, _env.Settings.MaxActiveShots) && _admission.Next() is { } next)
        {
            _active.Add(next);
            Start(_state.Shots[next]);
        }
    }

    /// <summary>
    /// Keeps the production's editor on the cut it needs: none when no edit is due (<see cref="HephaestusState.PlannedEdit"/>
    /// is null); one started as soon as an edit is due, while the shots still render (it mixes the sound and streams each
    /// shot as it is final), and told each shot that became final since; stopped when the cut changed (a shot revised,
    /// failed or cancelled, the production revised: its encode is cancelled), and a new one started for the new cut.
    /// Whatever the editor reports is recorded only if it is the cut the production needs then (<see cref="HephaestusState.Decide"/>).
    /// </summary>
    void MaybeEdit(string production)
    {
        var plan = _state.Productions.TryGetValue(production, out var p) ? _state.PlannedEdit(p) : null;
        if (_editing.TryGetValue(production, out var running))
        {
            if (plan is not null && running.Plan.SamePlan(plan))
            {
                if (!plan.Clips.SequenceEqual(running.Plan.Clips)) running.Editor.Tell(new EditShotsFinal(plan));
                _editing[production] = (running.Editor, plan);
                return;
            }
            _log.Info("production {0}: the cut changed, its edit in progress is stopped", production);
            Context.Stop(running.Editor);
            _editing.Remove(production);
        }
        // not for a production none of whose shots has started yet (a farm may hold many waiting for admission): Start looks again
        if (plan is null || !p!.ShotKeys.Any(k => _active.Contains(k) || _state.Shots.TryGetValue(k, out var s) && s.Status == ShotStatus.Completed)) return;
        _editing[production] = (Context.ActorOf(ProductionEditor.Props(plan, _env, Self)), plan);
    }

    /// <summary>The production's editor reported (and stops): a report from an editor stopped earlier leaves the current one.</summary>
    void EditorDone(string production)
    {
        if (_editing.TryGetValue(production, out var running) && running.Editor.Equals(Sender)) _editing.Remove(production);
    }
}
