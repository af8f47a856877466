using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Talos.Gpu.Echo;

/// <summary>
/// ECHO's measurements: per frame (<see cref="Measure"/>: brightness, change, motion-compensated flicker) and per clip
/// (<see cref="Evaluate"/>: black frames, frozen runs, flicker). Deterministic: all sums are combined in a fixed order.
/// </summary>
public static class QualityMeter
{
    static readonly EchoThresholds Defaults = new();

    /// <summary>
    /// Measures frame <paramref name="index"/> (interleaved 8-bit sRGB) against the frame before it (empty for the first).
    /// Flicker is the brightness change the motion does not explain: the previous frame is warped by block motion
    /// estimated on 1/4-size luma, and the trimmed mean of the per-block residuals (robust to things entering, leaving
    /// or changing locally) is taken relative to the frames' mean luma.
    /// </summary>
    public static FrameMetrics Measure(int index, byte[] rgb, byte[] previous, int width, int height) =>
        Measure(index, rgb, previous, null, width, height, out _);

    /// <summary>
    /// <see cref="Measure(int, byte[], byte[], int, int)"/> given the previous frame's <see cref="LumaPlane"/> as well (null:
    /// made from <paramref name="previous"/>); <paramref name="plane"/> is this frame's, for the next frame's call.
    /// </summary>
    public static FrameMetrics Measure(int index, byte[] rgb, byte[] previous, LumaPlane? previousPlane, int width, int height, out LumaPlane plane) =>
        Measure(index, rgb, previous, previousPlane, width, height, null, out plane);

    /// <summary>
    /// <see cref="Measure(int, byte[], byte[], LumaPlane?, int, int, out LumaPlane)"/> with this frame's plane made in the
    /// data of <paramref name="recycle"/> (a plane nothing uses any more: <see cref="LumaPlane.FromRgb24(byte[], int, int, LumaPlane?)"/>).
    /// </summary>
    public static FrameMetrics Measure(int index, byte[] rgb, byte[] previous, LumaPlane? previousPlane, int width, int height, LumaPlane? recycle,
        out LumaPlane plane) =>
        Measure(index, rgb, previous, previousPlane, width, height, recycle, out plane, out _);

    /// <summary>
    /// <see cref="Measure(int, byte[], byte[], LumaPlane?, int, int, LumaPlane?, out LumaPlane)"/>, giving the rows' spans
    /// where the frame differs from the previous one as well (<paramref name="rows"/>; null for the first frame), which
    /// the frame difference finds anyway: what else is made from the frame before's reads them instead of comparing again.
    /// </summary>
    public static FrameMetrics Measure(int index, byte[] rgb, byte[] previous, LumaPlane? previousPlane, int width, int height, LumaPlane? recycle,
        out LumaPlane plane, out RowChanges? rows)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        ArgumentNullException.ThrowIfNull(previous);
        if (recycle is not null && ReferenceEquals(recycle, previousPlane)) throw new ArgumentException("the previous frame's plane is still needed", nameof(recycle));
        rows = null;
        if (previous.Length != 0 && previous.Length != rgb.Length) throw new ArgumentException($"previous frame has {previous.Length} bytes, this one {rgb.Length}");
        // the difference first: its spans tell the luma plane which of the previous plane's blocks to copy
        var (diff, changed) = previous.Length == 0 ? (0f, 0f) : Difference(rgb, previous, width, height, rows = new RowChanges(height));
        // the previous frame's plane where it is known: the rows and blocks its frame shares with this one are copied
        var cur = plane = previousPlane is not null && previous.Length == rgb.Length
            ? LumaPlane.FromRgb24(rgb, width, height, recycle, previous, previousPlane, rows)
            : LumaPlane.FromRgb24(rgb, width, height, recycle);
        bool black = cur.Mean < Defaults.BlackLuma;
        if (previous.Length == 0) return new FrameMetrics(index, cur.Mean, black, 0f, 0f, 0f, 0f);

        var prev = previousPlane ?? LumaPlane.FromRgb24(previous, width, height);
        var field = MotionEstimator.Estimate(prev, cur);
        float residual = TrimmedMean(field.Residual);
        float shift = residual / MathF.Max(0.5f * (cur.Mean + prev.Mean), Defaults.BlackLuma);
        double motion = 0;
        for (int n = 0; n < field.Dx.Length; n++) motion += Math.Sqrt(field.Dx[n] * field.Dx[n] + field.Dy[n] * field.Dy[n]);
        motion = motion / field.Dx.Length * LumaPlane.Factor;
        return new FrameMetrics(index, cur.Mean, black, diff, MathF.Abs(shift), shift, (float)motion, changed);
    }

    /// <summary>Judges a clip's metrics (in frame order) against the thresholds.</summary>
    public static EchoReport Evaluate(IReadOnlyList<FrameMetrics> metrics, EchoThresholds t) => ClipVerdict.Judge(metrics, t);

    /// <summary>Judges a clip's metrics and its temporal metrics (<see cref="TemporalChecks.Measure(Func{int, byte[]}, int, int, int, EchoThresholds, Func{int, bool}?, CancellationToken)"/>).</summary>
    /// <paramref name="specHolds"/>: whether the shot's spec holds a key at a frame (<see cref="SpecHolds.Held"/>), for a frozen run's cause.
    public static EchoReport Evaluate(IReadOnlyList<FrameMetrics> metrics, IReadOnlyList<TemporalMetrics> temporal, EchoThresholds t,
        Func<int, bool>? specHolds = null) =>
        ClipVerdict.Judge(metrics, t, temporal, specHolds);

    /// <summary>Mean |a − b| over all bytes as a fraction of 255, and the share of pixels with a channel more than 2
    /// levels apart (integer sums per row, combined in order: exact in any thread order).</summary>
    static (float Mean, float Changed) Difference(byte[] a, byte[] b, int width, int rows, RowChanges spans)
    {
        var sums = new long[rows];
        var counts = new int[rows];
        int rowBytes = width * 3;
        Parallel.For(0, rows, y =>
        {
            long s = 0;
            int changed = 0, o = y * rowBytes, x = 0, first = -1, last = -1;
            // 16 pixels (48 bytes) at a time: the sum of their differences in vectors (integers: the same sum), and the
            // pixels themselves counted only where some byte is more than 2 levels apart
            var two = Vector128.Create((byte)2);
            if (Sse2.IsSupported && Popcnt.X64.IsSupported)
            {
                // the sum by SADs against each other (psadbw: |a − b| of eight bytes summed into a 64-bit lane, exact), and
                // the pixels with a byte more than 2 levels apart counted from the comparisons' bits: bit k of the 48 is
                // byte k, a pixel's three bytes ORed onto its first bit, the first bits counted
                var acc = Vector128<ulong>.Zero;
                for (; x + 48 <= rowBytes; x += 48)
                {
                    var (a0, a1, a2) = (Vector128.Create(a.AsSpan(o + x, 16)), Vector128.Create(a.AsSpan(o + x + 16, 16)), Vector128.Create(a.AsSpan(o + x + 32, 16)));
                    var (b0, b1, b2) = (Vector128.Create(b.AsSpan(o + x, 16)), Vector128.Create(b.AsSpan(o + x + 16, 16)), Vector128.Create(b.AsSpan(o + x + 32, 16)));
                    var (d0, d1, d2) = (Vector128.Max(a0, b0) - Vector128.Min(a0, b0), Vector128.Max(a1, b1) - Vector128.Min(a1, b1), Vector128.Max(a2, b2) - Vector128.Min(a2, b2));
                    // the bytes that differ at all (bit k: byte x + k): the row's span, and nothing more to add where none do
                    ulong e = ~(Vector128.Equals(d0, Vector128<byte>.Zero).ExtractMostSignificantBits() | (ulong)Vector128.Equals(d1, Vector128<byte>.Zero).ExtractMostSignificantBits() << 16
                        | (ulong)Vector128.Equals(d2, Vector128<byte>.Zero).ExtractMostSignificantBits() << 32) & AllBytes;
                    if (e == 0) continue;
                    if (first < 0) first = x + BitOperations.TrailingZeroCount(e);
                    last = x + 63 - BitOperations.LeadingZeroCount(e);
                    acc += Sse2.SumAbsoluteDifferences(a0, b0).AsUInt64() + Sse2.SumAbsoluteDifferences(a1, b1).AsUInt64()
                        + Sse2.SumAbsoluteDifferences(a2, b2).AsUInt64();
                    ulong m = Vector128.GreaterThan(d0, two).ExtractMostSignificantBits() | (ulong)Vector128.GreaterThan(d1, two).ExtractMostSignificantBits() << 16
                        | (ulong)Vector128.GreaterThan(d2, two).ExtractMostSignificantBits() << 32;
                    if (m != 0) changed += (int)Popcnt.X64.PopCount((m | m >> 1 | m >> 2) & FirstBytes);
                }
                s += (long)(acc.GetElement(0) + acc.GetElement(1));
            }
            for (; x + 48 <= rowBytes; x += 48)
            {
                var (d0, d1, d2) = (AbsDiff(a, b, o + x), AbsDiff(a, b, o + x + 16), AbsDiff(a, b, o + x + 32));
                if ((d0 | d1 | d2) != Vector128<byte>.Zero)
                {
                    for (int k = x; k < x + 48; k++)
                        if (a[o + k] != b[o + k]) { if (first < 0) first = k; last = k; }
                }
                var (l0, h0) = Vector128.Widen(d0);
                var (l1, h1) = Vector128.Widen(d1);
                var (l2, h2) = Vector128.Widen(d2);
                s += Vector128.Sum(l0 + h0 + l1 + h1 + l2 + h2);
                if ((Vector128.GreaterThan(d0, two) | Vector128.GreaterThan(d1, two) | Vector128.GreaterThan(d2, two)) == Vector128<byte>.Zero) continue;
                for (int k = x; k < x + 48; k += 3)
                {
                    int dr = Math.Abs(a[o + k] - b[o + k]), dg = Math.Abs(a[o + k + 1] - b[o + k + 1]), db = Math.Abs(a[o + k + 2] - b[o + k + 2]);
                    if (Math.Max(dr, Math.Max(dg, db)) > 2) changed++;
                }
            }
            for (; x < rowBytes; x += 3)
            {
                int dr = Math.Abs(a[o + x] - b[o + x]), dg = Math.Abs(a[o + x + 1] - b[o + x + 1]), db = Math.Abs(a[o + x + 2] - b[o + x + 2]);
                s += dr + dg + db;
                if (Math.Max(dr, Math.Max(dg, db)) > 2) changed++;
                for (int k = x; k < x + 3; k++)
                    if (a[o + k] != b[o + k]) { if (first < 0) first = k; last = k; }
            }
            sums[y] = s;
            counts[y] = changed;
            (spans.First[y], spans.Last[y]) = first < 0 ? (rowBytes, -1) : (first, last);
        });
        long total = 0, pixels = 0;
        for (int y = 0; y < rows; y++) { total += sums[y]; pixels += counts[y]; }
        return ((float)(total / (255.0 * a.Length)), (float)((double)pixels / ((long)width * rows)));
    }

    /// <summary>The first byte of each of 16 pixels' three (bits 0, 3, … 45).</summary>
    const ulong FirstBytes = 0x2492_4924_9249UL;

    /// <summary>The 48 bytes of 16 pixels (bits 0 … 47).</summary>
    const ulong AllBytes = (1UL << 48) - 1;

    static Vector128<byte> AbsDiff(byte[] a, byte[] b, int at)
    {
        var (va, vb) = (Vector128.Create(a.AsSpan(at, 16)), Vector128.Create(b.AsSpan(at, 16)));
        return Vector128.Max(va, vb) - Vector128.Min(va, vb);
    }

    /// <summary>Mean of the middle half of the values (sorted copy).</summary>
    static float TrimmedMean(float[] values)
    {
        var v = (float[])values.Clone();
        Array.Sort(v);
        int lo = v.Length / 4, hi = v.Length - v.Length / 4;
        double s = 0;
        for (int k = lo; k < hi; k++) s += v[k];
        return (float)(s / (hi - lo));
    }
}
