using Talos.Actors.Pipeline;
using Xunit;

namespace Talos.Tests.Actors;

/// <summary>ANIMA's kept sRGB bytes of a still shot's background (<see cref="LayerCache.Srgb"/>): made once per blob and exposure.
/// Alone (no render beside it may fill the cache between the calls).</summary>
[Collection(ClusterCollection.Name)]
public sealed class LayerCacheSrgbTests
{
    [Fact]
    public void The_bytes_are_made_once_per_blob_and_exposure_and_the_least_recently_used_go()
    {
        string a = "srgb-test-" + Guid.NewGuid(), b = "srgb-test-" + Guid.NewGuid(), c = "srgb-test-" + Guid.NewGuid();
        int made = 0;
        Func<byte[]> Make(byte v) => () => { made++; return [v, v, v]; };
        var first = LayerCache.Srgb(a, 1f, Make(1));
        Assert.Same(first, LayerCache.Srgb(a, 1f, Make(9)));
        Assert.Equal(1, made);
        // another exposure (another gain from ECHO) is other bytes
        Assert.Equal(new byte[] { 2, 2, 2 }, LayerCache.Srgb(a, 1.25f, Make(2)));
        Assert.Equal(2, made);
        // at most LayerCache.Kept are kept: a third pushes out the least recently used
        Assert.Same(first, LayerCache.Srgb(a, 1f, Make(9)));
        LayerCache.Srgb(b, 1f, Make(3));
        LayerCache.Srgb(c, 1f, Make(4));
        Assert.Equal(4, made);
        Assert.Equal(new byte[] { 5, 5, 5 }, LayerCache.Srgb(a, 1.25f, Make(5)));
        Assert.Equal(5, made);
    }
}
