namespace Talos.Actors.Hosting;

/// <summary>
/// glibc's malloc for a rendering process (an embedded render, a farm node): what is allocated outside the GC heap (zstd's contexts, the runtime's own
/// data, SkiaSharp and ONNX Runtime) goes to at most <see cref="Arenas"/> arenas per chunk slot instead of glibc's 8 per
/// core, each of which keeps its freed memory, and a block of <see cref="MmapThresholdBytes"/> or more is its own mapping,
/// handed back when freed (glibc's threshold otherwise grows to whatever was freed last, up to 32 MB, and those blocks
/// then stay in an arena): the README film's peak RSS held ~60 MB of malloc arenas (issue 19, docs/BENCHMARKS.md). A
/// user's <c>MALLOC_ARENA_MAX</c> / <c>MALLOC_MMAP_THRESHOLD_</c> wins; not glibc (or not Linux): nothing is changed.
/// </summary>
public static class NativeHeap
{
    /// <summary>Arenas per chunk slot.</summary>
    public const int Arenas = 1;

    /// <summary>Blocks this large or larger are mapped on their own and unmapped when freed.</summary>
    public const int MmapThresholdBytes = 256 << 10;

    const int M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int param, int value);

    /// <summary>Sets the limits for <paramref name="slots"/> chunk slots; returns whether glibc took them.</summary>
    public static bool Limit(int slots)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            bool ok = true;
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX")))
                ok &= Mallopt(M_ARENA_MAX, Arenas * Math.Max(2, slots)) == 1;
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_")))
                ok &= Mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1;
            return ok;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and other C libraries: their own malloc
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    /// <summary>Hands glibc's freed memory back to the kernel (<c>malloc_trim(0)</c>: every arena's free pages, not only the
    /// top of the heap); returns whether anything was released. Not glibc (or not Linux): nothing is done.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return MallocTrim(0) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
