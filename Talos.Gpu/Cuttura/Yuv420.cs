using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Talos.Gpu.Cuttura;

/// <summary>
/// 8-bit sRGB (rgb24) to the H.264 film's yuv420p: the BT.709 matrix (Kr 0.2126, Kb 0.0722), limited range (Y 16–235,
/// Cb/Cr 16–240), chroma the mean of each 2×2 block of pixels (centre-sited, tagged so: <c>chroma_sample_location
/// center</c>). The one definition of that maths in Talos, in integers so that every node and every path (AVX2 or
/// scalar) gives the same bytes:
/// <c>Y = (YR·R + YG·G + YB·B + 16·2¹⁶ + 2¹⁵) &gt;&gt; 16</c>, and with <c>ΣR, ΣG, ΣB</c> the sums over the 2×2 block
/// <c>Cb = (UR·ΣR + UG·ΣG + UB·ΣB + 128·2¹⁸ + 2¹⁷) &gt;&gt; 18</c> (Cr likewise with VR, VG, VB), each coefficient the
/// real one (e.g. 219/255 · 0.2126) times 2¹⁶ rounded, the luma's summing to 219/255 · 2¹⁶ and each chroma's to 0, so
/// black, grey and white land exactly on 16/128/128, …/128/128 and 235/128/128. The planes follow each other as ffmpeg's
/// rawvideo yuv420p reads them: Y (width × height), Cb, Cr (width/2 × height/2 each).
/// </summary>
public static class Yuv420
{
    /// <summary>Luma coefficients (2¹⁶ fixed point).</summary>
    public static readonly int YR = Fix(219 / 255.0 * 0.2126, 16), YB = Fix(219 / 255.0 * 0.0722, 16), YG = Fix(219 / 255.0, 16) - YR - YB;
    /// <summary>Cb coefficients (2¹⁶ fixed point, applied to 2×2 sums, so 2¹⁸ with the mean's ÷4).</summary>
    public static readonly int UR = Fix(-224 / 255.0 * 0.2126 / 1.8556, 16), UB = Fix(224 / 255.0 * 0.5, 16), UG = -UR - UB;
    /// <summary>Cr coefficients (2¹⁶ fixed point, applied to 2×2 sums).</summary>
    public static readonly int VR = Fix(224 / 255.0 * 0.5, 16), VB = Fix(-224 / 255.0 * 0.0722 / 1.5748, 16), VG = -VR - VB;

    const int YOffset = (16 << 16) + (1 << 15), COffset = (128 << 18) + (1 << 17);

    static int Fix(double v, int bits) => (int)Math.Round(v * (1 << bits), MidpointRounding.AwayFromZero);

    /// <summary>Bytes of one yuv420p frame of an even <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static int FrameBytes(int width, int height) => checked(width * height * 3 / 2);

    /// <summary>One pixel's luma.</summary>
    public static byte Luma(int r, int g, int b) => (byte)((YR * r + YG * g + YB * b + YOffset) >> 16);

    /// <summary>The Cb and Cr of a 2×2 block whose R, G and B sum to <paramref name="sr"/>, <paramref name="sg"/>, <paramref name="sb"/>.</summary>
    public static (byte Cb, byte Cr) Chroma(int sr, int sg, int sb) =>
        ((byte)((UR * sr + UG * sg + UB * sb + COffset) >> 18), (byte)((VR * sr + VG * sg + VB * sb + COffset) >> 18));

    /// <summary>
    /// Converts an rgb24 frame into <paramref name="yuv"/> (<see cref="FrameBytes"/> long), bands of rows on the thread
    /// pool. Width and height must be even.
    /// </summary>
    public static void FromRgb24(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> yuv) => FromRgb24(rgb, width, height, yuv, vector: true);

    /// <summary>The same, <paramref name="vector"/> false taking the scalar path on every CPU (the reference the AVX2 path is tested against).</summary>
    public static unsafe void FromRgb24(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> yuv, bool vector)
    {
        if (width <= 0 || height <= 0 || (width | height) % 2 != 0) throw new ArgumentException($"yuv420p needs an even width and height, not {width}x{height}");
        if (rgb.Length < checked(width * height * 3)) throw new ArgumentException($"an rgb24 frame of {width}x{height} has {width * height * 3} bytes, not {rgb.Length}");
        if (yuv.Length < FrameBytes(width, height)) throw new ArgumentException($"a yuv420p frame of {width}x{height} has {FrameBytes(width, height)} bytes, not {yuv.Length}");
        int pairs = height / 2;
        // a band of about 64 row pairs per task: 720p is 6 bands, enough to share two cores without a task per row
        int bands = Math.Max(1, Math.Min(Environment.ProcessorCount * 3, (pairs + 63) / 64));
        fixed (byte* src = rgb)
        fixed (byte* dst = yuv)
        {
            var job = new Job(src, dst, width, height, vector);
            if (bands == 1) job.Rows(0, pairs);
            else Parallel.For(0, bands, b => job.Rows((int)((long)pairs * b / bands), (int)((long)pairs * (b + 1) / bands)));
        }
    }

    readonly unsafe struct Job(byte* src, byte* dst, int width, int height, bool vector)
    {
        readonly byte* _src = src, _dst = dst;

        public void Rows(int firstPair, int endPair)
        {
            int cw = width / 2;
            byte* cbPlane = _dst + width * height, crPlane = cbPlane + cw * (height / 2);
            for (int p = firstPair; p < endPair; p++)
            {
                byte* r0 = _src + (long)2 * p * width * 3, r1 = r0 + width * 3;
                byte* y0 = _dst + (long)2 * p * width, y1 = y0 + width;
                byte* cb = cbPlane + (long)p * cw, cr = crPlane + (long)p * cw;
                int x = vector && Avx2.IsSupported ? RowPairAvx2(r0, r1, y0, y1, cb, cr, width) : 0;
                for (; x < width; x += 2)
                {
                    byte* a = r0 + 3 * x, b = r1 + 3 * x;
                    y0[x] = Luma(a[0], a[1], a[2]); y0[x + 1] = Luma(a[3], a[4], a[5]);
                    y1[x] = Luma(b[0], b[1], b[2]); y1[x + 1] = Luma(b[3], b[4], b[5]);
                    var (u, v) = Chroma(a[0] + a[3] + b[0] + b[3], a[1] + a[4] + b[1] + b[4], a[2] + a[5] + b[2] + b[5]);
                    cb[x / 2] = u; cr[x / 2] = v;
                }
            }
        }
    }

    // pshufb masks taking the R, G or B bytes of 16 rgb24 pixels out of three 16-byte loads (0x80: a zero byte)
    static ReadOnlySpan<byte> Masks =>
    [
        0, 3, 6, 9, 12, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, // R from bytes 0–15
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 2, 5, 8, 11, 14, 0x80, 0x80, 0x80, 0x80, 0x80, // R from bytes 16–31
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1, 4, 7, 10, 13, // R from bytes 32–47
        1, 4, 7, 10, 13, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, // G
        0x80, 0x80, 0x80, 0x80, 0x80, 0, 3, 6, 9, 12, 15, 0x80, 0x80, 0x80, 0x80, 0x80,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 2, 5, 8, 11, 14,
        2, 5, 8, 11, 14, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, // B
        0x80, 0x80, 0x80, 0x80, 0x80, 1, 4, 7, 10, 13, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 3, 6, 9, 12, 15,
    ];

    static readonly Vector128<byte> M0 = Mask(0), M1 = Mask(1), M2 = Mask(2), M3 = Mask(3), M4 = Mask(4), M5 = Mask(5), M6 = Mask(6), M7 = Mask(7), M8 = Mask(8);
    static Vector128<byte> Mask(int i) => Vector128.Create(Masks.Slice(16 * i, 16));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Split(byte* p, out Vector128<byte> r, out Vector128<byte> g, out Vector128<byte> b)
    {
        var a0 = Sse2.LoadVector128(p);
        var a1 = Sse2.LoadVector128(p + 16);
        var a2 = Sse2.LoadVector128(p + 32);
        r = Sse2.Or(Sse2.Or(Ssse3.Shuffle(a0, M0), Ssse3.Shuffle(a1, M1)), Ssse3.Shuffle(a2, M2));
        g = Sse2.Or(Sse2.Or(Ssse3.Shuffle(a0, M3), Ssse3.Shuffle(a1, M4)), Ssse3.Shuffle(a2, M5));
        b = Sse2.Or(Sse2.Or(Ssse3.Shuffle(a0, M6), Ssse3.Shuffle(a1, M7)), Ssse3.Shuffle(a2, M8));
    }

    /// <summary>16 lumas of one row: the same integers as <see cref="Luma"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<byte> Luma16(Vector128<byte> r, Vector128<byte> g, Vector128<byte> b)
    {
        Vector256<int> cr = Vector256.Create(YR), cg = Vector256.Create(YG), cb = Vector256.Create(YB), off = Vector256.Create(YOffset);
        Vector256<int> Eight(Vector128<byte> rr, Vector128<byte> gg, Vector128<byte> bb) => Avx2.ShiftRightArithmetic(
            Avx2.Add(Avx2.Add(Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(rr), cr), Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(gg), cg)),
                Avx2.Add(Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(bb), cb), off)), 16);
        var lo = Eight(r, g, b);
        var hi = Eight(Sse2.ShiftRightLogical128BitLane(r, 8), Sse2.ShiftRightLogical128BitLane(g, 8), Sse2.ShiftRightLogical128BitLane(b, 8));
        var s = Avx2.Permute4x64(Avx2.PackSignedSaturate(lo, hi).AsInt64(), 0b11_01_10_00).AsInt16();
        return Sse2.PackUnsignedSaturate(s.GetLower(), s.GetUpper());
    }

    /// <summary>One pair of rows, 16 pixels at a time; returns where the scalar tail starts.</summary>
    static unsafe int RowPairAvx2(byte* r0, byte* r1, byte* y0, byte* y1, byte* cb, byte* cr, int width)
    {
        var ones = Vector128.Create((sbyte)1);
        Vector256<int> ur = Vector256.Create(UR), ug = Vector256.Create(UG), ub = Vector256.Create(UB);
        Vector256<int> vr = Vector256.Create(VR), vg = Vector256.Create(VG), vb = Vector256.Create(VB), off = Vector256.Create(COffset);
        int x = 0;
        for (; x + 16 <= width; x += 16)
        {
            Split(r0 + 3 * x, out var ra, out var ga, out var ba);
            Split(r1 + 3 * x, out var rb, out var gb, out var bb);
            Sse2.Store(y0 + x, Luma16(ra, ga, ba));
            Sse2.Store(y1 + x, Luma16(rb, gb, bb));
            // 2×2 sums: adjacent pairs of each row (pmaddubsw by ones), the two rows added
            var sr = Avx2.ConvertToVector256Int32(Sse2.Add(Ssse3.MultiplyAddAdjacent(ra, ones), Ssse3.MultiplyAddAdjacent(rb, ones)));
            var sg = Avx2.ConvertToVector256Int32(Sse2.Add(Ssse3.MultiplyAddAdjacent(ga, ones), Ssse3.MultiplyAddAdjacent(gb, ones)));
            var sb = Avx2.ConvertToVector256Int32(Sse2.Add(Ssse3.MultiplyAddAdjacent(ba, ones), Ssse3.MultiplyAddAdjacent(bb, ones)));
            var u = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Add(Avx2.MultiplyLow(sr, ur), Avx2.MultiplyLow(sg, ug)), Avx2.Add(Avx2.MultiplyLow(sb, ub), off)), 18);
            var v = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Add(Avx2.MultiplyLow(sr, vr), Avx2.MultiplyLow(sg, vg)), Avx2.Add(Avx2.MultiplyLow(sb, vb), off)), 18);
            // u and v are 8 ints each; pack both to bytes: [u0..7, v0..7]
            var uv8 = Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(u.GetLower(), u.GetUpper()), Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper()));
            *(ulong*)(cb + x / 2) = uv8.AsUInt64().GetElement(0);
            *(ulong*)(cr + x / 2) = uv8.AsUInt64().GetElement(1);
        }
        return x;
    }
}
