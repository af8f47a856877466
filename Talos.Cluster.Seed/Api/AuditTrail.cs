using Akka.Actor;
using Akka.Persistence;
using Microsoft.Extensions.Logging;
using Talos.Messages;
using Talos.Messages.Events;

namespace Talos.Cluster.Seed.Api;

/// <summary>Asks the audit trail to journal one operator action; answered with <see cref="OperatorActionStored"/>.</summary>
public sealed record RecordOperatorAction(OperatorActionRecorded Event) : ITalosMessage;
public sealed record OperatorActionStored(string ShotKey) : ITalosMessage;

/// <summary>An idle audit actor asks its ledger to stop it (the ledger answers <see cref="StopAudit"/>); local only.</summary>
public sealed record PassivateAudit
{
    public static readonly PassivateAudit Instance = new();
}

/// <summary>The ledger's answer to <see cref="PassivateAudit"/>: an ordinary message, so whatever was forwarded before it is journalled first.</summary>
public sealed record StopAudit
{
    public static readonly StopAudit Instance = new();
}

/// <summary>
/// The API's audit trail: one persistent actor per shot (persistence id <c>audit-&lt;shot key&gt;</c>) journals each
/// operator action with who and when, so the shot's event history shows it beside the shot's own events.
/// States: idle → (RecordOperatorAction) persist → reply; after a minute without work it asks its ledger to stop it
/// (<see cref="PassivateAudit"/>) and stops on the ledger's <see cref="StopAudit"/>, never on its own, so no message
/// the ledger forwards meets a stopping actor.
/// </summary>
public sealed class AuditTrailActor : ReceivePersistentActor
{
    public static string PersistenceIdOf(string shotKey) => "audit-" + shotKey;

    readonly string _key;
    public override string PersistenceId => PersistenceIdOf(_key);

    public AuditTrailActor(string key, TimeSpan idle)
    {
        _key = key;
        Recover<OperatorActionRecorded>(_ => { });
        Command<RecordOperatorAction>(r =>
        {
            var sender = Sender;
            Persist(r.Event, e => sender.Tell(new OperatorActionStored(e.ShotKey)));
        });
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(PassivateAudit.Instance));
        Command<StopAudit>(_ => Context.Stop(Self));
        SetReceiveTimeout(idle);
    }

    public static Props Props(string key, TimeSpan idle) => Akka.Actor.Props.Create(() => new AuditTrailActor(key, idle));
}

/// <summary>
/// Routes each action to its shot's audit actor (one writer per persistence id in this process). It watches them: an
/// idle one that asks to stop is sent <see cref="StopAudit"/>, and actions for its shot wait here until it has terminated,
/// then go to a fresh one; one that dies otherwise is forgotten, and the next action makes a fresh one.
/// </summary>
public sealed class AuditLedgerActor : ReceiveActor
{
    readonly Dictionary<string, IActorRef> _live = new(StringComparer.Ordinal);
    readonly Dictionary<IActorRef, string> _keys = new();
    readonly Dictionary<string, List<(RecordOperatorAction Record, IActorRef Sender)>> _stopping = new(StringComparer.Ordinal);

    readonly TimeSpan _idle;

    /// <param name="idle">How long an audit actor waits without work before it asks to stop (a minute unless a test says less).</param>
    public AuditLedgerActor(TimeSpan? idle = null)
    {
        _idle = idle ?? TimeSpan.FromMinutes(1);
        Receive<RecordOperatorAction>(r =>
        {
            var key = r.Event.ShotKey;
            if (_stopping.TryGetValue(key, out var waiting)) waiting.Add((r, Sender));
            else Trail(key).Forward(r);
        });
        Receive<PassivateAudit>(_ =>
        {
            if (!_keys.TryGetValue(Sender, out var key) || _stopping.ContainsKey(key)) return;
            _stopping[key] = [];
            Sender.Tell(StopAudit.Instance);
        });
        Receive<Terminated>(t =>
        {
            if (!_keys.Remove(t.ActorRef, out var key)) return;
            _live.Remove(key);
            if (_stopping.Remove(key, out var waiting))
                foreach (var (record, sender) in waiting) Trail(key).Tell(record, sender);
        });
    }

    public static Props Props(TimeSpan? idle = null) => Akka.Actor.Props.Create(() => new AuditLedgerActor(idle));

    IActorRef Trail(string key)
    {
        if (_live.TryGetValue(key, out var trail)) return trail;
        trail = Context.Watch(Context.ActorOf(AuditTrailActor.Props(key, _idle), "shot-" + key));
        _live[key] = trail;
        _keys[trail] = key;
        return trail;
    }
}

/// <summary>The service endpoints use: journal an operator action and wait until it is stored.</summary>
public sealed class AuditJournal(ActorSystem system, ILogger<AuditJournal> log)
{
    readonly Lazy<IActorRef> _ledger = new(() => system.ActorOf(AuditLedgerActor.Props(), "api-audit"));

    public async Task RecordAsync(OperatorActionRecorded e) =>
        await _ledger.Value.Ask<OperatorActionStored>(new RecordOperatorAction(e), TimeSpan.FromSeconds(15));

    /// <summary>
    /// Journals an action that has already happened: a failure to store it (the journal down or slower than 15 s; a failed write stops the audit actor, so the ask times out) is logged, not thrown,
    /// so the caller still answers with the action's outcome. False when it was not stored.
    /// </summary>
    public async Task<bool> TryRecordAsync(OperatorActionRecorded e)
    {
        try { await RecordAsync(e); return true; }
        catch (AskTimeoutException x)
        {
            log.LogError(x, "audit: could not journal {Action} of {Shot} by {By} ({Outcome}): {Reason}", e.Action, e.ShotKey, e.By, e.Outcome, x.Message);
            return false;
        }
    }
}
