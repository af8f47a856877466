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
/// </summary>
public sealed class HephaestusActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;
    /// <summary>When each active shot last reported; a shot silent since it was started is started again (idempotent).</summary>
    readonly Dictionary<string, DateTime> _heard = new();
    sealed class Kick : INoSerializationVerificationNeeded { public static readonly Kick Instance = new(); }
    sealed class PublishMetrics : INoSerializationVerificationNeeded { public static readonly PublishMetrics Instance = new(); }

    readonly IActorRef _shots;
    readonly TalosEnvironment _env;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly HephaestusState _state = new();
    readonly HashSet<string> _editing = new();
    /// <summary>Shots told to render (or found rendering), at most MaxActiveShots; the rest wait in <see cref="_waiting"/>.</summary>
    readonly HashSet<string> _active = new();
    readonly HashSet<string> _waiting = new();
    readonly AdmissionQueue _admission = new();

    public override string PersistenceId => "hephaestus";

    public HephaestusActor(IActorRef shotRegion, TalosEnvironment env)
    {
        _shots = shotRegion; _env = env;

        Recover<ITalosEvent>(_state.Apply);
        Recover<RecoveryCompleted>(_ =>
        {
            Timers.StartPeriodicTimer("kick", Kick.Instance, TimeSpan.FromSeconds(5));
            // Shot statuses for /metrics once a second, not after every message (progress reports arrive per chunk).
            Timers.StartPeriodicTimer("metrics", PublishMetrics.Instance, TimeSpan.FromSeconds(1));
            Hosting.TalosMetrics.Shots(_state.Shots.Values.Select(s => s.Status));
            // Resume everything unfinished: a restarted cluster picks up where it stopped.
            foreach (var s in _state.Shots.Values.Where(s => !ShotStatus.IsTerminal(s.Status))) Enqueue(s.Key);
            Dispatch(); // once all are queued, so admission orders them by priority and fair share
            foreach (var p in _state.Productions.Values) MaybeEdit(p);
        });

        Command<SubmitShot>(OnSubmitShot);
        Command<SubmitProduction>(OnSubmitProduction);
        Command<ShotProgress>(p =>
        {
            if (!_state.Shots.TryGetValue(p.ShotKey, out var s)) return;
            _heard[p.ShotKey] = DateTime.UtcNow;
            s.Stages = p.Stages;
            if (!ShotStatus.IsTerminal(s.Status) && p.Status is ShotStatus.Rendering or ShotStatus.Paused)
            {
                s.Status = p.Status;
                // A shot renders without being started from here (a remembered entity restarted after a crash): count it.
                _waiting.Remove(p.ShotKey);
                _active.Add(p.ShotKey);
            }
        });
        Command<SetShotPriority>(OnSetPriority);
        Command<PublishMetrics>(_ => Hosting.TalosMetrics.Shots(_state.Shots.Values.Select(s => s.Status)));
        // A StartShot can be lost when the node that would host the shot dies before the shot persisted anything (it is
        // then not yet a remembered entity): active shots that have not reported since they were started get it again.
        Command<Kick>(_ =>
        {
            var quiet = DateTime.UtcNow - TimeSpan.FromSeconds(10);
            foreach (var key in _active.Where(k => _state.Shots[k].Status == ShotStatus.Queued && _heard.GetValueOrDefault(k) < quiet).ToList())
            {
                var s = _state.Shots[key];
                _heard[key] = DateTime.UtcNow;
                _shots.Tell(new StartShot(key, s.Spec, s.Priority));
            }
        });
        Command<ShotFinished>(f => Record(new ShotOutcomeRecorded(f.ShotKey, ShotStatus.Completed, null, f.FramesHash, f.VideoHash,
            f.ReportHash, f.QualityPassed, f.Revisions, DateTimeOffset.UtcNow)));
        Command<ShotFailedNotice>(f => Record(new ShotOutcomeRecorded(f.ShotKey, ShotStatus.Failed, f.Reason, null, null, null, null, 0, DateTimeOffset.UtcNow)));
        Command<ShotCancelledNotice>(c => Record(new ShotOutcomeRecorded(c.ShotKey, ShotStatus.Cancelled, "cancelled", null, null, null, null, 0, DateTimeOffset.UtcNow)));
        Command<RetryShot>(OnRetry);
        Command<PauseShot>(c =>
        {
            if (_waiting.Contains(c.ShotKey)) { Sender.Tell(new CommandAck(c.ShotKey, false, "shot is waiting for admission, not rendering; cancel it or change its priority")); return; }
            Forward(c.ShotKey, new PauseShotEntity(c.ShotKey), "pause requested");
        });
        Command<ResumeShot>(c => Forward(c.ShotKey, new ResumeShotEntity(c.ShotKey), "resume requested"));
        Command<CancelShot>(c =>
        {
            if (_waiting.Contains(c.ShotKey))
            {
                // Not started from here: cancelled where it waits (and its entity told, in case it renders from before a restart).
                _shots.Tell(new CancelShotEntity(c.ShotKey));
                Record(new ShotOutcomeRecorded(c.ShotKey, ShotStatus.Cancelled, "cancelled", null, null, null, null, 0, DateTimeOffset.UtcNow));
                Sender.Tell(new CommandAck(c.ShotKey, true, "cancelled while waiting for admission"));
                return;
            }
            Forward(c.ShotKey, new CancelShotEntity(c.ShotKey), "cancel requested");
        });
        Command<FilmEdited>(OnFilmEdited);
        Command<FilmEditFailed>(f => Persist(new ProductionEditFailed(f.Production, f.Reason, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e); _editing.Remove(f.Production);
            _log.Warning("production {0}: edit failed: {1}", f.Production, f.Reason);
        }));

        Command<GetShot>(q => Sender.Tell(_state.Shots.TryGetValue(q.ShotKey, out var s) ? s.View() : new ShotNotFound(q.ShotKey)));
        Command<ListShots>(q => Sender.Tell(new ShotListing(_state.Shots.Values
            .Where(s => q.Production is null || s.Spec.Production == q.Production)
            .OrderBy(s => s.Spec.Production).ThenBy(s => s.Spec.Sequence).Select(s => s.View()).ToList())));
        Command<GetProduction>(q => Sender.Tell(_state.Productions.TryGetValue(q.Production, out var p)
            ? _state.View(p) : new ProductionNotFound(q.Production)));
    }

    protected override void PostStop() => Hosting.TalosMetrics.Shots(null);

    public static Props Props(IActorRef shotRegion, TalosEnvironment env) =>
        Akka.Actor.Props.Create(() => new HephaestusActor(shotRegion, env));

    /// <summary>An operator verb for one shot: unknown shots are refused, known ones get the command.</summary>
    void Forward(string key, object command, string ack)
    {
        if (!_state.Shots.TryGetValue(key, out var s)) { Sender.Tell(new CommandAck(key, false, $"unknown shot '{key}'")); return; }
        if (ShotStatus.IsTerminal(s.Status)) { Sender.Tell(new CommandAck(key, false, $"shot is {s.Status}")); return; }
        _shots.Tell(command);
        Sender.Tell(new CommandAck(key, true, ack));
    }

    void OnSubmitShot(SubmitShot cmd)
    {
        var key = HephaestusState.KeyOf(cmd.Spec);
        if (_state.Shots.TryGetValue(key, out var existing))
        {
            if (!ShotStatus.IsTerminal(existing.Status)) Admit(key);
            Sender.Tell(new SubmitAccepted(cmd.Spec.Production, [key]));
            return;
        }
        var sender = Sender;
        Persist(new ShotAdmitted(key, cmd.Spec, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            Admit(key);
            sender.Tell(new SubmitAccepted(cmd.Spec.Production, [key]));
        });
    }

    void OnSubmitProduction(SubmitProduction cmd)
    {
        if (cmd.Shots.Count == 0) { Sender.Tell(new SubmitRejected("a production needs at least one shot")); return; }
        var keys = cmd.Shots.Select(HephaestusState.KeyOf).ToList();
        if (keys.Distinct().Count() != keys.Count) { Sender.Tell(new SubmitRejected("shot ids in a production must be unique")); return; }
        if (cmd.Shots.Any(s => s.Production != cmd.Production))
        { Sender.Tell(new SubmitRejected($"every shot of production '{cmd.Production}' must name it as its production")); return; }
        if (cmd.Shots.Select(s => s.Delivery).Distinct().ToList() is { Count: > 1 } deliveries)
        { Sender.Tell(new SubmitRejected($"every shot of production '{cmd.Production}' must have the same delivery (found {string.Join(", ", deliveries)}): the film is one file")); return; }

        if (_state.Productions.TryGetValue(cmd.Production, out var existing))
        {
            // Same production again (a second `talos render` on the same work dir): resume, don't restart.
            foreach (var s in _state.ShotsOf(existing).Where(s => !ShotStatus.IsTerminal(s.Status))) Enqueue(s.Key);
            Dispatch();
            MaybeEdit(existing);
            Sender.Tell(new SubmitAccepted(cmd.Production, existing.Admitted.ShotKeys));
            return;
        }

        var events = new List<ITalosEvent>();
        for (int i = 0; i < cmd.Shots.Count; i++)
            if (!_state.Shots.ContainsKey(keys[i])) events.Add(new ShotAdmitted(keys[i], cmd.Shots[i], DateTimeOffset.UtcNow));
        events.Add(new ProductionAdmitted(cmd.Production, keys, cmd.AudioAsset, cmd.AudioOffsetSeconds, cmd.TransitionFrames, DateTimeOffset.UtcNow));
        var sender = Sender;
        PersistAll(events, _state.Apply);
        DeferAsync(events, _ =>
        {
            foreach (var key in keys.Where(k => !ShotStatus.IsTerminal(_state.Shots[k].Status))) Enqueue(key);
            Dispatch();
            sender.Tell(new SubmitAccepted(cmd.Production, keys));
        });
    }

    void OnRetry(RetryShot cmd)
    {
        if (!_state.Shots.TryGetValue(cmd.ShotKey, out var s)) { Sender.Tell(new CommandAck(cmd.ShotKey, false, $"unknown shot '{cmd.ShotKey}'")); return; }
        if (s.Status is not (ShotStatus.Failed or ShotStatus.Cancelled))
        { Sender.Tell(new CommandAck(cmd.ShotKey, false, $"shot is {s.Status}; only failed or cancelled shots can be retried")); return; }
        var sender = Sender;
        Persist(new ShotRetryRequested(cmd.ShotKey, cmd.By, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            _waiting.Remove(cmd.ShotKey);
            _active.Add(cmd.ShotKey); // the operator asked: it renders now
            _shots.Tell(new RetryShotEntity(cmd.ShotKey));
            sender.Tell(new CommandAck(cmd.ShotKey, true, "retry requested"));
        });
    }

    // ---- admission: priorities and fair share ----

    /// <summary>A shot that should render: started now if the farm has room, else queued in admission order.</summary>
    void Admit(string key)
    {
        Enqueue(key);
        Dispatch();
    }

    /// <summary>Queues a shot for admission (an active one is told to start again: an idempotent resume); <see cref="Dispatch"/> starts shots.</summary>
    void Enqueue(string key)
    {
        if (_active.Contains(key)) { var s = _state.Shots[key]; _shots.Tell(new StartShot(key, s.Spec, s.Priority)); return; }
        _waiting.Add(key);
    }

    void Dispatch()
    {
        while (_active.Count < Math.Max(1, _env.Settings.MaxActiveShots) && _admission.Next(_waiting.Select(k => _state.Shots[k])) is { } next)
        {
            _waiting.Remove(next.Key);
            _active.Add(next.Key);
            _heard[next.Key] = DateTime.UtcNow;
            _shots.Tell(new StartShot(next.Key, next.Spec, next.Priority));
        }
    }

    void OnSetPriority(SetShotPriority cmd)
    {
        if (!_state.Shots.ContainsKey(cmd.ShotKey)) { Sender.Tell(new CommandAck(cmd.ShotKey, false, $"unknown shot '{cmd.ShotKey}'")); return; }
        var sender = Sender;
        Persist(new ShotPriorityChanged(cmd.ShotKey, cmd.Priority, cmd.By, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            var s = _state.Shots[cmd.ShotKey];
            // A rendering shot hands its next stages' chunks out at the new priority.
            if (_active.Contains(cmd.ShotKey) && !ShotStatus.IsTerminal(s.Status)) _shots.Tell(new StartShot(s.Key, s.Spec, s.Priority));
            _log.Info("shot {0}: priority {1} (set by {2})", cmd.ShotKey, cmd.Priority, cmd.By);
            sender.Tell(new CommandAck(cmd.ShotKey, true, $"priority {cmd.Priority}"));
        });
    }

    void Record(ShotOutcomeRecorded outcome)
    {
        if (!_state.Shots.TryGetValue(outcome.ShotKey, out var s)) return;
        if (ShotStatus.IsTerminal(outcome.Status) && (_active.Remove(outcome.ShotKey) | _waiting.Remove(outcome.ShotKey))) Dispatch();
        if (s.Status == outcome.Status && s.FramesHash == outcome.FramesHash && s.Reason == outcome.Reason) return; // already known
        Persist(outcome, e =>
        {
            _state.Apply(e);
            foreach (var p in _state.Productions.Values.Where(p => p.Admitted.ShotKeys.Contains(outcome.ShotKey))) MaybeEdit(p);
        });
    }

    void MaybeEdit(ProductionRecord p)
    {
        if (p.FilmHash is not null || p.EditFailure is not null || _editing.Contains(p.Admitted.Production)) return;
        var shots = _state.ShotsOf(p).ToList();
        if (!shots.All(s => s.Status == ShotStatus.Completed)) return;
        _editing.Add(p.Admitted.Production);
        var job = new EditJob(p.Admitted.Production, shots.Select(s => new EditClip(s.Spec.Id, s.FramesHash!, s.Spec.Transition, s.Spec.Fps)).ToList(),
            p.Admitted.AudioAsset, p.Admitted.AudioOffsetSeconds, p.Admitted.TransitionFrames, shots[0].Spec.Delivery);
        Context.ActorOf(ProductionEditor.Props(job, _env, Self));
    }

    void OnFilmEdited(FilmEdited done)
    {
        Persist(new ProductionEdited(done.Production, done.FilmHash, done.Frames, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            _editing.Remove(done.Production);
            _log.Info("production {0}: film {1} ({2} frames)", done.Production, done.FilmHash, done.Frames);
        });
    }
}
