using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Talos.Actors.Pipeline;
using Talos.Messages;
using Talos.Messages.Commands;
using Talos.Messages.Specs;

namespace Talos.Actors.Shots;

/// <summary>What a stage agent is asked to do: the chunks still to render and the inputs they read.</summary>
public sealed record StageJob(string ShotKey, string Stage, ShotSpec Spec, IReadOnlyList<ChunkPlan> Todo,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Inputs, IReadOnlyDictionary<int, string> OwnCompleted,
    int Revision, IReadOnlyDictionary<int, float> FrameGains) : ITalosMessage;

/// <summary>
/// Runs one stage of one shot: starts a supervised chunk worker per chunk (a backoff supervisor restarts a failed
/// worker with exponential backoff, a bounded number of times), up to the node's capacity at once, or one at a
/// time for sequential stages. Reports each finished chunk to the shot, which journals it.
/// </summary>
public sealed class StageAgent : ReceiveActor
{
    readonly StageJob _job;
    readonly IStageRunner _runner;
    readonly TalosEnvironment _env;
    readonly IActorRef _shot;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly Queue<ChunkPlan> _pending;
    readonly Dictionary<IActorRef, ChunkPlan> _running = new();
    readonly Dictionary<int, (int Attempts, string Reason)> _failures = new();
    readonly Dictionary<int, string> _own;
    readonly HashSet<int> _done = new();

    public StageAgent(StageJob job, IStageRunner runner, TalosEnvironment env, IActorRef shot)
    {
        _job = job; _runner = runner; _env = env; _shot = shot;
        _pending = new Queue<ChunkPlan>(job.Todo.OrderBy(p => p.Chunk));
        _own = new Dictionary<int, string>(job.OwnCompleted);

        Receive<ChunkDone>(d =>
        {
            _done.Add(d.Chunk);
            _own[d.Chunk] = d.ManifestHash;
            _shot.Tell(d);
            Fill();
        });
        Receive<ChunkAttemptFailed>(f =>
        {
            _failures[f.Chunk] = (f.Attempt, f.Reason);
            _shot.Tell(f);
        });
        Receive<Terminated>(t =>
        {
            if (!_running.Remove(t.ActorRef, out var plan)) return;
            if (!_done.Contains(plan.Chunk))
            {
                var (attempts, reason) = _failures.TryGetValue(plan.Chunk, out var f) ? f : (0, "worker stopped");
                _shot.Tell(new ChunkGaveUp(plan.Stage, plan.Chunk, attempts, reason));
                _pending.Clear();
                return;
            }
            Fill();
        });
    }

    public static Props Props(StageJob job, IStageRunner runner, TalosEnvironment env, IActorRef shot) =>
        Akka.Actor.Props.Create(() => new StageAgent(job, runner, env, shot));

    protected override void PreStart() => Fill();

    void Fill()
    {
        int limit = _runner.Sequential ? 1 : _env.Settings.ChunkSlots;
        while (_running.Count < limit && _pending.Count > 0)
        {
            var plan = _pending.Dequeue();
            var attempts = new AttemptCounter();
            var worker = ChunkWorker.Props(_job, plan, _runner, _env, Self, attempts, new Dictionary<int, string>(_own));
            var options = Backoff.OnFailure(worker, "worker", _env.Settings.MinBackoff, _env.Settings.MaxBackoff, 0.0,
                    _env.Settings.MaxChunkRetries)
                .WithSupervisorStrategy(new OneForOneStrategy(_env.Settings.MaxChunkRetries, -1, _ => Directive.Restart, loggingEnabled: false));
            var supervisor = Context.ActorOf(BackoffSupervisor.Props(options), $"chunk-{plan.Chunk}");
            Context.Watch(supervisor);
            _running[supervisor] = plan;
        }
    }
}

/// <summary>Attempt count that survives the worker's restarts (the same instance is captured by its Props).</summary>
public sealed class AttemptCounter
{
    int _value;
    public int Next() => Interlocked.Increment(ref _value);
}

/// <summary>
/// Renders one chunk: waits for a capacity slot, runs the stage's pure function off the actor thread, stores the
/// manifest in the vault, reports ChunkDone and stops. A failure is reported and rethrown so that the backoff
/// supervisor above restarts it later.
/// </summary>
public sealed class ChunkWorker : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    readonly CancellationTokenSource _cts = new();

    sealed record WorkSucceeded(string ManifestHash, int FrameCount, string? Note) : ITalosMessage;
    /// <summary>A failed attempt; <paramref name="BadInput"/> when retrying cannot help (the inputs are wrong, not the node).</summary>
    sealed record WorkFailed(int Attempt, string Reason, bool BadInput) : ITalosMessage;
    sealed record WorkStarted(int Attempt) : ITalosMessage;
    sealed record TimedOut(int Attempt) : ITalosMessage;

    public ChunkWorker(StageJob job, ChunkPlan plan, IStageRunner runner, TalosEnvironment env, IActorRef agent,
        AttemptCounter attempts, IReadOnlyDictionary<int, string> own)
    {
        int attempt = attempts.Next();
        var ct = _cts.Token;
        var self = Self;
        Task.Run(async () =>
        {
            await env.Slots.WaitAsync(ct);
            try
            {
                self.Tell(new WorkStarted(attempt));
                ct.ThrowIfCancellationRequested();
                var context = new ChunkContext(job.Spec, plan, env.Vault, job.Inputs, own, job.Revision, job.FrameGains, ct);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var manifest = runner.Run(context);
                var hash = manifest.Store(env.Vault);
                env.Timings.Add(plan.Stage, plan.FrameCount, clock.Elapsed);
                Hosting.TalosMetrics.ChunkRendered(plan.Stage, plan.FrameCount, clock.Elapsed);
                return new WorkSucceeded(hash, plan.FrameCount, manifest.Note);
            }
            finally { env.Slots.Release(); }
        }, ct).PipeTo(Self, success: r => r, failure: e => new WorkFailed(attempt, Describe(e), IsBadInput(e)));

        // A chunk that renders longer than the timeout is a node fault (a hung driver, a stuck disk): cancel it and let
        // the supervisor retry it with backoff. The clock starts when the chunk gets its slot, not while it queues.
        Receive<WorkStarted>(started => Timers.StartSingleTimer("timeout", new TimedOut(started.Attempt), env.Settings.ChunkTimeout));
        Receive<TimedOut>(t =>
        {
            if (t.Attempt != attempt) return;
            _cts.Cancel();
            var reason = $"timed out after {env.Settings.ChunkTimeout.TotalSeconds:0.###} s";
            agent.Tell(new ChunkAttemptFailed(plan.Stage, plan.Chunk, attempt, reason));
            throw new ChunkFailedException($"{plan.Stage} chunk {plan.Chunk} attempt {attempt}: {reason}");
        });

        Receive<WorkSucceeded>(ok =>
        {
            env.OnChunkRendered(job.ShotKey, plan.Stage, plan.Chunk);
            agent.Tell(new ChunkDone(plan.Stage, plan.Chunk, ok.ManifestHash, ok.FrameCount, ok.Note));
            Context.Stop(Self);
        });
        Receive<WorkFailed>(f =>
        {
            if (f.Attempt != attempt) return; // the cancelled work of an earlier, timed-out attempt
            agent.Tell(new ChunkAttemptFailed(plan.Stage, plan.Chunk, attempt, f.BadInput ? "bad input: " + f.Reason : f.Reason));
            // Bad input fails the same way every time: stop now (the supervisor then stops and the shot fails with
            // the reason) instead of spending the retries and their backoff on it.
            if (f.BadInput) { Context.Stop(Self); return; }
            throw new ChunkFailedException($"{plan.Stage} chunk {plan.Chunk} attempt {attempt}: {f.Reason}");
        });
    }

    /// <summary>
    /// Failures no retry can mend: unreadable or inconsistent inputs (a corrupt keyframe PNG, an unknown asset, a frame
    /// blob that does not decode) and arguments a stage refuses. Node faults, timeouts and everything else are retried.
    /// </summary>
    static bool IsBadInput(Exception e) => Unwrap(e) is InvalidDataException or ArgumentException;

    static string Describe(Exception e) => Unwrap(e).Message;

    static Exception Unwrap(Exception e) => e is AggregateException a ? a.Flatten().InnerException ?? e : e;

    public static Props Props(StageJob job, ChunkPlan plan, IStageRunner runner, TalosEnvironment env, IActorRef agent,
        AttemptCounter attempts, IReadOnlyDictionary<int, string> own) =>
        Akka.Actor.Props.Create(() => new ChunkWorker(job, plan, runner, env, agent, attempts, own));

    protected override void PostStop() => _cts.Cancel();
}

public sealed class ChunkFailedException(string message) : Exception(message);
