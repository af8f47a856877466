using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;

namespace Talos.Actors.Shots;

/// <summary>
/// One per render node (role gpu): the node's chunk capacity (<see cref="RenderSettingsOptions.ChunkSlots"/>). It
/// listens on the work topic for stage agents that have chunks, PULLS leases from them while it has free slots
/// (highest priority first, round-robin among equals), renders each leased range off the actor thread, stores the
/// manifest and the attempt's log in the vault and reports back. It never writes shot state: the agent hands the
/// result to the shot, the single writer. States per lease: reserved (asked) → running → reported | cancelled.
/// </summary>
public sealed class ChunkWorkerPool : ReceiveActor, IWithTimers
{
    public const string Topic = "talos-chunk-work";
    public ITimerScheduler Timers { get; set; } = null!;

    readonly TalosEnvironment _env;
    readonly string _node;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly int _slots;
    /// <summary>Agents that offered work; Exhausted once they answered a request with nothing, until they offer again.</summary>
    readonly Dictionary<IActorRef, (int Priority, bool Exhausted, long Seen)> _offers = new();
    readonly Dictionary<IActorRef, int> _reserved = new();
    readonly Dictionary<(IActorRef Agent, long Lease), Running> _running = new();
    long _serial;

    sealed class Running(ChunkLease lease, IActorRef agent, CancellationTokenSource cts, long key)
    {
        public ChunkLease Lease { get; } = lease;
        public IActorRef Agent { get; } = agent;
        public CancellationTokenSource Cts { get; } = cts;
        public long Key { get; } = key;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public StringBuilder Log { get; } = new();
    }

    sealed record Rendered(IActorRef Agent, long Lease, long Key, string ManifestHash, string? Note) : INoSerializationVerificationNeeded;
    sealed record Broke(IActorRef Agent, long Lease, long Key, Exception Error) : INoSerializationVerificationNeeded;
    sealed record TimedOut(IActorRef Agent, long Lease, long Key) : INoSerializationVerificationNeeded;
    sealed record ReservationExpired(IActorRef Agent) : INoSerializationVerificationNeeded;

    public ChunkWorkerPool(TalosEnvironment env, string node, IActorRef? mediator)
    {
        _env = env; _node = node; _slots = env.Settings.ChunkSlots;
        mediator?.Tell(new Subscribe(Topic, Self));

        Receive<SubscribeAck>(_ => { });
        Receive<ChunkWorkOffered>(o =>
        {
            if (!_offers.ContainsKey(o.Agent)) Context.Watch(o.Agent);
            // An agent re-offers while it has work: it keeps its place in the round-robin (a new offer goes to the back).
            _offers[o.Agent] = (o.Priority, false, _offers.TryGetValue(o.Agent, out var known) ? known.Seen : ++_serial);
            Pull();
        });
        Receive<ChunkLeaseGrant>(g =>
        {
            _reserved.Remove(Sender);
            Timers.Cancel(("res", Sender));
            if (_offers.TryGetValue(Sender, out var o)) _offers[Sender] = o with { Exhausted = !g.MoreWork || g.Leases.Count == 0 };
            foreach (var lease in g.Leases) Start(lease, Sender);
            Pull();
        });
        Receive<ReservationExpired>(r => { _reserved.Remove(r.Agent); _offers.Remove(r.Agent); Pull(); });
        Receive<CancelChunkLease>(c => Cancel(Sender, c.LeaseId, "withdrawn by its agent"));
        Receive<Rendered>(r =>
        {
            if (!_running.TryGetValue((r.Agent, r.Lease), out var run) || run.Key != r.Key) return; // cancelled meanwhile
            _running.Remove((r.Agent, r.Lease));
            Hosting.TalosMetrics.ChunkEnded();
            Timers.Cancel(("timeout", r.Agent, r.Lease));
            var plan = run.Lease.Plan;
            _env.Timings.Add(plan.Stage, plan.FrameCount, run.Clock.Elapsed);
            Hosting.TalosMetrics.ChunkRendered(plan.Stage, plan.FrameCount, run.Clock.Elapsed);
            run.Log.AppendLine($"{Now()} rendered in {run.Clock.Elapsed.TotalMilliseconds:0} ms; manifest {r.ManifestHash}");
            var logHash = StoreLog(run);
            _env.OnChunkRendered(run.Lease.Job.ShotKey, plan.Stage, plan.Chunk);
            r.Agent.Tell(new ChunkLeaseResult(r.Lease, plan, r.ManifestHash, r.Note, _node, run.Lease.Attempt, logHash, run.Clock.Elapsed));
            Pull();
        });
        Receive<Broke>(b =>
        {
            if (!_running.TryGetValue((b.Agent, b.Lease), out var run) || run.Key != b.Key) return; // the cancelled work of a withdrawn lease
            var error = Unwrap(b.Error);
            Fail(run, Classify(error), error.Message, error.ToString());
        });
        Receive<TimedOut>(t =>
        {
            if (!_running.TryGetValue((t.Agent, t.Lease), out var run) || run.Key != t.Key) return;
            run.Cts.Cancel();
            Fail(run, ChunkFailureKind.Timeout, $"timed out after {_env.Settings.ChunkTimeout.TotalSeconds:0.###} s", null);
        });
        Receive<Terminated>(t =>
        {
            // The agent stopped (its stage finished, the shot paused or was cancelled, its node left): its chunks stop too.
            _offers.Remove(t.ActorRef);
            _reserved.Remove(t.ActorRef);
            foreach (var key in _running.Keys.Where(k => k.Agent.Equals(t.ActorRef)).ToList()) Cancel(t.ActorRef, key.Lease, "its agent stopped");
            Pull();
        });
    }

    public static Props Props(TalosEnvironment env, string node, IActorRef? mediator) =>
        Akka.Actor.Props.Create(() => new ChunkWorkerPool(env, node, mediator));

    static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");

    int Free => _slots - _running.Count - _reserved.Values.Sum();

    /// <summary>Asks offering agents for work while slots are free: highest priority first, then the longest unserved.</summary>
    void Pull()
    {
        while (Free > 0)
        {
            var next = _offers.Where(kv => !kv.Value.Exhausted && !_reserved.ContainsKey(kv.Key))
                .OrderByDescending(kv => kv.Value.Priority).ThenBy(kv => kv.Value.Seen).Select(kv => kv.Key).FirstOrDefault();
            if (next is null) return;
            int ask = Free;
            _reserved[next] = ask;
            _offers[next] = _offers[next] with { Seen = ++_serial }; // round-robin: served agents go to the back
            next.Tell(new ChunkWorkRequest(ask, _node));
            Timers.StartSingleTimer(("res", next), new ReservationExpired(next), TimeSpan.FromSeconds(10));
        }
    }

    void Start(ChunkLease lease, IActorRef agent)
    {
        if (_running.ContainsKey((agent, lease.LeaseId))) return;
        var plan = lease.Plan;
        if (!_env.Runners.TryGetValue(plan.Stage, out var runner))
        {
            agent.Tell(new ChunkLeaseFailed(lease.LeaseId, plan, _node, lease.Attempt, ChunkFailureKind.NodeFault,
                $"node {_node} has no runner for stage {plan.Stage}", ""));
            return;
        }
        var cts = new CancellationTokenSource();
        var run = new Running(lease, agent, cts, ++_serial);
        _running[(agent, lease.LeaseId)] = run;
        Hosting.TalosMetrics.ChunkStarted();
        run.Log.AppendLine($"{Now()} {lease.Job.ShotKey} {plan.Stage} chunk {plan.Chunk} frames {plan.FirstFrame}..{plan.FirstFrame + plan.FrameCount - 1} " +
                           $"attempt {lease.Attempt}{(lease.Speculative ? " (speculative)" : "")} lease {lease.LeaseId} on node {_node}");
        Timers.StartSingleTimer(("timeout", agent, lease.LeaseId), new TimedOut(agent, lease.LeaseId, run.Key), _env.Settings.ChunkTimeout);
        var self = Self;
        var vault = _env.Vault;
        var ct = cts.Token;
        long key = run.Key;
        Task.Run(() =>
        {
            ct.ThrowIfCancellationRequested();
            var job = lease.Job;
            var context = new ChunkContext(job.Spec, plan, vault, job.Inputs, lease.OwnCompleted, job.Revision, job.FrameGains, ct);
            var manifest = runner.Run(context);
            return (object)new Rendered(agent, lease.LeaseId, key, manifest.Store(vault), manifest.Note);
        }, ct).PipeTo(self, failure: e => new Broke(agent, lease.LeaseId, key, e));
    }

    void Fail(Running run, string kind, string reason, string? detail)
    {
        _running.Remove((run.Agent, run.Lease.LeaseId));
        Hosting.TalosMetrics.ChunkEnded();
        Timers.Cancel(("timeout", run.Agent, run.Lease.LeaseId));
        run.Log.AppendLine($"{Now()} failed after {run.Clock.Elapsed.TotalMilliseconds:0} ms ({kind}): {reason}");
        if (detail is not null) run.Log.AppendLine(detail);
        var logHash = StoreLog(run);
        _log.Warning("{0} {1} chunk {2} attempt {3} failed on this node ({4}): {5}", run.Lease.Job.ShotKey, run.Lease.Plan.Stage,
            run.Lease.Plan.Chunk, run.Lease.Attempt, kind, reason);
        run.Agent.Tell(new ChunkLeaseFailed(run.Lease.LeaseId, run.Lease.Plan, _node, run.Lease.Attempt, kind, reason, logHash));
        Pull();
    }

    void Cancel(IActorRef agent, long lease, string why)
    {
        if (!_running.Remove((agent, lease), out var run)) return;
        Hosting.TalosMetrics.ChunkEnded();
        Timers.Cancel(("timeout", agent, lease));
        run.Cts.Cancel();
        _log.Debug("{0} {1} chunk {2} lease {3} cancelled: {4}", run.Lease.Job.ShotKey, run.Lease.Plan.Stage, run.Lease.Plan.Chunk, lease, why);
        Pull();
    }

    /// <summary>The attempt's log lines as a small text blob in the vault, so they outlive this node.</summary>
    string StoreLog(Running run)
    {
        try { return _env.Vault.Put(Encoding.UTF8.GetBytes(run.Log.ToString()), "chunk-log"); }
        catch (IOException e) { _log.Warning("could not store a chunk log: {0}", e.Message); return ""; }
    }

    /// <summary>
    /// Bad input (unreadable or inconsistent inputs, arguments a stage refuses) fails the same way everywhere; out of
    /// memory may pass with fewer frames at once; everything else is taken for a fault of this node.
    /// </summary>
    public static string Classify(Exception e) => Unwrap(e) switch
    {
        InvalidDataException or ArgumentException => ChunkFailureKind.BadInput,
        OutOfMemoryException or InsufficientMemoryException => ChunkFailureKind.OutOfMemory,
        var x when x.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
                   || x.GetType().Name.Contains("OutOfMemory", StringComparison.Ordinal) => ChunkFailureKind.OutOfMemory, // ILGPU, ONNX Runtime
        _ => ChunkFailureKind.NodeFault,
    };

    static Exception Unwrap(Exception e) => e is AggregateException a ? a.Flatten().InnerException ?? e : e;

    protected override void PostStop()
    {
        foreach (var run in _running.Values) run.Cts.Cancel();
    }
}
