using System.Collections.Immutable;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Queries;
using Talos.Messages.Specs;

namespace Talos.Actors.Hephaestus;

/// <summary>What a decision produced: the events to persist, in order, and the answer for whoever asked (null: none).</summary>
public sealed record Decision(IReadOnlyList<ITalosEvent> Events, object? Reply = null)
{
    public static readonly Decision None = new([]);
}

/// <summary>
/// The registry Hephaestus rebuilds from its journal (or a snapshot and the events after it): every admitted shot and
/// production. Immutable: <see cref="Apply"/> is the only way to a next state, and <see cref="Decide"/> turns a command
/// into the events to persist (and the reply) without touching anything, so both run without an actor system.
/// </summary>
public sealed record HephaestusState(ImmutableDictionary<string, ShotRecord> Shots, ImmutableDictionary<string, ProductionRecord> Productions)
{
    public static readonly HephaestusState Empty = new(ImmutableDictionary.Create<string, ShotRecord>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, ProductionRecord>(StringComparer.Ordinal));

    public static string KeyOf(ShotSpec spec) => Identifiers.ShotKey(spec.Production, spec.Id);

    // ---- state ----

    public HephaestusState Apply(ITalosEvent e) => e switch
    {
        ShotAdmitted a => WithShot(new ShotRecord(a.ShotKey, a.Spec)),
        ShotRevised r when Shots.TryGetValue(r.ShotKey, out var s) =>
            WithShot(s with { Spec = r.Spec, Revision = r.Revision, Status = ShotStatus.Queued, Reason = null }).EditFailureCleared(r.ShotKey),
        // An outcome counts only for the revision it is about (Decide persists no other; older journals are all revision 1).
        ShotOutcomeRecorded o when Shots.TryGetValue(o.ShotKey, out var s) && o.SpecRevision == s.Revision => WithShot(s with
        {
            Status = o.Status, Reason = o.Reason, OutcomeRevision = o.SpecRevision, FramesHash = o.FramesHash, VideoHash = o.VideoHash,
            ReportHash = o.ReportHash, QualityPassed = o.QualityPassed, Revisions = o.Revisions,
        }),
        ShotPriorityChanged c when Shots.TryGetValue(c.ShotKey, out var s) => WithShot(s with { Priority = c.Priority }),
        ShotRetryRequested r when Shots.TryGetValue(r.ShotKey, out var s) =>
            WithShot(s with { Status = ShotStatus.Rendering, Reason = null }).EditFailureCleared(r.ShotKey),
        ProductionAdmitted p => WithProduction(new ProductionRecord(p.Production, p.ShotKeys, p.AudioAsset, p.AudioOffsetSeconds, p.TransitionFrames)),
        ProductionRevised r when Productions.TryGetValue(r.Production, out var p) => WithProduction(p with
        {
            ShotKeys = r.ShotKeys, AudioAsset = r.AudioAsset, AudioOffsetSeconds = r.AudioOffsetSeconds, TransitionFrames = r.TransitionFrames,
            FilmCut = null, EditFailure = null,
        }),
        ProductionEdited d when Productions.TryGetValue(d.Production, out var p) => WithProduction(p with
        {
            FilmHash = d.FilmHash, FilmFrames = d.Frames, EditFailure = null, FilmCut = d.ShotRevisions ?? CurrentCut(p),
        }),
        ProductionEditFailed f when Productions.TryGetValue(f.Production, out var p) => WithProduction(p with { EditFailure = f.Reason }),
        _ => this,
    };

    public static HephaestusState Replay(IEnumerable<ITalosEvent> events) => events.Aggregate(Empty, (s, e) => s.Apply(e));

    HephaestusState WithShot(ShotRecord s) => this with { Shots = Shots.SetItem(s.Key, s) };
    HephaestusState WithProduction(ProductionRecord p) => this with { Productions = Productions.SetItem(p.Production, p) };

    /// <summary>The production a shot belongs to (its spec names it, and the production lists it), if any.</summary>
    public ProductionRecord? ProductionOf(string key) =>
        Shots.TryGetValue(key, out var s) && Productions.TryGetValue(s.Spec.Production, out var p) && p.ShotKeys.Contains(key) ? p : null;

    /// <summary>A shot rendering again (revised, retried): a failed edit of its production is forgotten, the next edit may run.</summary>
    HephaestusState EditFailureCleared(string key) =>
        ProductionOf(key) is { EditFailure: not null } p ? WithProduction(p with { EditFailure = null }) : this;

    public IEnumerable<ShotRecord> ShotsOf(ProductionRecord p) => p.ShotKeys.Select(k => Shots[k]);

    /// <summary>The spec revision of each of the production's shots now.</summary>
    public IReadOnlyDictionary<string, int> CurrentCut(ProductionRecord p) =>
        p.ShotKeys.Where(Shots.ContainsKey).ToDictionary(k => k, k => Shots[k].Revision, StringComparer.Ordinal);

    /// <summary>The film was cut from the shot list and sound the production has now and each shot's latest revision.</summary>
    public bool FilmIsCurrent(ProductionRecord p) =>
        p.FilmHash is not null && p.FilmCut is { } cut && cut.Count == p.ShotKeys.Count
        && p.ShotKeys.All(k => cut.TryGetValue(k, out var r) && Shots.TryGetValue(k, out var s) && s.Revision == r);

    /// <summary>
    /// The edit the production needs now, or null: every shot completed at its latest revision, and the film (if any) cut
    /// from something else. A failed edit waits for a retry or a revision of one of its shots.
    /// </summary>
    public EditJob? PendingEdit(ProductionRecord p)
    {
        if (p.EditFailure is not null || FilmIsCurrent(p)) return null;
        var shots = ShotsOf(p).ToList();
        if (shots.Count == 0 || !shots.All(s => s.Status == ShotStatus.Completed && s.OutcomeRevision == s.Revision)) return null;
        return new EditJob(p.Production, shots.Select(s => new EditClip(s.Spec.Id, s.FramesHash!, s.Spec.Transition, s.Spec.Fps, s.Key, s.Revision, s.Spec)).ToList(),
            p.AudioAsset, p.AudioOffsetSeconds, p.TransitionFrames, shots[0].Spec.Delivery, shots[0].Spec.Loudness ?? Limits.DefaultLoudness);
    }

    /// <summary>
    /// The edit the production will need once its shots are final, or null: as <see cref="PendingEdit"/> will make it, with
    /// an empty frames hash for each shot not completed at its latest revision yet; null when no edit is due (the film is
    /// current, an edit failed) or none can be (a shot failed or was cancelled). The editor starts from it while the shots
    /// render: it mixes the sound, and streams the frames of each shot as it is final.
    /// </summary>
    public EditJob? PlannedEdit(ProductionRecord p)
    {
        if (p.EditFailure is not null || FilmIsCurrent(p)) return null;
        if (!p.ShotKeys.All(Shots.ContainsKey)) return null;
        var shots = ShotsOf(p).ToList();
        if (shots.Count == 0 || shots.Any(s => s.Status is ShotStatus.Failed or ShotStatus.Cancelled)) return null;
        static bool Final(ShotRecord s) => s.Status == ShotStatus.Completed && s.OutcomeRevision == s.Revision;
        return new EditJob(p.Production, shots.Select(s => new EditClip(s.Spec.Id, Final(s) ? s.FramesHash! : "", s.Spec.Transition, s.Spec.Fps, s.Key, s.Revision, s.Spec)).ToList(),
            p.AudioAsset, p.AudioOffsetSeconds, p.TransitionFrames, shots[0].Spec.Delivery, shots[0].Spec.Loudness ?? Limits.DefaultLoudness);
    }

    /// <summary>rendering | editing | completed | failed | cancelled. A production re-editing after a revision is rendering or editing, not completed.</summary>
    public string StatusOf(ProductionRecord p, out string? reason)
    {
        reason = null;
        var shots = ShotsOf(p).ToList();
        var failed = shots.FirstOrDefault(s => s.Status == ShotStatus.Failed);
        if (failed is not null) { reason = $"shot {failed.Spec.Id}: {failed.Reason}"; return ShotStatus.Failed; }
        if (shots.Any(s => s.Status == ShotStatus.Cancelled)) { reason = "a shot was cancelled"; return ShotStatus.Cancelled; }
        if (p.EditFailure is not null) { reason = "edit: " + p.EditFailure; return ShotStatus.Failed; }
        if (FilmIsCurrent(p)) return ShotStatus.Completed;
        return shots.All(s => s.Status == ShotStatus.Completed) ? "editing" : ShotStatus.Rendering;
    }

    /// <summary>A shot as queries show it: the registry's record, with the status the actor holds for it and the stage progress it last reported.</summary>
    public static ShotView View(ShotRecord s, string status, IReadOnlyDictionary<string, StageProgress>? stages) =>
        new(s.Key, s.Spec.Id, s.Spec.Production, s.Spec.Sequence, s.Spec.Title, s.Spec.FrameCount, s.Spec.Fps,
            status, s.Reason,
            stages ?? ImmutableDictionary<string, StageProgress>.Empty, s.FramesHash, s.VideoHash, s.ReportHash, s.QualityPassed, s.Revisions,
            s.Spec.Transition, s.Revision);

    public ProductionView View(ProductionRecord p, Func<ShotRecord, ShotView> shotView)
    {
        var status = StatusOf(p, out var reason);
        var shots = ShotsOf(p).ToList();
        return new ProductionView(p.Production, status, reason, shots.Select(shotView).ToList(), p.FilmHash, p.FilmFrames,
            shots.Count == 0 ? "sdr" : shots[0].Spec.Delivery, p.TransitionFrames, p.AudioAsset, p.AudioOffsetSeconds);
    }

    // ---- snapshots ----

    /// <summary>
    /// Whether Hephaestus should save a snapshot after <paramref name="sinceSnapshot"/> journalled events, the last one
    /// (saved or recovered from; 0 if none) holding <paramref name="snapshotShots"/> shots: after at least
    /// <paramref name="every"/> events (0: never) and at least as many as that snapshot held shots. A snapshot is the
    /// whole registry, so saving one every fixed count of events costs O(shots) per that many events: admitting 100,000
    /// shots with one every 500 events wrote 200 snapshots of up to 100,000 shots (O(n²) in all), and admission slowed
    /// as the registry grew. Waiting for as many events as the last snapshot held makes the snapshots' cost O(1) per
    /// event (while the registry grows they double: 500, 1,000, 2,000, … shots), and recovery still reads one snapshot
    /// and at most max(<paramref name="every"/>, its shots) events after it: at most about twice one snapshot's read.
    /// </summary>
    public static bool SnapshotDue(int sinceSnapshot, int snapshotShots, int every) => every > 0 && sinceSnapshot >= Math.Max(every, snapshotShots);

    public HephaestusSnapshot ToSnapshot() => new(
        Shots.Values.OrderBy(s => s.Key, StringComparer.Ordinal).ToList(),
        Productions.Values.OrderBy(p => p.Production, StringComparer.Ordinal).ToList());

    public static HephaestusState FromSnapshot(HephaestusSnapshot snapshot) => Empty with
    {
        Shots = Empty.Shots.AddRange(snapshot.Shots.Select(s => KeyValuePair.Create(s.Key, s))),
        Productions = Empty.Productions.AddRange(snapshot.Productions.Select(p => KeyValuePair.Create(p.Production, p))),
    };

    // ---- decisions ----

    /// <summary>
    /// A command → the events it makes (persisted by the actor, then applied) and the reply. Pure: the same state and
    /// command give the same decision (<paramref name="now"/> stamps the events). Commands that change nothing decide
    /// no events: an identical resubmission, a duplicate or stale notice (one about an older spec revision), a film cut
    /// from anything but the production's shots at their latest completed revisions.
    /// </summary>
    public static Decision Decide(HephaestusState state, object command, DateTimeOffset now) => command switch
    {
        SubmitShot c => state.DecideSubmitShot(c, now),
        SubmitProduction c => state.DecideSubmitProduction(c, now),
        ShotFinished f => state.DecideOutcome(f.ShotKey, f.SpecRevision, new ShotOutcomeRecorded(f.ShotKey, ShotStatus.Completed, null,
            f.FramesHash, f.VideoHash, f.ReportHash, f.QualityPassed, f.Revisions, now, f.SpecRevision)),
        ShotFailedNotice f => state.DecideOutcome(f.ShotKey, f.SpecRevision, new ShotOutcomeRecorded(f.ShotKey, ShotStatus.Failed, f.Reason,
            null, null, null, null, 0, now, f.SpecRevision)),
        ShotCancelledNotice c => state.DecideOutcome(c.ShotKey, c.SpecRevision, new ShotOutcomeRecorded(c.ShotKey, ShotStatus.Cancelled, "cancelled",
            null, null, null, null, 0, now, c.SpecRevision)),
        RetryShot r => state.DecideRetry(r, now),
        SetShotPriority p => state.Shots.ContainsKey(p.ShotKey)
            ? new Decision([new ShotPriorityChanged(p.ShotKey, p.Priority, p.By, now)], new CommandAck(p.ShotKey, true, $"priority {p.Priority}"))
            : new Decision([], new CommandAck(p.ShotKey, false, $"unknown shot '{p.ShotKey}'")),
        FilmEdited d => state.Productions.TryGetValue(d.Production, out var p) && state.PendingEdit(p) is { } job && job.SameCut(d.Job)
            ? new Decision([new ProductionEdited(d.Production, d.FilmHash, d.Frames, now, job.ShotRevisions())])
            : Decision.None,
        FilmEditFailed f => state.Productions.TryGetValue(f.Production, out var p) && state.PendingEdit(p) is { } job && job.SameCut(f.Job)
            ? new Decision([new ProductionEditFailed(f.Production, f.Reason, now)])
            : Decision.None,
        _ => throw new ArgumentException($"Hephaestus has no decision for {command.GetType().Name}"),
    };

    Decision DecideSubmitShot(SubmitShot cmd, DateTimeOffset now)
    {
        var key = KeyOf(cmd.Spec);
        var accepted = new SubmitAccepted(cmd.Spec.Production, [key]);
        if (!Shots.TryGetValue(key, out var s)) return new Decision([new ShotAdmitted(key, cmd.Spec, now)], accepted);
        var changes = SpecChanges.Between(s.Spec, cmd.Spec);
        if (changes.Count == 0) return new Decision([], accepted);
        if (ProductionOf(key) is { } p && ShotsOf(p).FirstOrDefault(o => o.Key != key && o.Spec.Delivery != cmd.Spec.Delivery) is { } other)
            return new Decision([], new SubmitRejected(
                $"shot '{key}' asks for delivery {cmd.Spec.Delivery}, but shot '{other.Key}' of production '{p.Production}' has {other.Spec.Delivery}: the film is one file"));
        return new Decision([new ShotRevised(key, s.Revision + 1, cmd.Spec, changes, now)], accepted);
    }

    Decision DecideSubmitProduction(SubmitProduction cmd, DateTimeOffset now)
    {
        if (cmd.Shots.Count == 0) return new Decision([], new SubmitRejected("a production needs at least one shot"));
        var keys = cmd.Shots.Select(KeyOf).ToList();
        if (keys.Distinct().Count() != keys.Count) return new Decision([], new SubmitRejected("shot ids in a production must be unique"));
        if (cmd.Shots.Any(s => s.Production != cmd.Production))
            return new Decision([], new SubmitRejected($"every shot of production '{cmd.Production}' must name it as its production"));
        if (cmd.Shots.Select(s => s.Delivery).Distinct().ToList() is { Count: > 1 } deliveries)
            return new Decision([], new SubmitRejected(
                $"every shot of production '{cmd.Production}' must have the same delivery (found {string.Join(", ", deliveries)}): the film is one file"));

        var events = new List<ITalosEvent>();
        for (int i = 0; i < keys.Count; i++)
        {
            if (!Shots.TryGetValue(keys[i], out var s)) events.Add(new ShotAdmitted(keys[i], cmd.Shots[i], now));
            else if (SpecChanges.Between(s.Spec, cmd.Shots[i]) is { Count: > 0 } changes)
                events.Add(new ShotRevised(keys[i], s.Revision + 1, cmd.Shots[i], changes, now));
        }
        if (!Productions.TryGetValue(cmd.Production, out var p))
            events.Add(new ProductionAdmitted(cmd.Production, keys, cmd.AudioAsset, cmd.AudioOffsetSeconds, cmd.TransitionFrames, now));
        else if (!p.ShotKeys.SequenceEqual(keys) || p.AudioAsset != cmd.AudioAsset || p.AudioOffsetSeconds != cmd.AudioOffsetSeconds
                 || p.TransitionFrames != cmd.TransitionFrames)
            events.Add(new ProductionRevised(cmd.Production, keys, cmd.AudioAsset, cmd.AudioOffsetSeconds, cmd.TransitionFrames, now));
        return new Decision(events, new SubmitAccepted(cmd.Production, keys));
    }

    /// <summary>A shot's outcome counts only for its current spec revision (a late finish of revision 1 must not complete revision 2), and once.</summary>
    Decision DecideOutcome(string key, int revision, ShotOutcomeRecorded outcome)
    {
        if (!Shots.TryGetValue(key, out var s) || revision != s.Revision) return Decision.None;
        if (s.OutcomeRevision == revision && (s.Status == ShotStatus.Completed
            || (s.Status == outcome.Status && s.FramesHash == outcome.FramesHash && s.Reason == outcome.Reason)))
            return Decision.None; // already known; a completed revision stays completed (only a new revision renders it again)
        return new Decision([outcome]);
    }

    Decision DecideRetry(RetryShot cmd, DateTimeOffset now)
    {
        if (!Shots.TryGetValue(cmd.ShotKey, out var s)) return new Decision([], new CommandAck(cmd.ShotKey, false, $"unknown shot '{cmd.ShotKey}'"));
        if (s.Status is not (ShotStatus.Failed or ShotStatus.Cancelled))
            return new Decision([], new CommandAck(cmd.ShotKey, false, $"shot is {s.Status}; only failed or cancelled shots can be retried"));
        return new Decision([new ShotRetryRequested(cmd.ShotKey, cmd.By, now)], new CommandAck(cmd.ShotKey, true, "retry requested"));
    }
}
