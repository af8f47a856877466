using Akka.Actor;
using Talos.Messages.Specs;

namespace Talos.Messages.Commands;

// Work pulling between a shot's stage agents and the chunk worker pools of the render nodes (role gpu).
//
//   agent ──ChunkWorkOffered──▶ its own node's pool (in-process), or topic "talos-chunk-work" ──▶ every pool (no pool on
//         its node; a raised priority, an avoided node or a chunk to retry elsewhere, a straggler to twin)
//   pool (free slots, no offer to ask) ──ChunkPoolHungry──▶ topic "talos-chunk-hungry" ──▶ every other pool
//   pool (offers it has no slot for) ──ChunkWorkOffered──▶ a hungry pool (up to its free slots)
//   pool (free slots) ──ChunkWorkRequest──▶ agent ──ChunkLeaseGrant──▶ pool (leases, maybe none)
//   pool ──ChunkLeasesDeclined──▶ agent (a grant that came after its reservation expired, past the free slots)
//   pool ──ChunkLeaseResult | ChunkLeaseFailed──▶ agent ──ChunkDone──▶ shot (journals it)
//   agent ──CancelChunkLease──▶ pool (pause, cancel, a speculative twin won, a stalled lease)
//   shot ──NodeAvoided──▶ agents (a node that keeps failing the shot's chunks gets no more of its work)
// Agents and pools DeathWatch each other: a lost node's leases go back to the queue; a stopped agent's chunks stop.

/// <summary>What a stage agent is asked to do: the chunks still to render and the inputs they read.</summary>
public sealed record StageJob(string ShotKey, string Stage, ShotSpec Spec, IReadOnlyList<ChunkPlan> Todo,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Inputs, IReadOnlyDictionary<int, string> OwnCompleted,
    int Revision, IReadOnlyDictionary<int, float> FrameGains, int Priority = 0, IReadOnlyList<string>? AvoidNodes = null, int SpecRevision = 1) : ITalosMessage
{
    public IReadOnlyList<ChunkPlan> Todo { get; init => field = Wire.List(value); } = Wire.List(Todo);
    public IReadOnlyList<string> AvoidNodes { get; init => field = Wire.List(value); } = Wire.List(AvoidNodes);
}

/// <summary>A stage agent has chunks to hand out (published on the work topic).</summary>
public sealed record ChunkWorkOffered(IActorRef Agent, int Priority) : ITalosMessage;

/// <summary>
/// A pool has <paramref name="Slots"/> free slots and no offer to ask (published on the hungry topic, rate limited): a
/// pool holding offers it has no slot for forwards some of them to <paramref name="Pool"/> as <see cref="ChunkWorkOffered"/>.
/// </summary>
public sealed record ChunkPoolHungry(IActorRef Pool, int Slots) : ITalosMessage;

/// <summary>
/// A pool with free slots asks an agent for up to <paramref name="Slots"/> chunks. <paramref name="Request"/> numbers the
/// pool's reservation; the grant answering it carries it back, so a late grant cannot release a newer reservation.
/// </summary>
public sealed record ChunkWorkRequest(int Slots, string Node, long Request = 0) : ITalosMessage;

/// <summary>
/// One chunk (or, after an out-of-memory split, a frame range of one) leased to a pool. <paramref name="OwnCompleted"/>
/// is the stage's own recorded manifests at lease time (a sequential stage reads the previous chunk's state).
/// </summary>
/// <summary><paramref name="Identity"/>: the chunk's content identity (ChunkIdentity); its result is indexed under it in the vault for reuse.</summary>
public sealed record ChunkLease(long LeaseId, StageJob Job, ChunkPlan Plan, int Attempt, bool Speculative,
    IReadOnlyDictionary<int, string> OwnCompleted, string? Identity = null) : ITalosMessage;

/// <summary>The agent's answer to a request (its <paramref name="Request"/> number): the leases granted (possibly none) and whether it has more work.</summary>
public sealed record ChunkLeaseGrant(IReadOnlyList<ChunkLease> Leases, bool MoreWork, long Request = 0) : ITalosMessage
{
    public IReadOnlyList<ChunkLease> Leases { get; init => field = Wire.List(value); } = Wire.List(Leases);
}

/// <summary>
/// Leases a pool will not run (their grant came after the pool's reservation expired and its slots were given to other
/// work): the agent queues the chunks again, not counted as attempts.
/// </summary>
public sealed record ChunkLeasesDeclined(IReadOnlyList<long> LeaseIds) : ITalosMessage
{
    public IReadOnlyList<long> LeaseIds { get; init => field = Wire.List(value); } = Wire.List(LeaseIds);
}

/// <summary>A leased range rendered: its manifest and the log of the attempt are in the vault.</summary>
public sealed record ChunkLeaseResult(long LeaseId, ChunkPlan Plan, string ManifestHash, string? Note, string Node,
    int Attempt, string LogHash, TimeSpan Took) : ITalosMessage;

/// <summary>Why a chunk attempt failed, which decides what happens next.</summary>
public static class ChunkFailureKind
{
    /// <summary>The inputs are wrong: no retry can help; the shot fails at once.</summary>
    public const string BadInput = "bad-input";
    /// <summary>Out of memory: retried as two chunks of half the frames.</summary>
    public const string OutOfMemory = "out-of-memory";
    /// <summary>Rendered past the chunk timeout: retried on another node.</summary>
    public const string Timeout = "timeout";
    /// <summary>Anything else (driver, disk, a crash in the stage): retried on another node with backoff.</summary>
    public const string NodeFault = "node-fault";
}

/// <summary>A leased range failed on a pool.</summary>
public sealed record ChunkLeaseFailed(long LeaseId, ChunkPlan Plan, string Node, int Attempt, string Kind, string Reason,
    string LogHash) : ITalosMessage;

/// <summary>The agent withdraws a lease; the pool cancels the work and frees the slot.</summary>
public sealed record CancelChunkLease(long LeaseId) : ITalosMessage;

/// <summary>A shot tells its stage agents that a node kept failing its chunks and gets no more of its work while others serve.</summary>
public sealed record NodeAvoided(string Node) : ITalosMessage;
