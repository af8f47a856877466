using System.Collections.Immutable;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Events;
using Talos.Messages.Specs;

namespace Talos.Actors.Shots;

/// <summary>A chunk the journal has recorded.</summary>
public sealed record RecordedChunk(string Hash, int FrameCount, string? Note, bool Reused = false);

/// <summary>
/// The shot's state, rebuilt from its journal (or a snapshot of it). Immutable: <see cref="Apply"/> is a pure function
/// from a state and an event to the next state, used for events being persisted and events being recovered alike; what
/// to journal is decided by the pure functions of <see cref="ShotDecisions"/>.
/// </summary>
public sealed record ShotState
{
    static readonly ImmutableSortedDictionary<int, RecordedChunk> NoChunks = ImmutableSortedDictionary<int, RecordedChunk>.Empty;

    public ShotSpec? Spec { get; init; }
    public string Status { get; init; } = ShotStatus.Queued;
    public string? FailReason { get; init; }
    /// <summary>ECHO's correction round (0 until ECHO sends frames back).</summary>
    public int Revision { get; init; }
    /// <summary>The spec revision being rendered (1 for the first spec; Hephaestus numbers the edits).</summary>
    public int SpecRevision { get; init; } = 1;
    public ImmutableSortedDictionary<int, float> FrameGains { get; init; } = ImmutableSortedDictionary<int, float>.Empty;
    public ImmutableSortedDictionary<string, ImmutableSortedDictionary<int, RecordedChunk>> Chunks { get; init; } =
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<int, RecordedChunk>>.Empty.WithComparers(StringComparer.Ordinal);
    public ImmutableSortedSet<string> StagesDone { get; init; } = ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    /// <summary>Nodes that kept failing this shot's chunks: its stages hand them no more work while others serve.</summary>
    public ImmutableSortedSet<string> AvoidedNodes { get; init; } = ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    /// <summary>Failed chunk attempts per node (bad input not counted: it fails everywhere).</summary>
    public ImmutableSortedDictionary<string, int> NodeFailures { get; init; } = ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);
    public ShotRenderCompleted? Result { get; init; }
    /// <summary>Scheduling priority (Hephaestus journals the operator's change; the shot journals what it was started with).</summary>
    public int Priority { get; init; }
    /// <summary>Events applied since the shot began (what the snapshot interval counts).</summary>
    public long Events { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsTerminal => ShotStatus.IsTerminal(Status);

    public ImmutableSortedDictionary<int, RecordedChunk> ChunksOf(string stage) => Chunks.TryGetValue(stage, out var d) ? d : NoChunks;

    ShotState WithChunks(string stage, Func<ImmutableSortedDictionary<int, RecordedChunk>, ImmutableSortedDictionary<int, RecordedChunk>> change) =>
        this with { Chunks = Chunks.SetItem(stage, change(ChunksOf(stage))) };

    public ShotState Apply(ITalosEvent e)
    {
        var next = e switch
        {
            ShotStarted s => this with { Spec = s.Spec, SpecRevision = s.SpecRevision, Status = ShotStatus.Rendering },
            // A new spec: everything recorded belongs to the old one (what is unchanged comes back as reused chunks).
            ShotSpecRevised r => this with
            {
                Spec = r.Spec, SpecRevision = r.Revision, Status = ShotStatus.Rendering, FailReason = null, Result = null, Revision = 0,
                FrameGains = FrameGains.Clear(), Chunks = Chunks.Clear(), StagesDone = StagesDone.Clear(),
            },
            ChunkCompleted c => WithChunks(c.Stage, d => d.SetItem(c.Chunk, new RecordedChunk(c.Hash, c.FrameCount, c.Note, c.Reused))),
            ChunkAttemptRecorded f when f.Kind != ChunkFailureKind.BadInput =>
                this with { NodeFailures = NodeFailures.SetItem(f.Node, NodeFailures.GetValueOrDefault(f.Node) + 1) },
            ShotPriorityChanged p => this with { Priority = p.Priority },
            ShotNodeAvoided a => this with { AvoidedNodes = AvoidedNodes.Add(a.Node) },
            StageCompleted s => this with { StagesDone = StagesDone.Add(s.Stage) },
            RevisionRequested r => (this with
            {
                Revision = r.Round,
                FrameGains = FrameGains.SetItems(r.FrameGains),
                StagesDone = StagesDone.Remove(Stages.Anima).Remove(Stages.Cuttura).Remove(Stages.Echo),
            }).WithChunks(Stages.Anima, d => d.RemoveRange(r.AnimaChunks)).WithChunks(Stages.Cuttura, d => d.Clear()).WithChunks(Stages.Echo, d => d.Clear()),
            ShotRenderFailed f => this with { Status = ShotStatus.Failed, FailReason = f.Reason },
            ShotRenderRetried => this with { Status = ShotStatus.Rendering, FailReason = null },
            ShotRenderCancelled => this with { Status = ShotStatus.Cancelled },
            ShotRenderPaused => this with { Status = ShotStatus.Paused },
            ShotRenderResumed => this with { Status = ShotStatus.Rendering },
            ShotRenderCompleted done => this with { Status = ShotStatus.Completed, Result = done },
            _ => this,
        };
        return next with { Events = Events + 1 };
    }

    /// <summary>Per-stage progress in frames and chunks for the given plans.</summary>
    public IReadOnlyDictionary<string, StageProgress> Progress(IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> plans)
    {
        var result = new Dictionary<string, StageProgress>();
        foreach (var (stage, plan) in plans)
        {
            var done = ChunksOf(stage);
            int doneFrames = plan.Where(p => done.ContainsKey(p.Chunk)).Sum(p => p.FrameCount);
            result[stage] = new StageProgress(doneFrames, plan.Sum(p => p.FrameCount), plan.Count(p => done.ContainsKey(p.Chunk)), plan.Count);
        }
        return result;
    }
}

/// <summary>
/// The shot's decisions as pure functions: from the state, a command and the facts the entity knows (its stage plans,
/// the settings), the events to journal. The entity persists them, applies them with <see cref="ShotState.Apply"/> and
/// does the side effects (agents, reports); tests call these without an actor system.
/// </summary>
public static class ShotDecisions
{
    /// <summary>Hephaestus says render <paramref name="cmd"/>: journal the priority it brings, the first spec or a new revision.</summary>
    public static IReadOnlyList<ITalosEvent> Start(ShotState s, StartShot cmd, DateTimeOffset now)
    {
        var events = new List<ITalosEvent>();
        if (s.Spec is not null && cmd.SpecRevision < s.SpecRevision) return events; // a stale start of an older revision
        if (cmd.Priority != s.Priority && !s.IsTerminal) events.Add(new ShotPriorityChanged(cmd.ShotKey, cmd.Priority, "hephaestus", now));
        if (s.Spec is null) events.Add(new ShotStarted(cmd.Spec, now, cmd.SpecRevision));
        else if (cmd.SpecRevision > s.SpecRevision) events.Add(new ShotSpecRevised(cmd.SpecRevision, cmd.Spec, SpecChanges.Between(s.Spec, cmd.Spec), now));
        return events;
    }

    /// <summary>
    /// Chunk results taken in since the last write: each recorded (once), each stage whose plan they complete completed,
    /// and after ECHO's last chunk either a bounded correction round or the shot's completion.
    /// </summary>
    public static IReadOnlyList<ITalosEvent> Record(ShotState s, IReadOnlyList<ChunkDone> arrived,
        IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> plans, int maxRevisions, DateTimeOffset now)
    {
        var events = new List<ITalosEvent>();
        if (s.Status != ShotStatus.Rendering) return events; // paused or cancelled since: not recorded
        var inBatch = new HashSet<(string Stage, int Chunk)>();
        foreach (var done in arrived)
        {
            var recorded = s.ChunksOf(done.Stage);
            if (recorded.ContainsKey(done.Chunk) || !inBatch.Add((done.Stage, done.Chunk))) continue;
            events.Add(new ChunkCompleted(done.Stage, done.Chunk, done.ManifestHash, done.FrameCount, done.Note, done.Node, done.Attempt, done.LogHash, done.Reused));
            if (!plans.TryGetValue(done.Stage, out var plan) || !plan.All(p => recorded.ContainsKey(p.Chunk) || inBatch.Contains((done.Stage, p.Chunk)))) continue;
            if (done.Stage == Stages.Echo) events.AddRange(AfterEcho(s, done, plans, maxRevisions, now));
            else events.Add(new StageCompleted(done.Stage));
        }
        return events;
    }

    static IEnumerable<ITalosEvent> AfterEcho(ShotState s, ChunkDone done, IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> plans, int maxRevisions, DateTimeOffset now)
    {
        var echo = Notes.Read<EchoOutcome>(done.Note, "ECHO");
        if (!echo.Passed && echo.Correctable && s.Revision < maxRevisions && echo.FailingFrames.Count > 0)
        {
            var chunks = plans[Stages.Anima]
                .Where(p => echo.FailingFrames.Any(f => f >= p.FirstFrame && f < p.FirstFrame + p.FrameCount))
                .Select(p => p.Chunk).ToList();
            return [new RevisionRequested(s.Revision + 1, chunks, echo.Gains, echo.Summary)];
        }
        var cut = Notes.Read<CutOutcome>(s.ChunksOf(Stages.Cuttura)[0].Note, "CUTTURA");
        // ECHO's repaired frames are what the shot delivers; the repair is journalled with the findings it answered.
        // (a note written before review clips were made on demand also names the repaired clip; newer ones leave it null)
        if (echo is { RepairedFramesHash: { } frames, Repairs: { Count: > 0 } repairs })
            return [new ShotFramesRepaired(s.Revision, repairs, frames, echo.RepairedVideoHash, now), new StageCompleted(Stages.Echo),
                new ShotRenderCompleted(frames, echo.RepairedVideoHash, echo.ReportHash, echo.Passed, now)];
        return [new StageCompleted(Stages.Echo), new ShotRenderCompleted(cut.FramesHash, cut.VideoHash, echo.ReportHash, echo.Passed, now)];
    }

    /// <summary>A failed attempt is journalled; a node whose attempts keep failing (bad input not counted) is avoided from then on.</summary>
    public static IReadOnlyList<ITalosEvent> AttemptFailed(ShotState s, ChunkAttemptFailed f, int nodeFailureLimit, DateTimeOffset now)
    {
        if (s.Status != ShotStatus.Rendering || f.Node is null) return [];
        var attempt = new ChunkAttemptRecorded(f.Stage, f.Chunk, f.Attempt, f.Node, f.Kind ?? ChunkFailureKind.NodeFault, f.Reason, f.LogHash);
        int failures = s.NodeFailures.GetValueOrDefault(f.Node) + (attempt.Kind == ChunkFailureKind.BadInput ? 0 : 1);
        return failures >= nodeFailureLimit && !s.AvoidedNodes.Contains(f.Node)
            ? [attempt, new ShotNodeAvoided(f.Node, f.Stage, failures, f.Reason, now)]
            : [attempt];
    }

    public static IReadOnlyList<ITalosEvent> GaveUp(ShotState s, ChunkGaveUp g, DateTimeOffset now) =>
        s.Status == ShotStatus.Rendering ? [new ShotRenderFailed($"{g.Stage} chunk {g.Chunk} failed after {g.Attempts} attempt(s): {g.Reason}", now)] : [];

    public static IReadOnlyList<ITalosEvent> Retry(ShotState s, DateTimeOffset now) =>
        s.Status is ShotStatus.Failed or ShotStatus.Cancelled && s.Spec is not null ? [new ShotRenderRetried(now)] : [];

    public static IReadOnlyList<ITalosEvent> Pause(ShotState s, DateTimeOffset now) => s.Status == ShotStatus.Rendering ? [new ShotRenderPaused(now)] : [];

    public static IReadOnlyList<ITalosEvent> Resume(ShotState s, DateTimeOffset now) => s.Status == ShotStatus.Paused ? [new ShotRenderResumed(now)] : [];

    public static IReadOnlyList<ITalosEvent> Cancel(ShotState s, DateTimeOffset now) => s.IsTerminal || s.Spec is null ? [] : [new ShotRenderCancelled(now)];

    /// <summary>
    /// Which stages can go on: those not done whose inputs are complete, without a running agent. A stage with nothing
    /// left to render is completed at once (its events); the others are to be started with their chunks to do.
    /// </summary>
    public static (IReadOnlyList<ITalosEvent> Completed, IReadOnlyList<(string Stage, IReadOnlyList<ChunkPlan> Todo)> Start) Advance(
        ShotState s, IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> plans, IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOn,
        IReadOnlySet<string> running)
    {
        var completed = new List<ITalosEvent>();
        var start = new List<(string, IReadOnlyList<ChunkPlan>)>();
        if (s.Status != ShotStatus.Rendering || s.Spec is null) return (completed, start);
        foreach (var stage in Stages.All)
        {
            if (s.StagesDone.Contains(stage) || running.Contains(stage)) continue;
            if (!dependsOn[stage].All(s.StagesDone.Contains)) continue;
            if (!plans.TryGetValue(stage, out var plan))
                throw new InvalidOperationException($"shot at spec revision {s.SpecRevision} has no plan for {stage}: plans must follow the state ({nameof(StagePlans)}.{nameof(StagePlans.For)})");
            var recorded = s.ChunksOf(stage);
            var todo = plan.Where(p => !recorded.ContainsKey(p.Chunk)).ToList();
            if (todo.Count == 0) completed.Add(new StageCompleted(stage));
            else start.Add((stage, todo));
        }
        return (completed, start);
    }
}

/// <summary>
/// The stage plans of the spec a shot's state holds. Plans are a function of the spec, so they are taken from the state
/// each time it changes (<see cref="For"/>: recomputed only when the spec or its revision did), never carried over from a
/// decision's callback: a command handled between an event being applied and that callback (a repeated
/// <see cref="StartShot"/>, unstashed while the journal's confirmation of the first one's write is still on its way)
/// would otherwise see a state with a spec and no plans for it.
/// </summary>
public sealed class StagePlans
{
    public static readonly StagePlans None = new(null, 0, new Dictionary<string, IReadOnlyList<ChunkPlan>>());

    StagePlans(ShotSpec? spec, int specRevision, IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> plans) =>
        (Spec, SpecRevision, Plans) = (spec, specRevision, plans);

    /// <summary>The spec these are the plans of (null: none yet).</summary>
    public ShotSpec? Spec { get; }
    public int SpecRevision { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>> Plans { get; }

    /// <summary>The plans for <paramref name="s"/>: these if they are of its spec and revision, else <paramref name="plan"/> of its spec.</summary>
    public StagePlans For(ShotState s, Func<ShotSpec, IReadOnlyDictionary<string, IReadOnlyList<ChunkPlan>>> plan) =>
        s.Spec is null ? None
        : ReferenceEquals(s.Spec, Spec) && s.SpecRevision == SpecRevision ? this
        : new StagePlans(s.Spec, s.SpecRevision, plan(s.Spec));
}

/// <summary>A shot's state as a snapshot document (<see cref="SnapshotDocument"/>, entity "shot", version 1) and back.</summary>
public static class ShotSnapshots
{
    public const string Entity = "shot";
    public const int Version = 1;

    public static SnapshotDocument ToDocument(ShotState state) =>
        new(Entity, Version, System.Text.Json.JsonSerializer.SerializeToElement(state, Talos.Messages.Serialization.ShotEventSerializer.Json));

    public static ShotState FromDocument(SnapshotDocument doc)
    {
        if (doc.Entity != Entity || doc.Version != Version)
            throw new InvalidDataException($"snapshot of '{doc.Entity}' version {doc.Version} is not a shot snapshot version {Version}");
        var s = System.Text.Json.JsonSerializer.Deserialize<ShotState>(doc.State, Talos.Messages.Serialization.ShotEventSerializer.Json)
                ?? throw new InvalidDataException("shot snapshot is empty");
        // JSON does not carry comparers: the ordinal ones come back, so the state equals the one that was saved.
        return s with
        {
            Chunks = s.Chunks.WithComparers(StringComparer.Ordinal),
            StagesDone = s.StagesDone.WithComparer(StringComparer.Ordinal),
            AvoidedNodes = s.AvoidedNodes.WithComparer(StringComparer.Ordinal),
            NodeFailures = s.NodeFailures.WithComparers(StringComparer.Ordinal),
        };
    }
}
