using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;

namespace Talos.Actors.Shots;

/// <summary>
/// Runs one stage of one shot by handing its chunks out as leases to the chunk worker pools of the farm (work
/// pulling: pools with free slots ask, see <see cref="ChunkWorkerPool"/>), and reports each finished chunk to the shot,
/// which journals it. Per chunk: pending → leased (→ twin leased when it straggles) → done | back to pending | given up.
/// Failures by cause: bad input gives up at once; out of memory splits the frame range in two; a node fault or a
/// timeout retries with exponential backoff on another node, a bounded number of times; a node the shot avoids (it
/// kept failing) gets no work while another node serves; a lost pool's leases go back to the queue; leases that report nothing for the stall timeout
/// are withdrawn and retried. Sequential stages (STOKES) lease one chunk at a time, in order, never split nor twinned.
/// </summary>
public sealed class StageAgent : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Stages whose chunks are independent frame by frame: an out-of-memory chunk may be rendered in halves.</summary>
    public static readonly IReadOnlySet<string> FrameWise = new HashSet<string> { Stages.Raygen, Stages.Anima };

    readonly StageJob _job;
    readonly IStageRunner _runner;
    readonly RenderSettingsOptions _settings;
    readonly IActorRef _shot;
    readonly IActorRef? _mediator;
    readonly Talos.Vault.IBlobVault _vault;
    readonly ILoggingAdapter _log = Context.GetLogger();

    readonly Dictionary<int, ChunkPlan> _plans;
    readonly List<Item> _pending = new();
    readonly Dictionary<long, Lease> _leases = new();
    readonly Dictionary<IActorRef, string> _pools = new();
    readonly Dictionary<int, string> _own;
    readonly HashSet<int> _done = new();
    /// <summary>Chunks rendered in parts after running out of memory: the frame ranges and the manifests of those done.</summary>
    readonly Dictionary<int, List<ChunkPlan>> _split = new();
    readonly Dictionary<(int Chunk, int First), (string Hash, string Node, string Log)> _parts = new();
    /// <summary>The identities of chunks rendered in parts.</summary>
    readonly Dictionary<int, string> _identities = new();
    /// <summary>What this job's chunk identities share, worked out once (null when an asset the spec names is unknown).</summary>
    readonly ChunkIdentity? _identity;
    readonly HashSet<string> _avoided;
    readonly List<TimeSpan> _durations = new();
    long _leaseSerial;
    /// <summary>
    /// Whether a pool may hold this agent's offer as exhausted (it was answered with no lease or "no more work") or not
    /// at all (nothing published yet): then the next <see cref="Offer"/> publishes at once. Otherwise every pool that
    /// got the last offer still holds it and asks when it has a free slot, so the offer is repeated only every
    /// <see cref="RenderSettingsOptions.OfferRefresh"/> — not every <see cref="RenderSettingsOptions.OfferInterval"/>,
    /// which sent every waiting agent's offer to every pool twice a second (O(agents × pools) remote messages).
    /// </summary>
    bool _offerStale = true;
    /// <summary>Whether the last offer went to every pool (the topic) rather than this node's pool alone.</summary>
    bool _offeredWide;
    DateTime _offeredAt;
    DateTime _lastProgress = DateTime.UtcNow;
    bool _gaveUp;

    sealed class Item(ChunkPlan plan, int attempts)
    {
        public ChunkPlan Plan { get; } = plan;
        public int Attempts { get; set; } = attempts;
        /// <summary>The chunk's content identity once known (null for a split part: parts are not indexed).</summary>
        public string? Identity { get; set; }
        /// <summary>Looked up in the vault's chunk index already (reused if it was there).</summary>
        public bool Checked { get; set; }
        public DateTime NotBefore { get; set; }
        public string? AvoidNode { get; set; }
        public (int, int) Key => (Plan.Chunk, Plan.FirstFrame);
    }

    sealed record Lease(long Id, Item Item, IActorRef Pool, string Node, DateTime Started, bool Speculative);

    sealed class Tick : INoSerializationVerificationNeeded { public static readonly Tick Instance = new(); }
    sealed class Due : INoSerializationVerificationNeeded { public static readonly Due Instance = new(); }

    public StageAgent(StageJob job, IStageRunner runner, TalosEnvironment env, IActorRef shot, IActorRef? mediator)
    {
        _job = job; _runner = runner; _settings = env.Settings; _vault = env.Vault; _shot = shot; _mediator = mediator;
        _plans = job.Todo.ToDictionary(p => p.Chunk);
        _pending.AddRange(job.Todo.OrderBy(p => p.Chunk).Select(p => new Item(p, 0)));
        _own = new Dictionary<int, string>(job.OwnCompleted);
        _avoided = new HashSet<string>(job.AvoidNodes);
        _identity = ChunkIdentity.ForJob(runner, job, env.Vault);

        Receive<ChunkWorkRequest>(OnRequest);
        Receive<ChunkLeaseResult>(OnResult);
        Receive<ChunkLeaseFailed>(OnFailed);
        Receive<Tick>(_ => { CheckStall(); Offer(); });
        Receive<Due>(_ => Offer());
        Receive<Terminated>(t => OnPoolLost(t.ActorRef));
        Receive<ChunkLeasesDeclined>(d => OnDeclined(d.LeaseIds));
        // The shot decided to avoid a node that keeps failing its chunks (it counts failures across all its stages).
        Receive<NodeAvoided>(a => { _avoided.Add(a.Node); Offer(); });
    }

    /// <summary>
    /// Made by a producer that calls the constructor (a shot starts one agent per stage, so per result for short stages):
    /// <c>Props.Create(() => new StageAgent(…))</c> evaluated the expression's arguments and activated by reflection.
    /// </summary>
    public static Props Props(StageJob job, IStageRunner runner, TalosEnvironment env, IActorRef shot, IActorRef? mediator) =>
        Akka.Actor.Props.CreateBy(new Producer(job, runner, env, shot, mediator));

    sealed class Producer(StageJob job, IStageRunner runner, TalosEnvironment env, IActorRef shot, IActorRef? mediator) : IIndirectActorProducer
    {
        public Type ActorType => typeof(StageAgent);
        public ActorBase Produce() => new StageAgent(job, runner, env, shot, mediator);
        public void Release(ActorBase actor) { }
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.OfferInterval);
        ReuseWhatExists();
        Offer();
    }

    /// <summary>Who holds what this stage writes or reuses in the vault: the shot's revision at this stage.</summary>
    Talos.Vault.VaultRef Owner => ChunkWorkerPool.OwnerOf(_job);

    /// <summary>
    /// Content-keyed reuse: a chunk whose identity (<see cref="ChunkIdentity"/>) already has a result in the vault is
    /// done without rendering — reported as reused and journalled so. A sequential stage's chunk can be looked up only
    /// once its predecessors are recorded, so it is checked when it comes first in line.
    /// </summary>
    void ReuseWhatExists()
    {
        foreach (var item in _pending.ToList())
        {
            if (Sequential && (_pending.Count == 0 || item != _pending[0] || _leases.Count > 0)) break;
            if (item.Checked) { if (Sequential) break; continue; }
            var identity = _identity?.Of(item.Plan, _own);
            if (identity is null) { if (Sequential) break; item.Checked = true; continue; }
            item.Identity = identity;
            item.Checked = true;
            string? manifest;
            ChunkManifest? loaded = null;
            try
            {
                manifest = _vault.ReuseChunk(identity, Owner);
                if (manifest is not null) loaded = ChunkManifest.Load(_vault, manifest);
            }
            catch (Exception e) when (e is Talos.Vault.VaultException or System.Text.Json.JsonException or InvalidDataException)
            {
                _log.Warning("{0} {1} chunk {2}: the indexed result cannot be reused ({3}); rendering it", _job.ShotKey, _job.Stage, item.Plan.Chunk, e.Message);
                manifest = null;
            }
            if (manifest is null || loaded is null) { if (Sequential) break; continue; }
            _pending.Remove(item);
            _done.Add(item.Plan.Chunk);
            _own[item.Plan.Chunk] = manifest;
            _shot.Tell(new ChunkDone(_job.Stage, item.Plan.Chunk, manifest, _plans[item.Plan.Chunk].FrameCount, loaded.Note, Reused: true));
        }
    }

    protected override void PostStop()
    {
        // Paused, cancelled, finished or moved: the pools stop what they render for this agent (they also watch it).
        foreach (var lease in _leases.Values) lease.Pool.Tell(new CancelChunkLease(lease.Id));
    }

    // ---- handing out work ----

    bool Sequential => _runner.Sequential;

    IEnumerable<Item> Eligible(DateTime now)
    {
        if (_gaveUp) yield break;
        if (Sequential)
        {
            if (_leases.Count == 0 && _pending.Count > 0 && _pending[0].NotBefore <= now) yield return _pending[0];
            yield break;
        }
        foreach (var item in _pending) if (item.NotBefore <= now) yield return item;
    }

    /// <summary>
    /// Announces the work while there is something to hand out (new, due again, or worth a twin): at once when a pool may
    /// have it as exhausted or never had it, else only as an occasional refresh (see <see cref="_offerStale"/>). To this
    /// node's pool only (in-process; pools with free slots elsewhere get it from there when they are hungry, see
    /// <see cref="ChunkWorkerPool"/>) unless the work needs the whole farm (<see cref="FarmWide"/>) or this node runs no
    /// pool: then on the topic, to every pool.
    /// </summary>
    void Offer()
    {
        if (_mediator is null) return;
        var now = DateTime.UtcNow;
        bool twin = StragglerFor(null, now) is not null;
        if (!Eligible(now).Any() && !twin) return;
        var local = twin || FarmWide(now) ? null : ChunkWorkerPool.LocalTo(Context.System);
        // Work that needs the whole farm now, offered only locally so far: the other pools do not hold it, so it is news.
        bool widened = local is null && !_offeredWide;
        if (!_offerStale && !widened && now - _offeredAt < _settings.OfferRefresh) return;
        var offer = new ChunkWorkOffered(Self, _job.Priority);
        if (local is not null) local.Tell(offer);
        else _mediator.Tell(new Publish(ChunkWorkerPool.Topic, offer));
        _offerStale = false;
        _offeredWide = local is null;
        _offeredAt = now;
    }

    /// <summary>
    /// Work every pool should see at once: a raised priority (the first free slot anywhere takes it), a node the shot
    /// avoids or a chunk that failed on a node (another node should take it), as before offers went to the local pool first.
    /// </summary>
    bool FarmWide(DateTime now) => _job.Priority > 0 || _avoided.Count > 0 || Eligible(now).Any(i => i.AvoidNode is not null);

    void OnRequest(ChunkWorkRequest request)
    {
        var pool = Sender;
        if (!_pools.ContainsKey(pool)) Context.Watch(pool);
        _pools[pool] = request.Node;
        var now = DateTime.UtcNow;
        var granted = new List<ChunkLease>();
        var otherNodes = _pools.Values.Where(n => n != request.Node && !_avoided.Contains(n)).Distinct().Count();
        // An avoided node gets no work while a node that is not avoided serves the farm.
        bool avoidedHere = _avoided.Contains(request.Node) && otherNodes > 0;
        if (!avoidedHere)
        {
            foreach (var item in Eligible(now).ToList())
            {
                if (granted.Count >= request.Slots) break;
                // A chunk that failed on this node waits a little for another node before it comes back here.
                if (item.AvoidNode == request.Node && otherNodes > 0 && now - item.NotBefore < TimeSpan.FromSeconds(2)) continue;
                _pending.Remove(item);
                granted.Add(Grant(item, pool, request.Node, speculative: false, now));
            }
            while (granted.Count < request.Slots && StragglerFor(request.Node, now) is { } straggler)
            {
                _log.Info("{0} {1}", _job.ShotKey, $"{_job.Stage} chunk {straggler.Item.Plan.Chunk} runs {(now - straggler.Started).TotalSeconds:0.0} s on " +
                    $"{straggler.Node}, past {_settings.SpeculateFactor}x the median: a speculative run on {request.Node}");
                granted.Add(Grant(straggler.Item, pool, request.Node, speculative: true, now));
            }
        }
        bool more = Eligible(now).Any();
        // The pool now holds this agent as exhausted: work that becomes eligible later must be announced again.
        if (granted.Count == 0 || !more) _offerStale = true;
        pool.Tell(new ChunkLeaseGrant(granted, more, request.Request));
    }

    ChunkLease Grant(Item item, IActorRef pool, string node, bool speculative, DateTime now)
    {
        if (_leases.Count == 0) _lastProgress = now;
        item.Attempts++;
        var lease = new Lease(++_leaseSerial, item, pool, node, now, speculative);
        _leases[lease.Id] = lease;
        return new ChunkLease(lease.Id, _job, item.Plan, item.Attempts, speculative, new Dictionary<int, string>(_own), item.Identity);
    }

    /// <summary>A lease running far past the stage's median chunk time, on another node than <paramref name="node"/>, with no twin yet.</summary>
    Lease? StragglerFor(string? node, DateTime now)
    {
        if (Sequential || _gaveUp || _durations.Count < _settings.SpeculateMinSamples) return null;
        var sorted = _durations.OrderBy(d => d).ToList();
        var threshold = TimeSpan.FromTicks(Math.Max(_settings.SpeculateAfter.Ticks, (long)(sorted[sorted.Count / 2].Ticks * _settings.SpeculateFactor)));
        return _leases.Values
            .Where(l => !l.Speculative && l.Node != node && now - l.Started > threshold)
            .Where(l => _leases.Values.Count(o => o.Item == l.Item) == 1)
            .OrderBy(l => l.Started).FirstOrDefault();
    }

    // ---- results ----

    void OnResult(ChunkLeaseResult r)
    {
        _leases.Remove(r.LeaseId);
        _lastProgress = DateTime.UtcNow;
        var key = (r.Plan.Chunk, r.Plan.FirstFrame);
        if (_done.Contains(r.Plan.Chunk) || _parts.ContainsKey(key)) return; // a twin or a withdrawn lease came second: the first won
        _durations.Add(r.Took);
        Withdraw(key);
        if (_split.TryGetValue(r.Plan.Chunk, out var ranges))
        {
            _parts[key] = (r.ManifestHash, r.Node, r.LogHash);
            if (ranges.All(p => _parts.ContainsKey((p.Chunk, p.FirstFrame)))) CompleteSplit(r.Plan.Chunk, ranges, r.Attempt);
        }
        else Complete(r.Plan.Chunk, r.ManifestHash, r.Note, r.Node, r.Attempt, r.LogHash);
        ReuseWhatExists();
        Offer();
    }

    /// <summary>Withdraws every other lease and queued copy of a range that is done.</summary>
    void Withdraw((int, int) key)
    {
        foreach (var other in _leases.Values.Where(l => l.Item.Key == key).ToList())
        {
            other.Pool.Tell(new CancelChunkLease(other.Id));
            _leases.Remove(other.Id);
        }
        _pending.RemoveAll(i => i.Key == key);
    }

    void Complete(int chunk, string hash, string? note, string node, int attempt, string logHash)
    {
        _done.Add(chunk);
        _own[chunk] = hash;
        _shot.Tell(new ChunkDone(_job.Stage, chunk, hash, _plans[chunk].FrameCount, note, node, attempt, logHash));
    }

    /// <summary>All parts of a split chunk are rendered: one manifest with every frame, as if it had rendered whole.</summary>
    void CompleteSplit(int chunk, List<ChunkPlan> ranges, int attempt)
    {
        var vault = _vault;
        var parts = ranges.OrderBy(p => p.FirstFrame).Select(p => (Plan: p, Part: _parts[(p.Chunk, p.FirstFrame)])).ToList();
        var manifests = parts.Select(p => ChunkManifest.Load(vault, p.Part.Hash)).ToList();
        var whole = _plans[chunk];
        var merged = new ChunkManifest(_job.Stage, chunk, whole.FirstFrame, manifests.SelectMany(m => m.Frames).OrderBy(f => f.Frame).ToList());
        var log = $"{_job.ShotKey} {_job.Stage} chunk {chunk} ran out of memory and was rendered in {parts.Count} parts:\n" +
                  string.Join("\n", parts.Select(p => $"frames {p.Plan.FirstFrame}..{p.Plan.FirstFrame + p.Plan.FrameCount - 1} on {p.Part.Node}: log {p.Part.Log}")) + "\n";
        // Owned from the moment they are written, as a pool writes a chunk's outputs (the collector never sees them unowned).
        var owned = new Talos.Vault.OwnedVault(vault, Owner);
        var logHash = owned.Put(System.Text.Encoding.UTF8.GetBytes(log), "chunk-log");
        var mergedHash = merged.Store(owned);
        if (_identities.TryGetValue(chunk, out var identity)) vault.RecordChunk(identity, mergedHash);
        Complete(chunk, mergedHash, null, parts[^1].Part.Node, attempt, logHash);
    }

    // ---- failures ----

    void OnFailed(ChunkLeaseFailed f)
    {
        if (!_leases.Remove(f.LeaseId, out var lease)) return; // a lease already withdrawn
        _lastProgress = DateTime.UtcNow;
        _shot.Tell(new ChunkAttemptFailed(_job.Stage, f.Plan.Chunk, f.Attempt, f.Reason, f.Node, f.Kind, f.LogHash));
        var item = lease.Item;
        if (_done.Contains(f.Plan.Chunk) || _parts.ContainsKey(item.Key) || _gaveUp) return;
        if (_leases.Values.Any(l => l.Item == item)) return; // its twin still runs and may succeed
        switch (f.Kind)
        {
            case ChunkFailureKind.BadInput:
                GiveUp(item, "bad input: " + f.Reason);
                break;
            case ChunkFailureKind.OutOfMemory when !Sequential && FrameWise.Contains(_job.Stage) && item.Plan.FrameCount > 1:
                Split(item, f.Node);
                break;
            default:
                if (item.Attempts > _settings.MaxChunkRetries) { GiveUp(item, f.Reason); break; }
                Requeue(item, f.Node, Backoff(item.Attempts));
                break;
        }
    }

    TimeSpan Backoff(int attempts)
    {
        double ms = _settings.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempts - 1));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _settings.MaxBackoff.TotalMilliseconds));
    }

    void Requeue(Item item, string? avoidNode, TimeSpan delay)
    {
        item.NotBefore = DateTime.UtcNow + delay;
        item.AvoidNode = avoidNode;
        _pending.Add(item);
        _pending.Sort((a, b) => a.Key.CompareTo(b.Key));
        if (delay > TimeSpan.Zero) Timers.StartSingleTimer(("due", item.Key), Due.Instance, delay);
        else Offer();
    }

    void Split(Item item, string node)
    {
        var p = item.Plan;
        int half = p.FrameCount / 2;
        var a = p with { FrameCount = half };
        var b = p with { FirstFrame = p.FirstFrame + half, FrameCount = p.FrameCount - half };
        if (!_split.TryGetValue(p.Chunk, out var ranges)) _split[p.Chunk] = ranges = [p];
        if (item.Identity is not null) _identities[p.Chunk] = item.Identity; // the merged result is indexed under the whole chunk's identity
        ranges.RemoveAll(r => r.FirstFrame == p.FirstFrame);
        ranges.Add(a); ranges.Add(b);
        _log.Warning("{0} {1}", _job.ShotKey, $"{_job.Stage} chunk {p.Chunk}: out of memory on {node} with {p.FrameCount} frames; retrying as " +
            $"frames {a.FirstFrame}..{a.FirstFrame + a.FrameCount - 1} and {b.FirstFrame}..{b.FirstFrame + b.FrameCount - 1}");
        Requeue(new Item(a, item.Attempts), null, TimeSpan.Zero);
        Requeue(new Item(b, item.Attempts), null, TimeSpan.Zero);
    }

    void GiveUp(Item item, string reason)
    {
        _gaveUp = true;
        _pending.Clear();
        _shot.Tell(new ChunkGaveUp(_job.Stage, item.Plan.Chunk, item.Attempts, reason));
    }


    /// <summary>A pool's node left or died: what it had leased goes back to the queue, without counting as an attempt.</summary>
    void OnPoolLost(IActorRef pool)
    {
        if (!_pools.Remove(pool, out var node)) return;
        foreach (var lease in _leases.Values.Where(l => l.Pool.Equals(pool)).ToList()) Return(lease, $"node {node} is gone", node);
    }

    /// <summary>A pool declined leases it had no slot for (a late grant): they go back to the queue, not counted as attempts.</summary>
    void OnDeclined(IReadOnlyList<long> ids)
    {
        foreach (var id in ids)
            if (_leases.TryGetValue(id, out var lease)) Return(lease, $"declined by {lease.Node}", null);
    }

    void Return(Lease lease, string why, string? avoidNode)
    {
        _leases.Remove(lease.Id);
        var item = lease.Item;
        item.Attempts--; // the returned lease never ran to a result: not an attempt, even when its twin still runs
        if (_done.Contains(item.Plan.Chunk) || _parts.ContainsKey(item.Key) || _leases.Values.Any(l => l.Item == item)) return;
        _log.Info("{0} {1} chunk {2}: {3}; re-queued", _job.ShotKey, _job.Stage, item.Plan.Chunk, why);
        Requeue(item, avoidNode, TimeSpan.Zero);
    }

    /// <summary>
    /// When the stage reports nothing at all for the stall timeout (a wedged node), the leases held that long are withdrawn
    /// and retried elsewhere; a lease granted since is not blamed.
    /// </summary>
    void CheckStall()
    {
        var now = DateTime.UtcNow;
        if (_leases.Count == 0 || now - _lastProgress < _settings.StallTimeout) return;
        _lastProgress = now;
        var stalled = _leases.Values.Where(l => now - l.Started >= _settings.StallTimeout).ToList();
        if (stalled.Count == 0) return;
        var reason = $"no progress for {_settings.StallTimeout.TotalSeconds:0.###} s";
        _log.Warning("{0} {1}: {2}; withdrawing {3} lease(s)", _job.ShotKey, _job.Stage, reason, stalled.Count);
        foreach (var lease in stalled)
        {
            lease.Pool.Tell(new CancelChunkLease(lease.Id));
            Self.Tell(new ChunkLeaseFailed(lease.Id, lease.Item.Plan, lease.Node, lease.Item.Attempts, ChunkFailureKind.Timeout, reason, ""), lease.Pool);
        }
    }
}
