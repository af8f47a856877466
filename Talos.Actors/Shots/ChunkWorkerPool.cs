using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Vault;

namespace Talos.Actors.Shots;

/// <summary>
/// One per render node (role gpu): the node's chunk capacity (<see cref="RenderSettingsOptions.ChunkSlots"/>). It
/// listens on the work topic for stage agents that have chunks, PULLS leases from them while it has free slots
/// (highest priority first, round-robin among equals), renders each leased range off the actor thread, stores its
/// outputs, manifest, the attempt's log and the chunk's index row in the vault as ONE <see cref="VaultBatch"/> (one
/// commit: a catalogue transaction, one flush of the files, the index row once they are durable) and reports back. It never runs more chunks than its slots: a grant that
/// comes after its reservation expired (the slots went to other work) runs what still fits and declines the rest. The
/// actor thread never touches the vault. It never writes shot state: the agent hands the result to the shot, the single
/// writer. States per lease: reserved (asked) → running → reported | cancelled | declined.
/// <para>
/// Where offers come from: a stage agent offers to its own node's pool (<see cref="LocalTo"/>, in-process) unless the
/// work needs the whole farm (a raised priority, an avoided node, a chunk to retry on another node, a straggler to twin:
/// published on <see cref="Topic"/> to every pool). A pool with free slots and no offer to ask announces itself on
/// <see cref="HungryTopic"/> (at once, then at most every <see cref="RenderSettingsOptions.OfferInterval"/> doubling up
/// to <see cref="RenderSettingsOptions.OfferRefresh"/> while it stays hungry); a pool holding offers it has no slot for
/// forwards up to that many of them to it, and remembers it for a while to forward offers that come later. So a chunk
/// whose shot's node has a free slot costs no remote message, and an idle node still gets the surplus of busy ones.
/// </para>
/// </summary>
public sealed class ChunkWorkerPool : ReceiveActor, IWithTimers
{
    public const string Topic = "talos-chunk-work";
    /// <summary>Where pools with free slots and nothing to ask announce themselves (<see cref="ChunkPoolHungry"/>).</summary>
    public const string HungryTopic = "talos-chunk-hungry";

    /// <summary>Each actor system's chunk pool (one that listens to the farm's topics, i.e. has a mediator).</summary>
    static readonly ConditionalWeakTable<ActorSystem, IActorRef> Local = new();

    /// <summary>The chunk pool of <paramref name="system"/>'s node, if it runs one on the farm's topics.</summary>
    public static IActorRef? LocalTo(ActorSystem system) => Local.TryGetValue(system, out var pool) ? pool : null;
    public ITimerScheduler Timers { get; set; } = null!;

    readonly TalosEnvironment _env;
    readonly string _node;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly int _slots;
    readonly IActorRef? _mediator;
    /// <summary>Pools that announced free slots and nothing to ask: offers this pool has no slot for go to them (until Until).</summary>
    readonly Dictionary<IActorRef, Hungry> _hungry = new();
    DateTime _hungryAt = DateTime.MinValue;
    TimeSpan _hungryEvery;
    /// <summary>Agents that offered work; Exhausted once they answered a request with nothing, until they offer again.</summary>
    readonly Dictionary<IActorRef, (int Priority, bool Exhausted, long Seen)> _offers = new();
    readonly Dictionary<IActorRef, (long Request, int Slots)> _reserved = new();
    long _requests;
    /// <summary>Leases are numbered by their agent, never reused: (agent, lease) names one run.</summary>
    readonly Dictionary<(IActorRef Agent, long Lease), Running> _running = new();
    long _serial;

    /// <summary>One leased range rendering here; <c>Log</c> is the attempt log's first line.</summary>
    sealed record Running(ChunkLease Lease, IActorRef Agent, CancellationTokenSource Cts, string Log)
    {
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
    }

    /// <summary>A chunk rendered and committed to the vault with its attempt log (<c>LogHash</c>) and index row.</summary>
    sealed record Rendered(IActorRef Agent, long Lease, string ManifestHash, string? Note, string LogHash) : INoSerializationVerificationNeeded;
    sealed record Broke(IActorRef Agent, long Lease, Exception Error) : INoSerializationVerificationNeeded;
    sealed record TimedOut(IActorRef Agent, long Lease) : INoSerializationVerificationNeeded;
    sealed record ReservationExpired(IActorRef Agent) : INoSerializationVerificationNeeded;
    /// <summary>A pool that said it has <c>Slots</c> free slots and nothing to ask; <c>Sent</c>: the offers forwarded to it.</summary>
    sealed class Hungry(int slots, DateTime until)
    {
        public int Slots { get; set; } = slots;
        public DateTime Until { get; set; } = until;
        public HashSet<IActorRef> Sent { get; } = new();
    }

    sealed class HungerDue : INoSerializationVerificationNeeded { public static readonly HungerDue Instance = new(); }

    public ChunkWorkerPool(TalosEnvironment env, string node, IActorRef? mediator)
    {
        _env = env; _node = node; _slots = env.Settings.ChunkSlots; _mediator = mediator;
        _hungryEvery = env.Settings.OfferInterval;
        // Registered at once (not in PreStart, which runs later on the pool's dispatcher): an agent created right after
        // the pool already finds it.
        if (mediator is not null) Local.AddOrUpdate(Context.System, Self);
        mediator?.Tell(new Subscribe(Topic, Self));
        mediator?.Tell(new Subscribe(HungryTopic, Self));

        // Listening on the hungry topic: a pool that starts idle says so (a node that joins a busy farm gets its surplus).
        Receive<SubscribeAck>(a => { if (a.Subscribe.Topic == HungryTopic) Pull(); });
        Receive<ChunkPoolHungry>(h =>
        {
            if (h.Pool.Equals(Self) || h.Slots <= 0) return;
            // Said again: its slots are still free, so what was forwarded before did not fill them (it may be re-sent).
            _hungry[h.Pool] = new Hungry(h.Slots, DateTime.UtcNow + 2 * _env.Settings.OfferRefresh);
            ShareSurplus();
        });
        Receive<HungerDue>(_ => Pull());
        Receive<ChunkWorkOffered>(o =>
        {
            if (!_offers.ContainsKey(o.Agent)) Context.Watch(o.Agent);
            // An agent re-offers while it has work: it keeps its place in the round-robin (a new offer goes to the back).
            _offers[o.Agent] = (o.Priority, false, _offers.TryGetValue(o.Agent, out var known) ? known.Seen : ++_serial);
            Pull();
        });
        Receive<ChunkLeaseGrant>(g =>
        {
            // Only the grant answering the agent's current request releases its reservation (a late one finds it gone or newer).
            if (_reserved.TryGetValue(Sender, out var r) && r.Request == g.Request)
            {
                _reserved.Remove(Sender);
                Timers.Cancel(("res", Sender));
            }
            if (_offers.TryGetValue(Sender, out var o)) _offers[Sender] = o with { Exhausted = !g.MoreWork || g.Leases.Count == 0 };
            // A grant after its reservation expired may find the slots given to other work: what does not fit goes back.
            var declined = new List<long>();
            foreach (var lease in g.Leases)
                if (Free > 0 || _running.ContainsKey((Sender, lease.LeaseId))) Start(lease, Sender);
                else declined.Add(lease.LeaseId);
            if (declined.Count > 0)
            {
                _log.Info("declined {0} lease(s) granted after their reservation expired: no free slot", declined.Count);
                Sender.Tell(new ChunkLeasesDeclined(declined));
            }
            Pull();
        });
        Receive<ReservationExpired>(r => { _reserved.Remove(r.Agent); _offers.Remove(r.Agent); Pull(); });
        Receive<CancelChunkLease>(c => Cancel(Sender, c.LeaseId, "withdrawn by its agent"));
        Receive<Rendered>(r =>
        {
            if (!_running.Remove((r.Agent, r.Lease), out var run)) return; // cancelled meanwhile
            Hosting.TalosMetrics.ChunkEnded();
            Timers.Cancel(("timeout", r.Agent, r.Lease));
            var plan = run.Lease.Plan;
            _env.Timings.Add(plan.Stage, plan.FrameCount, run.Clock.Elapsed);
            Hosting.TalosMetrics.ChunkRendered(plan.Stage, plan.FrameCount, run.Clock.Elapsed);
            _env.OnChunkRendered(run.Lease.Job.ShotKey, plan.Stage, plan.Chunk);
            // Its log and index row were committed with its outputs: the result goes at once (no second vault write).
            run.Agent.Tell(new ChunkLeaseResult(r.Lease, plan, r.ManifestHash, r.Note, _node, run.Lease.Attempt, r.LogHash, run.Clock.Elapsed));
            Pull();
        });
        Receive<Broke>(b =>
        {
            if (!_running.TryGetValue((b.Agent, b.Lease), out var run)) return; // the cancelled work of a withdrawn lease
            var error = Unwrap(b.Error);
            Fail(run, Classify(error), error.Message, error.ToString());
        });
        Receive<TimedOut>(t =>
        {
            if (!_running.TryGetValue((t.Agent, t.Lease), out var run)) return;
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

    int Free => _slots - _running.Count - _reserved.Values.Sum(r => r.Slots);

    /// <summary>Asks offering agents for work while slots are free: highest priority first, then the longest unserved.</summary>
    void Pull()
    {
        while (Free > 0)
        {
            var next = _offers.Where(kv => !kv.Value.Exhausted && !_reserved.ContainsKey(kv.Key))
                .OrderByDescending(kv => kv.Value.Priority).ThenBy(kv => kv.Value.Seen).Select(kv => kv.Key).FirstOrDefault();
            if (next is null) break;
            int ask = Free;
            _reserved[next] = (++_requests, ask);
            _offers[next] = _offers[next] with { Seen = ++_serial }; // round-robin: served agents go to the back
            next.Tell(new ChunkWorkRequest(ask, _node, _requests));
            Timers.StartSingleTimer(("res", next), new ReservationExpired(next), _env.Settings.ReservationTimeout);
        }
        if (Free > 0) Hunger(); else ShareSurplus();
    }

    /// <summary>Offers this pool would ask but has no slot for, in the order it would ask them.</summary>
    IEnumerable<IActorRef> Surplus() => _offers.Where(kv => !kv.Value.Exhausted && !_reserved.ContainsKey(kv.Key))
        .OrderByDescending(kv => kv.Value.Priority).ThenBy(kv => kv.Value.Seen).Select(kv => kv.Key);

    /// <summary>
    /// Forwards offers this pool has no slot for to pools that said they are hungry, each up to its free slots (an offer
    /// to one of them; this pool keeps it too, and whichever asks first gets the chunks).
    /// </summary>
    void ShareSurplus()
    {
        if (_hungry.Count == 0) return;
        var now = DateTime.UtcNow;
        foreach (var gone in _hungry.Where(h => h.Value.Until < now).Select(h => h.Key).ToList()) _hungry.Remove(gone);
        if (_hungry.Count == 0 || Free > 0) return;
        var surplus = new Queue<IActorRef>(Surplus());
        foreach (var (pool, hungry) in _hungry.ToList())
        {
            // An offer goes to one hungry pool per round, and never twice to the same one.
            int skipped = 0;
            while (hungry.Slots > 0 && surplus.Count > skipped)
            {
                var agent = surplus.Dequeue();
                if (!hungry.Sent.Add(agent)) { surplus.Enqueue(agent); skipped++; continue; }
                pool.Tell(new ChunkWorkOffered(agent, _offers[agent].Priority));
                hungry.Slots--;
            }
            if (hungry.Slots <= 0) _hungry.Remove(pool);
            if (surplus.Count == 0) break;
        }
    }

    /// <summary>
    /// Free slots and nothing to ask: announced on <see cref="HungryTopic"/> at once, then while it lasts at intervals
    /// doubling from <see cref="RenderSettingsOptions.OfferInterval"/> to <see cref="RenderSettingsOptions.OfferRefresh"/>.
    /// </summary>
    void Hunger()
    {
        if (_mediator is null) return;
        var now = DateTime.UtcNow;
        var due = _hungryAt + _hungryEvery;
        if (now < due)
        {
            if (!Timers.IsTimerActive("hungry")) Timers.StartSingleTimer("hungry", HungerDue.Instance, due - now);
            return;
        }
        _mediator.Tell(new Publish(HungryTopic, new ChunkPoolHungry(Self, Free)));
        _hungryAt = now;
        Timers.StartSingleTimer("hungry", HungerDue.Instance, _hungryEvery);
        _hungryEvery = TimeSpan.FromTicks(Math.Min(2 * _hungryEvery.Ticks, Math.Max(_env.Settings.OfferRefresh.Ticks, _env.Settings.OfferInterval.Ticks)));
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
        var run = new Running(lease, agent, cts,
            $"{Now()} {lease.Job.ShotKey} {plan.Stage} chunk {plan.Chunk} frames {plan.FirstFrame}..{plan.FirstFrame + plan.FrameCount - 1} " +
            $"attempt {lease.Attempt}{(lease.Speculative ? " (speculative)" : "")} lease {lease.LeaseId} on node {_node}\n");
        _running[(agent, lease.LeaseId)] = run;
        Hosting.TalosMetrics.ChunkStarted();
        _hungryEvery = _env.Settings.OfferInterval; // fed: the next time it runs dry it says so at once
        Timers.StartSingleTimer(("timeout", agent, lease.LeaseId), new TimedOut(agent, lease.LeaseId), _env.Settings.ChunkTimeout);
        var self = Self;
        var vault = _env.Vault;
        var ct = cts.Token;
        Task.Run(() =>
        {
            ct.ThrowIfCancellationRequested();
            var job = lease.Job;
            // Everything the chunk writes is held from the moment it is written; its small blobs, its manifest, the
            // attempt's log and the chunk-index row are committed together (one catalogue transaction, one flush of the
            // files; the index row once the manifest is durable) before the chunk counts as rendered. A chunk that fails
            // or is cancelled drops them (its large blobs' temp files too).
            using var owned = new VaultBatch(vault, OwnerOf(job));
            var context = new ChunkContext(job.Spec, plan, owned, job.Inputs, lease.OwnCompleted, job.Revision, job.FrameGains, ct)
            {
                Cores = Math.Max(1, Environment.ProcessorCount / Math.Max(1, _slots)),
            };
            var manifest = runner.Run(context);
            var manifestHash = manifest.Store(owned);
            var logHash = owned.Put(Encoding.UTF8.GetBytes(
                $"{run.Log}{Now()} rendered in {run.Clock.Elapsed.TotalMilliseconds:0} ms; manifest {manifestHash}\n"), "chunk-log");
            if (lease.Identity is { } identity) owned.RecordChunk(identity, manifestHash);
            owned.Commit();
            return (object)new Rendered(agent, lease.LeaseId, manifestHash, manifest.Note, logHash);
        }, ct).PipeTo(self, failure: e => new Broke(agent, lease.LeaseId, e));
    }

    void Fail(Running run, string kind, string reason, string? detail)
    {
        _running.Remove((run.Agent, run.Lease.LeaseId));
        Hosting.TalosMetrics.ChunkEnded();
        Timers.Cancel(("timeout", run.Agent, run.Lease.LeaseId));
        _log.Warning("{0} {1} chunk {2} attempt {3} failed on this node ({4}): {5}", run.Lease.Job.ShotKey, run.Lease.Plan.Stage,
            run.Lease.Plan.Chunk, run.Lease.Attempt, kind, reason);
        Report(run, $"{Now()} failed after {run.Clock.Elapsed.TotalMilliseconds:0} ms ({kind}): {reason}\n{(detail is null ? "" : detail + "\n")}",
            log => new ChunkLeaseFailed(run.Lease.LeaseId, run.Lease.Plan, _node, run.Lease.Attempt, kind, reason, log));
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

    /// <summary>
    /// Off the actor thread: stores a failed attempt's log (its first line and <paramref name="end"/>) as a small text blob
    /// in the vault, so it outlives this node, then tells the agent the outcome naming that log ("" when it could not be
    /// stored). A rendered chunk's log goes in the chunk's own commit instead (<see cref="Start"/>).
    /// </summary>
    void Report(Running run, string end, Func<string, ITalosMessage> outcome)
    {
        var (vault, log, agent, self, text, owner) = (_env.Vault, _log, run.Agent, Self, run.Log + end, OwnerOf(run.Lease.Job));
        Task.Run(() =>
        {
            string hash;
            try
            {
                using var batch = new VaultBatch(vault, owner);
                hash = batch.Put(Encoding.UTF8.GetBytes(text), "chunk-log");
                batch.Commit();
            }
            catch (Exception e) { log.Warning("could not store a chunk log: {0}", e.Message); hash = ""; }
            agent.Tell(outcome(hash), self);
        });
    }

    /// <summary>Who holds what a chunk of <paramref name="job"/> writes: its shot's spec revision at its stage.</summary>
    public static VaultRef OwnerOf(StageJob job) => new(job.Spec.Production, job.ShotKey, job.SpecRevision, job.Stage);

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
        if (Local.TryGetValue(Context.System, out var registered) && registered.Equals(Self)) Local.Remove(Context.System);
        foreach (var run in _running.Values) run.Cts.Cancel();
    }
}
