using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Anima;

/// <summary>
/// <see cref="NearestPixel.Round"/> is round half to even written out for the GPU: on the CPU it must give exactly what
/// <c>MathF.Round</c> (and ILGPU's <c>XMath.Round</c>, which the motion blur and the bokeh used before) gives, or the
/// CPU path's frames would change.
/// </summary>
public sealed class NearestPixelTests
{
    [Theory]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.5f, 2)]
    [InlineData(-0.5f, 0)]
    [InlineData(-1.5f, -2)]
    [InlineData(-2.5f, -2)]
    [InlineData(2.4999998f, 2)]
    [InlineData(2.5000002f, 3)]
    [InlineData(-3.7f, -4)]
    [InlineData(0f, 0)]
    public void Ties_go_to_even_and_the_rest_to_the_nearest(float v, int expected) => Assert.Equal(expected, NearestPixel.Round(v));

    [Fact]
    public void It_agrees_with_MathF_Round_on_offsets_like_the_motion_blurs()
    {
        var random = new Random(19);
        int ties = 0;
        for (int k = 0; k < 200_000; k++)
        {
            // products of a flow component and a sample position, as the gather makes them, plus exact halves
            float n = random.Next(2, 25);
            float t = random.Next(0, (int)n) / (n - 1) - 0.5f;
            float v = k % 4 == 0 ? (random.Next(-4000, 4000) + 0.5f) : (float)(random.NextDouble() * 160 - 80) * t;
            if (v - MathF.Floor(v) == 0.5f) ties++;
            Assert.Equal((int)MathF.Round(v), NearestPixel.Round(v));
        }
        Assert.True(ties > 40_000, $"only {ties} ties tried");
    }
}
