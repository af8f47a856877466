using System.Numerics;
using System.Runtime.CompilerServices;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Anima;

/// <summary>
/// Linear [0,1] → 8-bit sRGB through a 4096-entry table. The table is indexed by √v rather than v, which spends
/// its entries where the sRGB curve is steep (the darks), so night skies do not band.
/// </summary>
static class SrgbTable
{
    const int Size = 4096;
    static readonly byte[] Table = Build();

    static byte[] Build()
    {
        var t = new byte[Size];
        for (int i = 0; i < Size; i++)
        {
            float s = i / (float)(Size - 1);
            float v = s * s;
            t[i] = (byte)Math.Clamp((int)MathF.Round(ColorMath.LinearToSrgb(v) * 255f), 0, 255);
        }
        return t;
    }

    public static byte Encode(float linear)
    {
        if (!(linear > 0f)) return 0;
        if (linear >= 1f) return Table[Size - 1];
        return Table[(int)(MathF.Sqrt(linear) * (Size - 1) + 0.5f)];
    }

    /// <summary>
    /// Interleaved sRGB bytes of <see cref="Compositor.ToneMap"/>(colour × exposure) through <see cref="Encode"/>, a vector of
    /// pixels at a time (the same operations per lane, so the same bytes); returns how many pixels it did, the rest are
    /// the caller's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int EncodeVectors(ReadOnlySpan<float> r, ReadOnlySpan<float> g, ReadOnlySpan<float> b, float exposure, Span<byte> dst)
    {
        int n = Vector<float>.Count, x = 0;
        if (!Vector.IsHardwareAccelerated) return 0;
        var e = new Vector<float>(exposure);
        Span<int> ir = stackalloc int[n], ig = stackalloc int[n], ib = stackalloc int[n];
        for (; x + n <= r.Length; x += n)
        {
            Index(new Vector<float>(r[x..]) * e).CopyTo(ir);
            Index(new Vector<float>(g[x..]) * e).CopyTo(ig);
            Index(new Vector<float>(b[x..]) * e).CopyTo(ib);
            var o = dst.Slice(3 * x, 3 * n);
            for (int k = 0, j = 0; k < n; k++, j += 3)
            {
                o[j] = Table[ir[k]]; o[j + 1] = Table[ig[k]]; o[j + 2] = Table[ib[k]];
            }
        }
        return x;
    }

    /// <summary>The table entry <see cref="Encode"/> reads for <see cref="Compositor.ToneMap"/>(x), per lane (0 gives 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<int> Index(Vector<float> x)
    {
        const float k = Compositor.ShoulderStart, range = 1f - Compositor.ShoulderStart;
        var t = (x - new Vector<float>(k)) / new Vector<float>(range);
        var shoulder = Vector.ConditionalSelect(Vector.Equals(t, new Vector<float>(float.PositiveInfinity)), Vector<float>.One,
            new Vector<float>(k) + new Vector<float>(range) * (t / (Vector<float>.One + t)));
        var v = Vector.ConditionalSelect(Vector.LessThanOrEqual(x, new Vector<float>(k)), x, shoulder);
        var index = Vector.ConvertToInt32(Vector.SquareRoot(v) * new Vector<float>(Size - 1) + new Vector<float>(0.5f));
        return Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero),
            Vector.ConditionalSelect(Vector.GreaterThanOrEqual(v, Vector<float>.One), new Vector<int>(Size - 1), index), Vector<int>.Zero);
    }
}
