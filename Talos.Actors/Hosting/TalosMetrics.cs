using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Talos.Actors.Pipeline;

namespace Talos.Actors.Hosting;

/// <summary>
/// Every Talos metric, in one place: the <c>Talos</c> meter (System.Diagnostics.Metrics) that the management
/// listener exports to Prometheus at <c>/metrics</c> through OpenTelemetry. Actors report with one-line calls;
/// nothing here touches actor state. Prometheus names (OpenTelemetry's exporter turns dots into underscores, adds
/// the unit and <c>_total</c> for counters):
/// <list type="bullet">
/// <item><c>talos_queue_depth{status}</c>: shots admitted and not finished (queued, rendering) — from the Hephaestus
/// singleton, so only the core member that hosts it reports it. The autoscaler scales GPU nodes on its sum.</item>
/// <item><c>talos_shots{status}</c>: every shot Hephaestus knows, by status.</item>
/// <item><c>talos_chunks_in_flight</c>: chunks holding a render slot on this member now; <c>talos_chunk_slots</c> its capacity.</item>
/// <item><c>talos_chunk_duration_seconds{stage}</c>: histogram of the wall time of one rendered chunk.</item>
/// <item><c>talos_frames_rendered_total{stage}</c>: frames rendered; per-stage throughput is its rate (frames/s).</item>
/// <item><c>talos_journal_write_duration_seconds</c>: histogram of journal write latency (persist until the write is confirmed).</item>
/// <item><c>talos_journal_write_chunks</c>: histogram of chunk results per shot journal write (the shot's group commit).</item>
/// <item><c>talos_hephaestus_write_commands</c>, <c>talos_hephaestus_write_duration_seconds</c>: commands per Hephaestus
/// journal write (its group commit) and each write's latency; <c>talos_hephaestus_command_duration_seconds</c>: a command's
/// time in the singleton, taken → answered after its events are durable.</item>
/// </list>
/// </summary>
public static class TalosMetrics
{
    public const string MeterName = "Talos";
    /// <summary>The instrument the GPU node autoscaler follows (Prometheus: talos_queue_depth).</summary>
    public const string QueueDepth = "talos.queue.depth";

    static readonly Meter Meter = new(MeterName, "1.0");

    static readonly Histogram<double> ChunkDuration = Meter.CreateHistogram<double>("talos.chunk.duration", "s",
        "Wall time of one rendered chunk, by stage", advice: new InstrumentAdvice<double>
        { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });

    static readonly Counter<long> FramesRendered = Meter.CreateCounter<long>("talos.frames.rendered", null,
        "Frames rendered, by stage (rate = per-stage throughput in frames/s)");

    static readonly Histogram<double> JournalWrite = Meter.CreateHistogram<double>("talos.journal.write.duration", "s",
        "Journal write latency: from persist until the journal confirmed the write", advice: new InstrumentAdvice<double>
        { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>The instrument of chunk results per shot journal write (Prometheus: talos_journal_write_chunks).</summary>
    public const string JournalWriteChunksName = "talos.journal.write.chunks";

    static readonly Histogram<int> JournalWriteChunks = Meter.CreateHistogram<int>(JournalWriteChunksName, null,
        "Chunk results journalled per shot write: results that arrive while a write is in flight go in the next one together",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });

    /// <summary>The instrument of commands per Hephaestus journal write (Prometheus: talos_hephaestus_write_commands).</summary>
    public const string HephaestusWriteCommandsName = "talos.hephaestus.write.commands";

    static readonly Histogram<int> HephaestusWriteCommands = Meter.CreateHistogram<int>(HephaestusWriteCommandsName, null,
        "Commands (submissions, notices, operator verbs) decided together in one Hephaestus journal write: those that arrive while a write is in flight go in the next one",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary>The instrument of a Hephaestus command's time in the singleton (Prometheus: talos_hephaestus_command_duration_seconds).</summary>
    public const string HephaestusCommandDurationName = "talos.hephaestus.command.duration";

    static readonly Histogram<double> HephaestusCommandDuration = Meter.CreateHistogram<double>(HephaestusCommandDurationName, "s",
        "A journalled Hephaestus command (a submission, a notice, an operator verb): from when the singleton took it to when it answered, after its events were durable",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>The instrument of a Hephaestus journal write's latency (Prometheus: talos_hephaestus_write_duration_seconds).</summary>
    public const string HephaestusWriteDurationName = "talos.hephaestus.write.duration";

    static readonly Histogram<double> HephaestusWriteDuration = Meter.CreateHistogram<double>(HephaestusWriteDurationName, "s",
        "A Hephaestus journal write (a group commit of commands): from persist until the journal confirmed it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    // Render environments of this process (a process normally has one; tests start several members in one process).
    static ImmutableList<TalosEnvironment> _environments = ImmutableList<TalosEnvironment>.Empty;
    // Shot statuses as the Hephaestus singleton last published them (null where it does not run).
    static ImmutableDictionary<string, int>? _shots;

    static readonly string[] Waiting = [Talos.Messages.ShotStatus.Queued, Talos.Messages.ShotStatus.Rendering];

    static TalosMetrics()
    {
        Meter.CreateObservableGauge(QueueDepth, () => _shots is { } shots
            ? Waiting.Select(s => new Measurement<int>(shots.GetValueOrDefault(s), new KeyValuePair<string, object?>("status", s)))
            : [],
            null, "Shots admitted and not finished (queued or rendering), from the Hephaestus singleton");
        Meter.CreateObservableGauge("talos.shots", () => (_shots ?? ImmutableDictionary<string, int>.Empty).Select(kv =>
            new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("status", kv.Key))),
            null, "Shots known to Hephaestus, by status");
        Meter.CreateObservableGauge("talos.chunks.in_flight", () =>
            Volatile.Read(ref _inFlight), null, "Chunks rendering in this member's chunk worker pool");
        Meter.CreateObservableGauge("talos.chunk.slots", () => _environments.Sum(e => e.Settings.ChunkSlots), null,
            "Chunks this member renders at once (TALOS_CHUNK_SLOTS)");
    }

    static int _inFlight;

    /// <summary>A chunk worker pool started rendering a leased chunk (paired with <see cref="ChunkEnded"/>).</summary>
    public static void ChunkStarted() => Interlocked.Increment(ref _inFlight);

    /// <summary>Chunks rendering now in this process's chunk worker pools.</summary>
    public static int ChunksInFlight => Volatile.Read(ref _inFlight);

    /// <summary>A chunk left the pool: rendered, failed or cancelled.</summary>
    public static void ChunkEnded() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Counts this environment's render slots until the returned handle is disposed.</summary>
    public static IDisposable Track(TalosEnvironment env)
    {
        ImmutableInterlocked.Update(ref _environments, l => l.Add(env));
        return new Untrack(env);
    }

    sealed class Untrack(TalosEnvironment env) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref _environments, l => l.Remove(env));
    }

    /// <summary>A chunk rendered: its duration and frames, by stage.</summary>
    public static void ChunkRendered(string stage, int frames, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("stage", stage);
        ChunkDuration.Record(elapsed.TotalSeconds, tag);
        FramesRendered.Add(frames, tag);
    }

    /// <summary>
    /// A shot's journal write of <paramref name="chunks"/> chunk results, started at <paramref name="startTimestamp"/>
    /// (<see cref="Stopwatch.GetTimestamp"/>), is confirmed.
    /// </summary>
    public static void JournalWritten(long startTimestamp, int chunks)
    {
        JournalWrite.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        JournalWriteChunks.Record(chunks);
    }

    /// <summary>Hephaestus journals the events of <paramref name="commands"/> commands in one write.</summary>
    public static void HephaestusBatch(int commands) => HephaestusWriteCommands.Record(commands);

    /// <summary>A Hephaestus journal write persisted at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>) is durable.</summary>
    public static void HephaestusWritten(long startTimestamp) => HephaestusWriteDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    /// <summary>Hephaestus answered a journalled command it took at <paramref name="takenTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static void HephaestusAnswered(long takenTimestamp) => HephaestusCommandDuration.Record(Stopwatch.GetElapsedTime(takenTimestamp).TotalSeconds);

    /// <summary>The instrument of a Hephaestus snapshot's save time (Prometheus: talos_hephaestus_snapshot_duration_seconds).</summary>
    public const string HephaestusSnapshotDurationName = "talos.hephaestus.snapshot.duration";

    static readonly Histogram<double> HephaestusSnapshotDuration = Meter.CreateHistogram<double>(HephaestusSnapshotDurationName, "s",
        "A Hephaestus snapshot: from when the singleton took it (its registry handed to the thread pool) until the snapshot store saved it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>The last snapshot Hephaestus saved in this process: its shots and save time (null: none yet).</summary>
    public static (int Shots, double Seconds)? LastHephaestusSnapshot { get; private set; }

    /// <summary>A Hephaestus snapshot of <paramref name="shots"/> shots taken at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>) is saved.</summary>
    public static double HephaestusSnapshotSaved(long startTimestamp, int shots)
    {
        var seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        HephaestusSnapshotDuration.Record(seconds);
        LastHephaestusSnapshot = (shots, seconds);
        return seconds;
    }

    /// <summary>The shot statuses Hephaestus holds now (published by the singleton as they change; null when it stops here).</summary>
    public static void Shots(IEnumerable<string>? statuses) => _shots = statuses is null ? null : CountStatuses(statuses);

    /// <summary>
    /// How many of each status. Counted, not grouped: a GroupBy holds every shot's status in a list per status — with
    /// 100,000 shots queued, a megabyte on the large-object heap once a second, which brought on the seed's full collections.
    /// </summary>
    public static ImmutableDictionary<string, int> CountStatuses(IEnumerable<string> statuses)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var status in statuses) counts[status] = counts.GetValueOrDefault(status) + 1;
        return counts.ToImmutableDictionary(StringComparer.Ordinal);
    }
}
