using Talos.Gpu.Kernels;
using Xunit;

namespace Talos.Tests.Kernels;

/// <summary>
/// <see cref="PortableMath"/> against the exact functions (double precision on the same float input), on the ranges
/// STOKES's sparkles use and beyond. Its point is to give the same bits on CUDA as here (docs/KERNELS.md); this checks
/// that it is still the function it claims to be.
/// </summary>
public sealed class PortableMathTests
{
    [Fact]
    public void Exp_is_within_a_few_ulps_of_the_exact_value()
    {
        var random = new Random(5);
        double worst = 0;
        for (int k = 0; k < 200_000; k++)
        {
            float x = (float)(random.NextDouble() * 170 - 87);
            double exact = Math.Exp(x);
            worst = Math.Max(worst, Math.Abs(PortableMath.Exp(x) - exact) / exact);
        }
        Assert.True(worst < 5e-7, $"worst relative error {worst:G3}");
        Assert.Equal(1f, PortableMath.Exp(0f));
        Assert.Equal(0f, PortableMath.Exp(-1000f));
        Assert.True(float.IsFinite(PortableMath.Exp(1000f)));
    }

    [Fact]
    public void Sin_is_within_a_few_ulps_of_one_over_a_thousand_turns()
    {
        var random = new Random(6);
        double worst = 0;
        for (int k = 0; k < 200_000; k++)
        {
            float x = (float)(random.NextDouble() * 6000 - 3000);
            worst = Math.Max(worst, Math.Abs(PortableMath.Sin(x) - Math.Sin(x)));
        }
        Assert.True(worst < 1e-6, $"worst absolute error {worst:G3}");
        Assert.Equal(0f, PortableMath.Sin(0f));
        Assert.Equal(1f, PortableMath.Sin(MathF.PI / 2), 6);
        Assert.Equal(-1f, PortableMath.Sin(-MathF.PI / 2), 6);
    }

    [Fact]
    public void Keep_is_the_identity_to_the_bit()
    {
        float[] values = [0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-40f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, 0.1f, 3.14159274f];
        foreach (var v in values)
            Assert.Equal(BitConverter.SingleToInt32Bits(v), BitConverter.SingleToInt32Bits(PortableMath.Keep(v)));
    }
}
