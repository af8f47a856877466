using Akka.Actor;
using Akka.Persistence;
using Talos.Messages;
using Talos.Messages.Events;

namespace Talos.Cluster.Seed.Api;

/// <summary>Asks the audit trail to journal one operator action; answered with <see cref="OperatorActionStored"/>.</summary>
public sealed record RecordOperatorAction(OperatorActionRecorded Event) : ITalosMessage;
public sealed record OperatorActionStored(string ShotKey) : ITalosMessage;

/// <summary>
/// The API's audit trail: one persistent actor per shot (persistence id <c>audit-&lt;shot key&gt;</c>) journals each
/// operator action with who and when, so the shot's event history shows it beside the shot's own events.
/// States: idle → (RecordOperatorAction) persist → reply; stops after a minute without work.
/// </summary>
public sealed class AuditTrailActor : ReceivePersistentActor
{
    public static string PersistenceIdOf(string shotKey) => "audit-" + shotKey;

    readonly string _key;
    public override string PersistenceId => PersistenceIdOf(_key);

    public AuditTrailActor(string key)
    {
        _key = key;
        Recover<OperatorActionRecorded>(_ => { });
        Command<RecordOperatorAction>(r =>
        {
            var sender = Sender;
            Persist(r.Event, e => sender.Tell(new OperatorActionStored(e.ShotKey)));
        });
        Command<ReceiveTimeout>(_ => Context.Stop(Self));
        SetReceiveTimeout(TimeSpan.FromMinutes(1));
    }

    public static Props Props(string key) => Akka.Actor.Props.Create(() => new AuditTrailActor(key));
}

/// <summary>Routes each action to its shot's audit actor (one writer per persistence id in this process).</summary>
public sealed class AuditLedgerActor : ReceiveActor
{
    public AuditLedgerActor()
    {
        Receive<RecordOperatorAction>(r =>
        {
            var name = "shot-" + r.Event.ShotKey;
            var child = Context.Child(name);
            if (child.IsNobody()) child = Context.ActorOf(AuditTrailActor.Props(r.Event.ShotKey), name);
            child.Forward(r);
        });
    }
}

/// <summary>The service endpoints use: journal an operator action and wait until it is stored.</summary>
public sealed class AuditJournal(ActorSystem system)
{
    readonly Lazy<IActorRef> _ledger = new(() => system.ActorOf(Props.Create<AuditLedgerActor>(), "api-audit"));

    public async Task RecordAsync(OperatorActionRecorded e) =>
        await _ledger.Value.Ask<OperatorActionStored>(new RecordOperatorAction(e), TimeSpan.FromSeconds(15));
}
