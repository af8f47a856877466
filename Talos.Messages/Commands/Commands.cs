using Talos.Messages.Specs;

namespace Talos.Messages.Commands;

// ---- to Hephaestus (cluster singleton) ----

/// <summary>Admit one shot. ShotKey (production + id) is its identity in the cluster.</summary>
public sealed record SubmitShot(ShotSpec Spec) : ITalosMessage;

/// <summary>Admit a production: shots in cut order, edited into one film when all are done.</summary>
public sealed record SubmitProduction(string Production, IReadOnlyList<ShotSpec> Shots, string? AudioAsset = null,
    double AudioOffsetSeconds = 0, int TransitionFrames = 8) : ITalosMessage
{
    public IReadOnlyList<ShotSpec> Shots { get; init => field = Wire.List(value); } = Wire.List(Shots);
}

public sealed record RetryShot(string ShotKey, string By = "operator") : ITalosMessage;
public sealed record CancelShot(string ShotKey, string By = "operator") : ITalosMessage;
/// <summary>Stop a rendering shot where it is (in-flight chunks are cancelled, recorded ones kept) until it is resumed.</summary>
public sealed record PauseShot(string ShotKey, string By = "operator") : ITalosMessage;
public sealed record ResumeShot(string ShotKey, string By = "operator") : ITalosMessage;

/// <summary>Admission answer: accepted shot keys, or the reason for refusal.</summary>
public sealed record SubmitAccepted(string Production, IReadOnlyList<string> ShotKeys) : ITalosMessage;
public sealed record SubmitRejected(string Reason) : ITalosMessage;
public sealed record CommandAck(string ShotKey, bool Ok, string Message) : ITalosMessage;

// ---- to shot entities (sharded by ShotKey) ----

/// <summary>Start (or resume) a shot; idempotent. <paramref name="Priority"/>: its scheduling priority (higher first).</summary>
/// <summary>Render a shot at spec revision <paramref name="SpecRevision"/> (1 for the first spec; a resubmitted, edited spec is the next).</summary>
public sealed record StartShot(string ShotKey, ShotSpec Spec, int Priority = 0, int SpecRevision = 1) : ITalosMessage, IWithShotKey;
public sealed record RetryShotEntity(string ShotKey) : ITalosMessage, IWithShotKey;
public sealed record CancelShotEntity(string ShotKey) : ITalosMessage, IWithShotKey;
public sealed record PauseShotEntity(string ShotKey) : ITalosMessage, IWithShotKey;
public sealed record ResumeShotEntity(string ShotKey) : ITalosMessage, IWithShotKey;

// ---- from shot entities to Hephaestus ----

public sealed record ShotProgress(string ShotKey, string Status, IReadOnlyDictionary<string, StageProgress> Stages, int SpecRevision = 1) : ITalosMessage;
/// <summary>A shot finished at spec revision <paramref name="SpecRevision"/>; <paramref name="Revisions"/> counts ECHO's correction rounds.</summary>
public sealed record ShotFinished(string ShotKey, string FramesHash, string? VideoHash, string ReportHash, bool QualityPassed, int Revisions, int SpecRevision = 1) : ITalosMessage;
public sealed record ShotFailedNotice(string ShotKey, string Reason, int SpecRevision = 1) : ITalosMessage;
public sealed record ShotCancelledNotice(string ShotKey, int SpecRevision = 1) : ITalosMessage;

public sealed record StageProgress(int DoneFrames, int TotalFrames, int DoneChunks, int TotalChunks);

// ---- inside a shot: stage agents and chunk workers ----

/// <summary>One chunk of a stage: frames [FirstFrame, FirstFrame+FrameCount).</summary>
public sealed record ChunkPlan(string Stage, int Chunk, int FirstFrame, int FrameCount);

/// <summary>A chunk rendered: <paramref name="Node"/> ran it (attempt <paramref name="Attempt"/>), its log is blob <paramref name="LogHash"/>.</summary>
/// <paramref name="Reused"/>: not rendered; a chunk with the same content identity (<c>ChunkIdentity</c>) had this result already.
public sealed record ChunkDone(string Stage, int Chunk, string ManifestHash, int FrameCount, string? Note = null,
    string? Node = null, int Attempt = 0, string? LogHash = null, bool Reused = false) : ITalosMessage;
public sealed record ChunkAttemptFailed(string Stage, int Chunk, int Attempt, string Reason, string? Node = null,
    string? Kind = null, string? LogHash = null) : ITalosMessage;
public sealed record ChunkGaveUp(string Stage, int Chunk, int Attempts, string Reason) : ITalosMessage;
