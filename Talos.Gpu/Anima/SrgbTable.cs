using System.Numerics;
using System.Runtime.Intrinsics;
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
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && n == 8) x = EncodeAvx2(r, g, b, e, dst);
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

    /// <summary><see cref="Table"/> widened to ints, for the AVX2 gathers.</summary>
    static readonly int[] Table32 = Array.ConvertAll(Table, v => (int)v);

    /// <summary>Keeps bytes 0–2 of each int of a 128-bit lane, packed into its first 12 bytes (the last 4 zero).</summary>
    static readonly System.Runtime.Intrinsics.Vector256<byte> Pack3 = System.Runtime.Intrinsics.Vector256.Create(
        (byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);

    /// <summary>
    /// <see cref="EncodeVectors"/>' eight pixels at a time on AVX2: the same table entries (<see cref="Index"/>), read by
    /// gathers and packed into 24 bytes by a shuffle, stored as two 16-byte writes whose last 4 bytes the next pixels
    /// overwrite (so it stops 4 bytes before the end of <paramref name="dst"/>); returns how many pixels it did.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe int EncodeAvx2(ReadOnlySpan<float> r, ReadOnlySpan<float> g, ReadOnlySpan<float> b, Vector<float> e, Span<byte> dst)
    {
        int x = 0;
        fixed (int* table = Table32)
        fixed (byte* o = dst)
            for (; x + 8 <= r.Length && 3 * x + 28 <= dst.Length; x += 8)
            {
                var ir = Index(new Vector<float>(r[x..]) * e).AsVector256();
                var ig = Index(new Vector<float>(g[x..]) * e).AsVector256();
                var ib = Index(new Vector<float>(b[x..]) * e).AsVector256();
                var rgb = System.Runtime.Intrinsics.X86.Avx2.GatherVector256(table, ir, 4)
                    | System.Runtime.Intrinsics.X86.Avx2.ShiftLeftLogical(System.Runtime.Intrinsics.X86.Avx2.GatherVector256(table, ig, 4), 8)
                    | System.Runtime.Intrinsics.X86.Avx2.ShiftLeftLogical(System.Runtime.Intrinsics.X86.Avx2.GatherVector256(table, ib, 4), 16);
                var packed = System.Runtime.Intrinsics.X86.Avx2.Shuffle(rgb.AsByte(), Pack3);
                System.Runtime.Intrinsics.Vector128.Store(packed.GetLower(), o + 3 * x);
                System.Runtime.Intrinsics.Vector128.Store(packed.GetUpper(), o + 3 * x + 12);
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
