using Talos.Cli.Render;
using Talos.Actors.Hosting;
using Talos.Tests.Support;
using Xunit;

namespace Talos.Tests.Cli;

/// <summary>The embedded render's heap limit (<see cref="RenderMemory"/>): sized by the largest frame and the chunk slots, capped by the machine.</summary>
public sealed class RenderMemoryTests
{
    const long Plenty = 64L << 30;

    [Fact]
    public void The_limit_grows_with_the_frame_and_the_slots_and_stays_within_three_quarters_of_the_memory()
    {
        long hd = RenderMemory.Limit(1280, 720, 2, Plenty), fhd = RenderMemory.Limit(1920, 1080, 2, Plenty), uhd = RenderMemory.Limit(3840, 2160, 2, Plenty);
        Assert.Equal(RenderMemory.FloorBytes, hd); // 529 MB by frames: the floor
        Assert.Equal(RenderMemory.FloorBytes, fhd); // 951 MB by frames
        Assert.Equal(RenderMemory.BaseBytes + RenderMemory.FramesPerSlot * 16L * 3840 * 2160 * 2, uhd);
        Assert.Equal(3229L << 20, uhd >> 20 << 20);
        Assert.True(RenderMemory.Limit(1280, 720, 16, Plenty) > hd);
        Assert.Equal(RenderMemory.Limit(3840, 2160, 1, Plenty), RenderMemory.Limit(3840, 2160, 0, Plenty));
        Assert.True(RenderMemory.Limit(3840, 2160, 1, Plenty) < uhd);
        Assert.Equal(3L << 30, RenderMemory.Limit(3840, 2160, 16, 4L << 30));
    }

    [Fact]
    public void The_frame_pool_keeps_a_few_frames_per_chunk_slot()
    {
        Assert.Equal(RenderMemory.PooledFramesPerSlot * 16L * 1280 * 720 * 2, RenderMemory.PoolCap(1280, 720, 2));
        Assert.Equal(84L << 20, RenderMemory.PoolCap(1280, 720, 2) >> 20 << 20); // 3 frames × 2 slots at 720p: 84 MiB, not a quarter of the 1 GB heap
        Assert.True(RenderMemory.PoolCap(1280, 720, 2) < RenderMemory.Limit(1280, 720, 2, Plenty) / 4);
        Assert.Equal(RenderMemory.PoolCap(1280, 720, 1), RenderMemory.PoolCap(1280, 720, 0));
        Assert.Equal(RenderMemory.Limit(3840, 2160, 2, long.MaxValue) / 6, RenderMemory.PoolCap(3840, 2160, 2)); // not 6 × 133 MB
        Assert.True(RenderMemory.PoolCap(3840, 2160, 2) < 3 * 16L * 3840 * 2160 * 2);
        Assert.True(RenderMemory.PoolCap(3840, 2160, 2) > 2 * 16L * 3840 * 2160 * 2);
    }

    [Fact]
    public void Kept_backgrounds_fit_their_budget_with_one_per_chunk_slot_at_least()
    {
        Assert.Equal(4, RenderMemory.BackgroundsKept(1280, 720, 2));
        Assert.Equal(4, RenderMemory.BackgroundsKept(1920, 1080, 2));
        Assert.Equal(2, RenderMemory.BackgroundsKept(3840, 2160, 2));
        Assert.Equal(1, RenderMemory.BackgroundsKept(3840, 2160, 0));
        Assert.Equal(3, RenderMemory.BackgroundsKept(3840, 2160, 3));
        Assert.Equal(4, RenderMemory.BackgroundsKept(7680, 4320, 16));
    }

    [Fact]
    public void A_limit_the_user_set_in_the_environment_is_left_alone()
    {
        Assert.False(RenderMemory.SetInEnvironment(_ => null));
        Assert.True(RenderMemory.SetInEnvironment(name => name == "DOTNET_GCHeapHardLimit" ? "0x300000000" : null));
        Assert.True(RenderMemory.SetInEnvironment(name => name == "COMPlus_GCHeapHardLimitPercent" ? "50" : null));
        Assert.False(RenderMemory.SetInEnvironment(name => name == "DOTNET_GCHeapHardLimit" ? "" : null));
        Assert.True(RenderMemory.SetByUser(name => name == "DOTNET_GCHeapHardLimit" ? "0x300000000" : null));
    }

    [Fact]
    public void A_later_render_in_the_same_process_gets_at_least_the_limit_its_frames_need()
    {
        long small = RenderMemory.Limit(320, 180, 2, Plenty), uhd = RenderMemory.Limit(3840, 2160, 2, Plenty);
        // The limit RenderMemory set is in AppContext, where SetByUser looks for the user's: it is not the user's.
        Assert.Equal(uhd, RenderMemory.Next(small, byUser: true, uhd));
        Assert.Equal(uhd, RenderMemory.Next(uhd, byUser: false, small)); // never lowered under a render that may still run
        Assert.Null(RenderMemory.Next(0, byUser: true, uhd));
        Assert.Equal(small, RenderMemory.Next(0, byUser: false, small));
    }

    [Fact]
    public void Renders_one_after_another_in_one_process_each_get_a_limit_for_their_frames()
    {
        // This process (the tests) renders at many sizes; a user's limit in the environment is left alone instead.
        if (RenderMemory.SetInEnvironment(Environment.GetEnvironmentVariable)) return;
        // The small render's limit may be refused when this process (the whole suite) has more committed than its 1 GB
        // floor; a refused limit must leave nothing behind either. The 4K render's (~3.2 GB) is taken.
        var first = RenderMemory.Apply([Samples.Shot(width: 320, height: 180)], 2);
        var second = RenderMemory.Apply([Samples.Shot(width: 3840, height: 2160)], 2);
        Assert.NotNull(second); // was null: the first render's limit (or a refused one) stood for every later one
        if (first is not null) Assert.True(second >= first);
        Assert.True(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >= second);
    }

    [Fact]
    public void The_native_heap_limits_are_taken_by_glibc()
    {
        bool glibc = OperatingSystem.IsLinux() && !System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);
        Assert.Equal(glibc, NativeHeap.Limit(2));
    }
}
