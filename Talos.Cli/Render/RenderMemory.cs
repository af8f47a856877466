using Talos.Gpu.Imaging;
using Talos.Messages.Specs;
using Talos.Actors.Hosting;

namespace Talos.Cli.Render;

/// <summary>
/// The managed-heap limit of an embedded render, sized from what it renders. The render stages allocate full-frame
/// planes on the large-object heap every frame, and without a limit the GC lets that garbage pile up (on a machine with
/// room to spare it collects the large-object heap rarely): the README film peaked at 2.41 GB resident, mostly garbage
/// (docs/BENCHMARKS.md, issue 19). A fixed limit would starve a 3840×2160 render, whose one float RGBA frame is 133 MB,
/// so the limit is <see cref="BaseBytes"/> plus <see cref="FramesPerSlot"/> float RGBA frames of the largest shot per
/// chunk slot, at least <see cref="FloorBytes"/>, at most three quarters of the memory the process may use; a user's own <c>DOTNET_GCHeapHardLimit</c>
/// is left alone. Near the limit the GC collects more often, not failing; and a render whose live data outgrows three
/// quarters of the limit (after a full collection) gets a limit 1.5 times its live data (<see cref="Guard"/>), so the limit bounds garbage,
/// never the frames a render needs.
/// </summary>
public static class RenderMemory
{
    /// <summary>The runtime, the actor system, the vault's indexes and the models' managed parts: what a render holds at any size.</summary>
    public const long BaseBytes = 192L << 20;

    /// <summary>
    /// The least limit set: below it the collections the limit forces cost more render time than the memory is worth.
    /// Measured on the README film at 720p (docs/BENCHMARKS.md): no limit 103.9 s and 1.92 GB peak, 1 GB 109.2 s and
    /// 1.25 GB, 529 MB 120–143 s and 0.78–0.92 GB. Again after ECHO, CUTTURA and CHROMA decode into their own buffers:
    /// 768 MB +8 % user+sys CPU for 1.00 GB peak, 529 MB +35 % for 0.77 GB — still too dear.
    /// </summary>
    public const long FloorBytes = 1L << 30;

    /// <summary>Full frames (float RGBA) a chunk slot may keep live and as garbage between collections.</summary>
    public const int FramesPerSlot = 12;

    /// <summary>
    /// Float RGBA frames of the largest shot per chunk slot that <see cref="FramePool"/> may keep for reuse (<see
    /// cref="FramePool.Cap"/>): a frame's planes in flight between a stage's frames (RAYGEN and ANIMA give back and rent
    /// a few layers per frame), not the quarter of the heap limit the pool kept before (256 MB at 720p: 143 MB of it was
    /// kept at the README film's peak RSS, docs/BENCHMARKS.md, issue 19).
    /// </summary>
    public const int PooledFramesPerSlot = 3;

    /// <summary>
    /// The pool's cap for shots of <paramref name="width"/> × <paramref name="height"/> on <paramref name="slots"/> chunk
    /// slots: <see cref="PooledFramesPerSlot"/> frames per slot, at most a sixth of the heap limit (<see cref="Limit"/>
    /// with room to spare): the pool's kept planes count as live data, and at 3840×2160 the six frames (759 MiB) with the
    /// kept backgrounds left a full collection 2440 MB live, over three quarters of the 3229 MB limit, so the limit was
    /// raised past 4 GB (docs/BENCHMARKS.md, issue 19). 720p is not capped by it (84 MiB against 170 MiB).
    /// </summary>
    public static long PoolCap(int width, int height, int slots) =>
        Math.Min(PooledFramesPerSlot * 16L * width * height * Math.Max(1, slots), Limit(width, height, slots, long.MaxValue) / 6);

    /// <summary>The bytes of float RGBA backgrounds <see cref="BackgroundCache"/> may keep, at least one per chunk slot.</summary>
    public const long BackgroundBytes = 128L << 20;

    /// <summary>
    /// Backgrounds <see cref="BackgroundCache"/> keeps for shots of <paramref name="width"/> × <paramref name="height"/>
    /// on <paramref name="slots"/> chunk slots: as many as fit <see cref="BackgroundBytes"/>, at least one per slot, at
    /// most its default 4 — 4 up to 1920×1080, 2 at 3840×2160 on 2 slots (4 there were 532 MB of live planes).
    /// </summary>
    public static int BackgroundsKept(int width, int height, int slots) =>
        (int)Math.Clamp(BackgroundBytes / (16L * width * height), Math.Min(4, Math.Max(1, slots)), 4);

    /// <summary>The limit for shots of <paramref name="width"/> × <paramref name="height"/> on <paramref name="slots"/>
    /// chunk slots, in a process that may use <paramref name="available"/> bytes.</summary>
    public static long Limit(int width, int height, int slots, long available)
    {
        long frame = 16L * width * height;
        long want = Math.Max(FloorBytes, BaseBytes + FramesPerSlot * frame * Math.Max(1, slots));
        return Math.Min(want, available / 4 * 3);
    }

    /// <summary>
    /// Caps what <see cref="FramePool"/> (<see cref="PoolCap"/>, whatever the heap limit) and <see
    /// cref="Talos.Gpu.Raygen.BackgroundCache"/> (<see cref="BackgroundsKept"/>) keep, bounds glibc's arenas (<see
    /// cref="NativeHeap"/>), and limits this process's managed heap for rendering <paramref name="specs"/> on <paramref name="slots"/> chunk slots
    /// (the largest shot counts; never below what an earlier render in this process set, <see cref="Next"/>) and keeps the
    /// guard running; returns the limit, or null when the user set one (<c>DOTNET_GCHeapHardLimit</c>, runtimeconfig) or
    /// the runtime would not take it.
    /// </summary>
    public static long? Apply(IReadOnlyList<ShotSpec> specs, int slots)
    {
        if (specs.Count == 0) return null;
        var largest = specs.MaxBy(s => (long)s.Resolution.Width * s.Resolution.Height)!.Resolution;
        NativeHeap.Limit(slots);
        FramePool.Cap = PoolCap(largest.Width, largest.Height, slots);
        Talos.Gpu.Raygen.BackgroundCache.Kept = BackgroundsKept(largest.Width, largest.Height, slots);
        lock (Gate)
        {
            // Before this process's first limit: the memory it may use (the machine's or its container's). After it, the GC
            // reports the limit itself as available, so the first figure is kept.
            if (_limit == 0) _available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            if (Next(_limit, _limit == 0 && SetByUser(Environment.GetEnvironmentVariable), Limit(largest.Width, largest.Height, slots, _available)) is not { } limit)
                return null;
            if (limit != _limit && !TrySet(limit)) return null;
            _limit = limit;
            _guard ??= new Timer(_ => Guard(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            return limit;
        }
    }

    /// <summary>
    /// The limit a render needing <paramref name="wanted"/> bytes sets, in a process whose managed heap this class limited to
    /// <paramref name="own"/> bytes before (0: never): null when the user set a limit (<paramref name="byUser"/>), else
    /// the larger of the two — a process may run several renders, and the tests run them side by side (a render never
    /// lowers the limit another one in the same process may still need). A limit this class set is not the user's,
    /// although <see cref="SetByUser"/> sees it in <see cref="AppContext"/> (it is set there): taking it for one left the
    /// first render's limit in place for every later one — a 3840×2160 render after a 320×180 one ran under the 1 GB
    /// floor and its ANIMA chunks ran out of memory (docs/BENCHMARKS.md, scale6).
    /// </summary>
    public static long? Next(long own, bool byUser, long wanted) => own > 0 ? Math.Max(own, wanted) : byUser ? null : wanted;

    /// <summary>Whether a heap limit was set before this render: in the runtimeconfig (<c>System.GC.HeapHardLimit</c>,
    /// seen through <see cref="AppContext"/>) or in the environment (<c>DOTNET_GCHeapHardLimit</c>, <c>…Percent</c>, or
    /// their <c>COMPlus_</c> names), which the GC reads itself and <see cref="AppContext"/> does not show.</summary>
    public static bool SetByUser(Func<string, string?> environment) =>
        AppContext.GetData("GCHeapHardLimit") is not null || AppContext.GetData("GCHeapHardLimitPercent") is not null
        || AppContext.GetData("System.GC.HeapHardLimit") is not null || AppContext.GetData("System.GC.HeapHardLimitPercent") is not null
        || SetInEnvironment(environment);

    /// <summary>Whether <paramref name="environment"/> sets a heap limit (<c>DOTNET_</c>/<c>COMPlus_</c>
    /// <c>GCHeapHardLimit</c> or <c>GCHeapHardLimitPercent</c>).</summary>
    public static bool SetInEnvironment(Func<string, string?> environment) =>
        new[] { "DOTNET_", "COMPlus_" }.Any(prefix =>
            !string.IsNullOrEmpty(environment(prefix + "GCHeapHardLimit")) || !string.IsNullOrEmpty(environment(prefix + "GCHeapHardLimitPercent")));

    static readonly object Gate = new();
    static long _limit, _available;
    static Timer? _guard;

    static bool TrySet(long limit)
    {
        var before = AppContext.GetData("GCHeapHardLimit");
        try
        {
            AppContext.SetData("GCHeapHardLimit", (ulong)limit);
            GC.RefreshMemoryLimit();
            return true;
        }
        catch (InvalidOperationException)
        {
            // The GC kept its old limit (more is committed than the new one allows): so does AppContext, or SetByUser
            // would take the refused value for the user's and leave every later render in this process without a limit.
            AppContext.SetData("GCHeapHardLimit", before);
            return false;
        }
    }

    /// <summary>After a full collection, live data over three quarters of the limit: the limit becomes 1.5 times the live
    /// data (at least a quarter larger; within what the process may use), and standard error says so.</summary>
    static void Guard()
    {
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        if (info.Index == 0) return;
        long live = info.HeapSizeBytes - info.FragmentedBytes;
        long raised;
        lock (Gate)
        {
            if (live <= _limit / 4 * 3) return;
            raised = Math.Min(Math.Max(_limit / 4 * 5, live / 2 * 3), _available / 4 * 3);
            if (raised <= _limit || !TrySet(raised)) return;
            _limit = raised;
        }
        Console.Error.WriteLine($"managed heap limit raised to {raised >> 20} MB: {live >> 20} MB live after a full collection");
    }
}
