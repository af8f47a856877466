using Talos.Messages.Specs;

namespace Talos.Messages.Events;

// Journal events. They live for years: each is written by ShotEventSerializer under an explicit, versioned
// manifest (e.g. "talos.shot.chunk-completed.v1"), never by CLR type name. Add fields only with defaults; a
// breaking change gets a new manifest version and a reader for the old one.

// ---- Hephaestus ----
public sealed record ShotAdmitted(string ShotKey, ShotSpec Spec, DateTimeOffset At) : ITalosEvent;
public sealed record ProductionAdmitted(string Production, IReadOnlyList<string> ShotKeys, string? AudioAsset,
    double AudioOffsetSeconds, int TransitionFrames, DateTimeOffset At) : ITalosEvent;
/// <summary>A shot's outcome; <paramref name="Revisions"/> counts ECHO's correction rounds, <paramref name="SpecRevision"/> is the spec revision it is the outcome of.</summary>
public sealed record ShotOutcomeRecorded(string ShotKey, string Status, string? Reason, string? FramesHash,
    string? VideoHash, string? ReportHash, bool? QualityPassed, int Revisions, DateTimeOffset At, int SpecRevision = 1) : ITalosEvent;
/// <summary>A shot key was submitted again with a different spec: revision <paramref name="Revision"/> (the first spec is 1),
/// <paramref name="Changes"/> the JSON paths that differ from the previous revision (<c>SpecChanges</c>).</summary>
public sealed record ShotRevised(string ShotKey, int Revision, ShotSpec Spec, IReadOnlyList<string> Changes, DateTimeOffset At) : ITalosEvent;
/// <summary>A production was submitted again with other shots, audio or transitions: its shot list and sound from now on.</summary>
public sealed record ProductionRevised(string Production, IReadOnlyList<string> ShotKeys, string? AudioAsset,
    double AudioOffsetSeconds, int TransitionFrames, DateTimeOffset At) : ITalosEvent;
public sealed record ShotRetryRequested(string ShotKey, string By, DateTimeOffset At) : ITalosEvent;
/// <summary>A shot's scheduling priority changed (higher is admitted first); By names who asked.</summary>
public sealed record ShotPriorityChanged(string ShotKey, int Priority, string By, DateTimeOffset At) : ITalosEvent;
/// <summary>A production's film. <paramref name="ShotRevisions"/>: the spec revision of each shot it was cut from (added
/// with revisions; an older event reads null: it was cut from its shots' revisions at the time).</summary>
public sealed record ProductionEdited(string Production, string FilmHash, int Frames, DateTimeOffset At,
    IReadOnlyDictionary<string, int>? ShotRevisions = null) : ITalosEvent;
public sealed record ProductionEditFailed(string Production, string Reason, DateTimeOffset At) : ITalosEvent;

// ---- snapshots ----
/// <summary>An entity's whole state saved in the snapshot store: <paramref name="Entity"/> says whose ("shot", …),
/// <paramref name="Version"/> the layout of <paramref name="State"/> (camelCase JSON of the entity's state record).</summary>
public sealed record SnapshotDocument(string Entity, int Version, System.Text.Json.JsonElement State) : ITalosEvent;

// ---- shot entity ----
public sealed record ShotStarted(ShotSpec Spec, DateTimeOffset At, int SpecRevision = 1) : ITalosEvent;
/// <summary>The shot renders a new spec revision from here: its recorded chunks are dropped (chunks whose content identity
/// is unchanged come back from the vault as reused, not re-rendered).</summary>
public sealed record ShotSpecRevised(int Revision, ShotSpec Spec, IReadOnlyList<string> Changes, DateTimeOffset At) : ITalosEvent;
/// <summary>
/// A chunk is recorded. <paramref name="Node"/> (the address of the node that rendered it), <paramref name="Attempt"/>
/// and <paramref name="LogHash"/> (the attempt's log lines in the vault) were added later: older events read them as null/0.
/// </summary>
public sealed record ChunkCompleted(string Stage, int Chunk, string Hash, int FrameCount, string? Note = null,
    string? Node = null, int Attempt = 0, string? LogHash = null, bool Reused = false) : ITalosEvent;
/// <summary>A chunk attempt failed on a node (journalled so failures outlive the node); its log lines are blob LogHash.</summary>
public sealed record ChunkAttemptRecorded(string Stage, int Chunk, int Attempt, string Node, string Kind, string Reason, string? LogHash) : ITalosEvent;
/// <summary>A node kept failing this shot's chunks: the shot avoids it from now on.</summary>
public sealed record ShotNodeAvoided(string Node, string Stage, int Failures, string Reason, DateTimeOffset At) : ITalosEvent;
public sealed record StageCompleted(string Stage) : ITalosEvent;
/// <summary>ECHO sent chunks back: the listed ANIMA chunks are re-rendered with the given per-frame gains.</summary>
public sealed record RevisionRequested(int Round, IReadOnlyList<int> AnimaChunks, IReadOnlyDictionary<int, float> FrameGains, string Reason) : ITalosEvent;
public sealed record ShotRenderFailed(string Reason, DateTimeOffset At) : ITalosEvent;
public sealed record ShotRenderRetried(DateTimeOffset At) : ITalosEvent;
public sealed record ShotRenderCancelled(DateTimeOffset At) : ITalosEvent;
public sealed record ShotRenderPaused(DateTimeOffset At) : ITalosEvent;
public sealed record ShotRenderResumed(DateTimeOffset At) : ITalosEvent;
/// <summary>
/// ECHO repaired frames of the finished shot from their neighbours (colour flips repainted, popped frames drawn again):
/// each fix with the finding it answered, and the frame list the shot delivers with the repaired frames in
/// (the <see cref="ShotRenderCompleted"/> that follows carries the same hashes). <paramref name="Round"/>: ECHO's round.
/// <paramref name="VideoHash"/>: the repaired clip in events journalled before review clips were made on demand; null since.
/// </summary>
public sealed record ShotFramesRepaired(int Round, IReadOnlyList<EchoRepair> Repairs, string FramesHash, string? VideoHash, DateTimeOffset At) : ITalosEvent;
/// <summary>One of ECHO's repairs: the frame, the fix (<c>repaint-from-neighbours</c>, <c>reinbetween</c>) and the finding it answered.</summary>
public sealed record EchoRepair(int Frame, string Fix, string Finding);
/// <summary>The shot is cut and judged. <paramref name="VideoHash"/>: its review clip in events journalled before clips were made on
/// demand (the clip is now encoded the first time something asks for it, from <paramref name="FramesHash"/>); null since.</summary>
public sealed record ShotRenderCompleted(string FramesHash, string? VideoHash, string ReportHash, bool QualityPassed, DateTimeOffset At) : ITalosEvent;

// ---- API audit trail (persistence id "audit-<shot key>") ----
/// <summary>An operator action on a shot through the API (retry, cancel, pause, resume, priority): who, when, and what came of it.</summary>
public sealed record OperatorActionRecorded(string ShotKey, string Action, string By, string? Detail, bool Accepted, string Outcome, DateTimeOffset At) : ITalosEvent;
