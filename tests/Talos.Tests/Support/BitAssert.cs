using System.Runtime.InteropServices;
using Talos.Gpu.Imaging;
using Xunit;

namespace Talos.Tests.Support;

/// <summary>Bit-for-bit equality of float planes and images (a −0 against a +0, or two NaNs of different payloads, differ).</summary>
public static class BitAssert
{
    public static void SameBits(float[] expected, float[] actual) =>
        Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan())), "planes differ in some bit");

    public static void SameBits(RgbaImage expected, RgbaImage actual)
    {
        SameBits(expected.R, actual.R); SameBits(expected.G, actual.G); SameBits(expected.B, actual.B); SameBits(expected.A, actual.A);
    }
}
