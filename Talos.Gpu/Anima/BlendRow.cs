using System.Numerics;
using System.Runtime.CompilerServices;

namespace Talos.Gpu.Anima;

/// <summary>One row of a layer (s, scaled by opacity) blended into the composite (d): the CPU path of <see cref="BlendPixel"/>.</summary>
static class BlendRow
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Blend(BlendMode mode, ReadOnlySpan<float> sr, ReadOnlySpan<float> sg, ReadOnlySpan<float> sb, ReadOnlySpan<float> sa,
        Span<float> dr, Span<float> dg, Span<float> db, Span<float> da, float op)
    {
        int m = (int)mode, i = 0;
        if (mode == BlendMode.Normal && Vector.IsHardwareAccelerated) i = OverVectors(sr, sg, sb, sa, dr, dg, db, da, op);
        for (; i < dr.Length; i++)
        {
            // An empty source pixel leaves "over" exactly as it was: skip it (most of a character layer is empty).
            if (mode == BlendMode.Normal && sa[i] == 0f && sr[i] == 0f && sg[i] == 0f && sb[i] == 0f) continue;
            var p = BlendPixel.Blend(m, new Px(dr[i], dg[i], db[i], da[i]), new Px(sr[i], sg[i], sb[i], sa[i]), op);
            dr[i] = p.R; dg[i] = p.G; db[i] = p.B; da[i] = p.A;
        }
    }

    /// <summary>
    /// <see cref="BlendPixel.Over"/> a vector of pixels at a time, the same operations in the same order per lane (so the
    /// same bits), empty source pixels keeping the composite as it was; returns how many pixels it did.
    /// </summary>
    static int OverVectors(ReadOnlySpan<float> sr, ReadOnlySpan<float> sg, ReadOnlySpan<float> sb, ReadOnlySpan<float> sa,
        Span<float> dr, Span<float> dg, Span<float> db, Span<float> da, float op)
    {
        int n = Vector<float>.Count, i = 0;
        var vop = new Vector<float>(op);
        for (; i + n <= dr.Length; i += n)
        {
            var r = new Vector<float>(sr[i..]); var g = new Vector<float>(sg[i..]);
            var b = new Vector<float>(sb[i..]); var a = new Vector<float>(sa[i..]);
            var empty = Vector.Equals(a, Vector<float>.Zero) & Vector.Equals(r, Vector<float>.Zero)
                & Vector.Equals(g, Vector<float>.Zero) & Vector.Equals(b, Vector<float>.Zero);
            var odr = new Vector<float>(dr[i..]); var odg = new Vector<float>(dg[i..]);
            var odb = new Vector<float>(db[i..]); var oda = new Vector<float>(da[i..]);
            if (Vector.EqualsAll(Vector.AsVectorInt32(empty), new Vector<int>(-1))) continue;
            var aop = a * vop;
            var k = Vector<float>.One - aop;
            Vector.ConditionalSelect(empty, odr, r * vop + odr * k).CopyTo(dr[i..]);
            Vector.ConditionalSelect(empty, odg, g * vop + odg * k).CopyTo(dg[i..]);
            Vector.ConditionalSelect(empty, odb, b * vop + odb * k).CopyTo(db[i..]);
            Vector.ConditionalSelect(empty, oda, aop + oda * k).CopyTo(da[i..]);
        }
        return i;
    }
}
