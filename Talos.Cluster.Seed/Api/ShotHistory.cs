using System.Text.Json;
using Akka.Actor;
using Akka.Persistence;
using Talos.Messages;
using Talos.Messages.Events;
using Talos.Messages.Serialization;

namespace Talos.Cluster.Seed.Api;

/// <summary>One journalled event of a shot's history: where it was written, what it is (its journal manifest), when (events that carry a time), and its fields.</summary>
public sealed record HistoryEntry(string Source, long SequenceNr, string Event, DateTimeOffset? At, JsonElement Data);

public sealed record ShotHistoryList(string Key, IReadOnlyList<HistoryEntry> Events);

/// <summary>Asks a <see cref="JournalReaderActor"/> for its replayed events.</summary>
public sealed record JournalEvents(string PersistenceId, IReadOnlyList<(long SequenceNr, ITalosEvent Event)> Events);

/// <summary>
/// Reads one persistence id's events by replaying them (the journal's recovery path; it never writes, so it may run
/// beside the live writer), hands them to whoever started it, and stops. Akka.Persistence.Query's SQL read journal
/// was tried first: its sequence actor fails on the SQLite journal here, and recovery needs nothing more.
/// </summary>
public sealed class JournalReaderActor : ReceivePersistentActor
{
    readonly string _id;
    readonly TaskCompletionSource<JournalEvents> _done;
    readonly List<(long, ITalosEvent)> _events = new();

    public override string PersistenceId => _id;
    /// <summary>Every event from the first: a snapshot would skip what came before it.</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public JournalReaderActor(string persistenceId, TaskCompletionSource<JournalEvents> done)
    {
        _id = persistenceId; _done = done;
        Recover<ITalosEvent>(e => _events.Add((LastSequenceNr, e)));
        Recover<RecoveryCompleted>(_ => { _done.TrySetResult(new JournalEvents(_id, _events)); Context.Stop(Self); });
        CommandAny(_ => { });
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _done.TrySetException(reason);
        base.OnRecoveryFailure(reason, message);
    }
}

/// <summary>
/// A shot's event history from the journal: Hephaestus's events about the shot (admission, spec revisions with what
/// changed, production and its revisions, outcome, retries), the shot entity's own events (started, chunks, stages, pause, resume, …) and the API's audit trail of
/// operator actions (who, when), merged by time: each source keeps its journal order, and an event without a time of
/// its own sorts after the last timed event before it.
/// </summary>
public sealed class ShotHistory(ActorSystem system)
{
    public async Task<IReadOnlyList<HistoryEntry>> ReadAsync(string shotKey, CancellationToken ct)
    {
        var serializer = new ShotEventSerializer((ExtendedActorSystem)system);
        var merged = new List<(DateTimeOffset Sort, int Source, HistoryEntry Entry)>();
        async Task Add(int order, string persistenceId, string source, Func<ITalosEvent, bool> about)
        {
            var done = new TaskCompletionSource<JournalEvents>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new JournalReaderActor(persistenceId, done)));
            var read = await done.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            var clock = DateTimeOffset.MinValue;
            foreach (var (seq, e) in read.Events)
            {
                if (!about(e)) continue;
                var at = TimeOf(e);
                if (at is { } t) clock = t;
                merged.Add((clock, order, new HistoryEntry(source, seq, serializer.Manifest(e), at,
                    JsonSerializer.SerializeToElement(e, e.GetType(), ShotEventSerializer.Json))));
            }
        }
        await Add(0, "hephaestus", "hephaestus", e => e switch
        {
            ShotAdmitted a => a.ShotKey == shotKey,
            ShotRevised r => r.ShotKey == shotKey,
            ProductionAdmitted p => p.ShotKeys.Contains(shotKey),
            ProductionRevised p => p.ShotKeys.Contains(shotKey),
            ShotOutcomeRecorded o => o.ShotKey == shotKey,
            ShotRetryRequested r => r.ShotKey == shotKey,
            _ => false,
        });
        await Add(1, "shot-" + shotKey, "shot", _ => true);
        await Add(2, AuditTrailActor.PersistenceIdOf(shotKey), "audit", _ => true);
        return merged.OrderBy(m => m.Sort).ThenBy(m => m.Source).ThenBy(m => m.Entry.SequenceNr).Select(m => m.Entry).ToList();
    }

    static DateTimeOffset? TimeOf(ITalosEvent e) => e switch
    {
        ShotAdmitted a => a.At, ShotRevised r => r.At, ProductionAdmitted p => p.At, ProductionRevised p => p.At, ShotSpecRevised r => r.At, ShotOutcomeRecorded o => o.At, ShotRetryRequested r => r.At,
        ShotStarted s => s.At, ShotRenderFailed f => f.At, ShotRenderRetried r => r.At, ShotRenderCancelled c => c.At,
        ShotRenderPaused p => p.At, ShotRenderResumed r => r.At, ShotRenderCompleted c => c.At, ShotFramesRepaired r => r.At, OperatorActionRecorded o => o.At,
        _ => null,
    };
}
