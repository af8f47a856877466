using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Talos.Gpu.Kernels;

/// <summary>
/// A persistent team of threads for the grid kernels: <see cref="For"/> splits a row range into one block per thread,
/// runs block 0 on the caller and the others on the team's workers, and returns when all are done. A solver step
/// issues hundreds of such calls of 10–100 µs each; Parallel.For costs several µs of scheduling per call, which is
/// what kept two threads from paying at 128². Here a call costs one counter increment and a spin on another:
/// idle workers spin for a short while (the next call usually comes within microseconds) and then sleep on a
/// monitor, so an idle team costs no CPU. The blocks are a fixed function of the range and the thread count; the
/// kernels keep their results independent of the split.
/// </summary>
public sealed class WorkerTeam : IDisposable
{
    /// <summary>Threads including the caller.</summary>
    public int Threads { get; }
    Thread[]? _workers;
    readonly object _gate = new();
    Action<int, int>? _body;
    int _from, _to, _pending, _sleepers;
    long _generation;
    volatile bool _stop;
    ExceptionDispatchInfo? _error;
    static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs of spinning before a worker sleeps

    public WorkerTeam(int threads)
    {
        Threads = threads <= 0 ? Environment.ProcessorCount : threads;
    }

    /// <summary>Runs body(j0, j1) over [from, to) split into <see cref="Threads"/> contiguous blocks (serially when one thread or fewer rows than minRows).</summary>
    public void For(int from, int to, Action<int, int> body, int minRows = 16)
    {
        if (Threads == 1 || to - from < Math.Max(minRows, Threads)) { body(from, to); return; }
        if (_workers is null) Start();
        _body = body; _from = from; _to = to; _error = null;
        Volatile.Write(ref _pending, Threads - 1);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0) lock (_gate) Monitor.PulseAll(_gate);
        try { Block(0); }
        finally
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(-1);
            _body = null;
        }
        _error?.Throw();
    }

    void Block(int b)
    {
        int n = _to - _from;
        _body!(_from + (int)((long)n * b / Threads), _from + (int)((long)n * (b + 1) / Threads));
    }

    void Start()
    {
        _workers = new Thread[Threads - 1];
        for (int w = 0; w < _workers.Length; w++)
        {
            int block = w + 1;
            _workers[w] = new Thread(() => Work(block)) { IsBackground = true, Name = $"talos-grid-{block}" };
            _workers[w].Start();
        }
    }

    void Work(int block)
    {
        long seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            var spin = new SpinWait();
            while (Volatile.Read(ref _generation) == seen && !_stop)
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks) { spin.SpinOnce(-1); continue; }
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _generation) == seen && !_stop) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            if (_stop) return;
            seen = Volatile.Read(ref _generation);
            try { Block(block); }
            catch (Exception e) { _error ??= ExceptionDispatchInfo.Capture(e); }
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        _stop = true;
        lock (_gate) Monitor.PulseAll(_gate);
        if (_workers is not null) foreach (var w in _workers) w.Join();
        _workers = null;
    }
}
