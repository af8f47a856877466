using Talos.Gpu.Flux;
using Xunit;

namespace Talos.Tests.Flux;

public sealed class ShotDrawingTests
{
    /// <summary>Which drawn keys a frame of an image-key character comes from: held before the first, after the last and on a key; else the pair around it.</summary>
    [Fact]
    public void A_frame_holds_a_key_or_lies_between_the_two_around_it()
    {
        int[] keys = [0, 10, 10, 20];
        Assert.Equal((0, 1, 0.5), ShotDrawing.Span(keys, 5));
        Assert.Equal((2, 2, 0.0), ShotDrawing.Span(keys, 10)); // the last key drawn on that frame
        Assert.Equal((2, 3, 0.2), ShotDrawing.Span(keys, 12));
        Assert.Equal((0, 0, 0.0), ShotDrawing.Span([4, 8], 1));
        Assert.Equal((1, 1, 0.0), ShotDrawing.Span([4, 8], 9));
        Assert.Throws<ArgumentException>(() => ShotDrawing.Span([], 3));
    }
}
