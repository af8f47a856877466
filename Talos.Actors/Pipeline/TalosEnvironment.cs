using Talos.Vault;

namespace Talos.Actors.Pipeline;

/// <summary>Per-node settings for rendering.</summary>
public sealed record RenderSettingsOptions
{
    /// <summary>Frames per chunk (the unit of work, retry and journal record).</summary>
    public int ChunkFrames { get; init; } = 12;
    /// <summary>Attempts after the first before a chunk fails its shot.</summary>
    public int MaxChunkRetries { get; init; } = 3;
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A chunk rendering longer than this (from when it gets its slot) is cancelled and retried.</summary>
    public TimeSpan ChunkTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Bounded ECHO-driven re-render rounds per shot.</summary>
    public int MaxRevisions { get; init; } = 2;
    /// <summary>Chunks rendering at once on this node (capacity): how many chunks its pool pulls from the farm.</summary>
    public int ChunkSlots { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Failed attempts (not bad input) of one shot on one node after which that shot avoids the node.</summary>
    public int NodeFailureLimit { get; init; } = 3;
    /// <summary>A chunk running longer than this many times the median chunk time of its stage gets a speculative second run elsewhere.</summary>
    public double SpeculateFactor { get; init; } = 3;
    /// <summary>Finished chunks a stage needs before its median is trusted for speculation.</summary>
    public int SpeculateMinSamples { get; init; } = 3;
    /// <summary>Never speculate on a chunk younger than this (short chunks are not worth a second run).</summary>
    public TimeSpan SpeculateAfter { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A stage whose leased chunks report nothing (no result, no failure) for this long re-queues them elsewhere.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>
    /// How often a stage agent with work checks whether it must announce it again: when a pool was told it has nothing
    /// more (an empty grant, or "no more work" before a chunk came back to the queue or a straggler appeared).
    /// </summary>
    public TimeSpan OfferInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>
    /// A stage agent with work that every pool still holds as offered announces it again only this often (for a pool that
    /// joined since, or forgot it after a reservation expired): the pools ask on their own while they hold the offer.
    /// </summary>
    public TimeSpan OfferRefresh { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long a pool keeps slots reserved for an agent it asked for work; a grant after that is declined past the free slots.</summary>
    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// A rendering shot Hephaestus has not heard from for this long is sent its StartShot again (idempotent: the shot
    /// answers with its progress, or its outcome if it finished): a finish notice lost with a killed node, or in flight
    /// when the singleton moved, is otherwise never repeated — the shot has passivated — and the shot stays "rendering".
    /// </summary>
    public TimeSpan ShotSilenceResend { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Shots Hephaestus lets render at once across the farm; the rest wait in priority / fair-share order.</summary>
    public int MaxActiveShots { get; init; } = 16;
    /// <summary>A shot entity saves its whole state every this many events (0: never), so recovery replays only what came after.</summary>
    public int SnapshotEvery { get; init; } = 100;
    /// <summary>
    /// A shot tells Hephaestus its progress at once when its status changes or a stage completes, and otherwise at most
    /// once per this interval (progress by sampling: one report per interval, not one per chunk).
    /// </summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Hephaestus saves a snapshot of its registry every this many journalled events (and recovers from the latest); 0: never.</summary>
    public int HephaestusSnapshotEvery { get; init; } = 500;
    /// <summary>
    /// How many of Hephaestus's group commits may be in flight at once (1: each waits for the one before). Only new shots'
    /// admissions overlap a write in flight; everything else waits for the writes to finish (<c>HephaestusActor</c>).
    /// </summary>
    public int HephaestusWritesInFlight { get; init; } = 1;
}

/// <summary>What the actors of one node share: the vault, the stage runners, settings and observers.</summary>
public sealed class TalosEnvironment
{
    public TalosEnvironment(IBlobVault vault, RenderSettingsOptions settings, IReadOnlyDictionary<string, IStageRunner> runners)
    {
        Vault = vault;
        Settings = settings;
        Runners = runners;
    }

    public IBlobVault Vault { get; }
    public RenderSettingsOptions Settings { get; }
    public IReadOnlyDictionary<string, IStageRunner> Runners { get; }

    /// <summary>Raised after a chunk rendered (before it is recorded): (shotKey, stage, chunk). For metrics and tests.</summary>
    public event Action<string, string, int>? ChunkRendered;

    internal void OnChunkRendered(string shotKey, string stage, int chunk) => ChunkRendered?.Invoke(shotKey, stage, chunk);

    /// <summary>Frames rendered and time spent per stage on this node since it started (for progress and benchmarks).</summary>
    public StageTimings Timings { get; } = new();
}

/// <summary>Per-stage totals: frames (or keys) rendered and the wall time their chunks took, summed over chunks.</summary>
public sealed class StageTimings
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Frames, int Chunks, long Ticks)> _totals = new();

    public void Add(string stage, int frames, TimeSpan elapsed) =>
        _totals.AddOrUpdate(stage, (frames, 1, elapsed.Ticks), (_, t) => (t.Frames + frames, t.Chunks + 1, t.Ticks + elapsed.Ticks));

    public IReadOnlyDictionary<string, (int Frames, int Chunks, TimeSpan Time)> Snapshot() =>
        _totals.ToDictionary(kv => kv.Key, kv => (kv.Value.Frames, kv.Value.Chunks, TimeSpan.FromTicks(kv.Value.Ticks)));
}
