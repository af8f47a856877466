using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Echo;

/// <summary>
/// A frame's linear luma reduced to 1/4 size by 4×4 box averages (what motion estimation works on), and the exact
/// mean luma of the full frame. Built from interleaved 8-bit sRGB.
/// </summary>
public sealed class LumaPlane
{
    public const int Factor = 4;
    static readonly float[] Linear = BuildLut();
    /// <summary>0.2126, 0.7152 and 0.0722 times <see cref="Linear"/>: a pixel's luma is the sum of three lookups.</summary>
    static readonly float[] WeightedR = Weighted(0.2126f), WeightedG = Weighted(0.7152f), WeightedB = Weighted(0.0722f);

    public int Width { get; }
    public int Height { get; }
    public float[] Data { get; }
    public float Mean { get; }

    /// <summary>Each source row's luma sum (exact: see <see cref="FromRgb24(byte[], int, int, LumaPlane?, byte[]?, LumaPlane?)"/>).</summary>
    readonly double[] _rowSums;

    LumaPlane(int w, int h, float[] data, float mean, double[] rowSums) { Width = w; Height = h; Data = data; Mean = mean; _rowSums = rowSums; }

    public static LumaPlane FromRgb24(byte[] rgb, int width, int height) => FromRgb24(rgb, width, height, null);

    /// <summary>
    /// <see cref="FromRgb24(byte[], int, int)"/> in the data of <paramref name="recycle"/>, a plane of the same size that
    /// nothing uses any more (a frame's before the previous one's), whose every value is written again; null or another
    /// size: a new plane.
    /// </summary>
    public static LumaPlane FromRgb24(byte[] rgb, int width, int height, LumaPlane? recycle) => FromRgb24(rgb, width, height, recycle, null, null);

    /// <summary>
    /// <see cref="FromRgb24(byte[], int, int, LumaPlane?)"/> given the frame before (<paramref name="previousRgb"/>) and its
    /// plane (<paramref name="previousPlane"/>, made from exactly those bytes): a still shot's frames repeat most of the
    /// frame before, so only the blocks whose source pixels differ are summed again and the rest copied, and a source row's
    /// sum is the previous row's sum less the old pixels of its changed columns plus the new ones. Every luma is 0 or a
    /// multiple of 2^-39 and a row sums below 2^13 (a frame up to 8192 wide), so each of those sums, and the difference,
    /// is exact in a double: the same plane and mean, to the bit, as summing the frame anew. Either null (or another
    /// size, or a frame wider than 8192): made anew.
    /// </summary>
    public static LumaPlane FromRgb24(byte[] rgb, int width, int height, LumaPlane? recycle, byte[]? previousRgb, LumaPlane? previousPlane) =>
        FromRgb24(rgb, width, height, recycle, previousRgb, previousPlane, null);

    /// <summary>
    /// <see cref="FromRgb24(byte[], int, int, LumaPlane?, byte[]?, LumaPlane?)"/> given where the frame differs from
    /// <paramref name="previousRgb"/> (<paramref name="rows"/>, <see cref="RowChanges"/>; null: the frames are compared here).
    /// </summary>
    public static LumaPlane FromRgb24(byte[] rgb, int width, int height, LumaPlane? recycle, byte[]? previousRgb, LumaPlane? previousPlane, RowChanges? rows)
    {
        if (rows is not null && rows.Rows != height) throw new ArgumentException($"one changed span per row ({height})", nameof(rows));
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"frame size {width}x{height} must be positive");
        if (rgb.Length != (long)width * height * 3) throw new ArgumentException($"rgb24 buffer of {rgb.Length} bytes does not match {width}x{height}");
        int qw = Math.Max(1, width / Factor), qh = Math.Max(1, height / Factor);
        var data = recycle is not null && recycle.Width == qw && recycle.Height == qh ? recycle.Data : new float[qw * qh];
        var rowSums = recycle is not null && recycle._rowSums.Length == height && data == recycle.Data ? recycle._rowSums : new double[height];
        var before = previousRgb is not null && previousPlane is not null && previousRgb.Length == rgb.Length && previousPlane.Width == qw
            && previousPlane.Height == qh && previousPlane._rowSums.Length == height && width <= 8192
            && previousPlane.Data != data && previousPlane._rowSums != rowSums ? previousPlane : null;
        // quarter rows are independent: each owns its 4 source rows and its output row; sums are combined in order below
        Parallel.For(0, qh, qy =>
        {
            int y0 = qy * Factor, y1 = qy == qh - 1 ? height : y0 + Factor;
            if (before is not null) { FromBefore(rgb, previousRgb!, before, data, rowSums, width, qw, qy, y0, y1, rows); return; }
            Span<float> acc = qw <= 1024 ? stackalloc float[qw] : new float[qw];
            acc.Clear();
            ref byte src = ref MemoryMarshal.GetArrayDataReference(rgb);
            ref float wr = ref MemoryMarshal.GetArrayDataReference(WeightedR);
            ref float wg = ref MemoryMarshal.GetArrayDataReference(WeightedG);
            ref float wb = ref MemoryMarshal.GetArrayDataReference(WeightedB);
            for (int y = y0; y < y1; y++)
            {
                nint o = (nint)y * width * 3;
                // two sums of the row (even and odd blocks), added at its end: every luma here is 0 or at least 2^-16,
                // so a multiple of 2^-39, and a row of them sums below 2^13 for a frame up to 8192 wide: every partial
                // sum is exact in a double, in any order, and the row's sum the same as pixel by pixel (wider frames
                // sum pixel by pixel)
                double rowSum = 0, rowSumOdd = 0;
                bool split = width <= 8192;
                bool blockRow = y < y0 + Factor;
                // the row in its blocks of Factor columns (the last takes the columns left over), pixels in order: the
                // same sums in the same order as pixel by pixel
                for (int qx = 0; qx < qw; qx++)
                {
                    int xe = qx == qw - 1 ? width : (qx + 1) * Factor;
                    float a = acc[qx];
                    double part = 0;
                    for (int x = qx * Factor; x < xe; x++, o += 3)
                    {
                        // the weighted tables hold the products 0.2126f × linear etc., so l is the same float as with the multiplications here
                        float l = Unsafe.Add(ref wr, Unsafe.Add(ref src, o)) + Unsafe.Add(ref wg, Unsafe.Add(ref src, o + 1)) + Unsafe.Add(ref wb, Unsafe.Add(ref src, o + 2));
                        if (split) part += l;
                        else rowSum += l;
                        a += l;
                    }
                    if ((qx & 1) == 0) rowSum += part;
                    else rowSumOdd += part;
                    if (blockRow) acc[qx] = a;
                }
                rowSums[y] = rowSum + rowSumOdd;
            }
            int ry = Math.Min(Factor, height), rx = Math.Min(Factor, width);
            for (int qx = 0; qx < qw; qx++)
            {
                int cols = qx == qw - 1 ? width - qx * Factor : rx;
                data[qy * qw + qx] = acc[qx] / (cols * ry);
            }
        });
        double total = 0;
        for (int y = 0; y < height; y++) total += rowSums[y];
        return new LumaPlane(qw, qh, data, (float)(total / ((double)width * height)), rowSums);
    }

    /// <summary>
    /// Quarter row <paramref name="qy"/> (source rows [y0, y1)) from the frame before where its pixels are the same: its
    /// blocks outside the columns that changed copied from <paramref name="before"/>, those inside summed again in the
    /// order a new plane sums them (rows in order, each row's pixels in order), each changed row's sum updated by the
    /// changed columns (exact, see above).
    /// </summary>
    static void FromBefore(byte[] rgb, byte[] previous, LumaPlane before, float[] data, double[] rowSums, int width, int qw, int qy, int y0, int y1,
        RowChanges? rows)
    {
        int rowBytes = width * 3, u0 = width, u1 = 0;
        for (int y = y0; y < y1; y++)
        {
            if (rows is not null)
            {
                // the frame difference's spans: the same first and last differing bytes as comparing here
                if (rows.First[y] <= rows.Last[y]) (u0, u1) = (Math.Min(u0, rows.First[y] / 3), Math.Max(u1, rows.Last[y] / 3 + 1));
                continue;
            }
            ReadOnlySpan<byte> row = rgb.AsSpan(y * rowBytes, rowBytes), old = previous.AsSpan(y * rowBytes, rowBytes);
            int first = row.CommonPrefixLength(old);
            if (first == rowBytes) continue;
            int last = rowBytes;
            while (last - Vector256<byte>.Count > first && Vector256.Create(row[(last - Vector256<byte>.Count)..]) == Vector256.Create(old[(last - Vector256<byte>.Count)..]))
                last -= Vector256<byte>.Count;
            do last--; while (row[last] == old[last]); // stops at `first` at the latest
            (u0, u1) = (Math.Min(u0, first / 3), Math.Max(u1, last / 3 + 1));
        }
        before.Data.AsSpan(qy * qw, qw).CopyTo(data.AsSpan(qy * qw, qw));
        before._rowSums.AsSpan(y0, y1 - y0).CopyTo(rowSums.AsSpan(y0, y1 - y0));
        if (u1 <= u0) return;
        // the blocks that hold a changed column (the last block takes the columns left over)
        int qa = Math.Min(u0 / Factor, qw - 1), qb = Math.Min((u1 - 1) / Factor, qw - 1);
        int xa = qa * Factor, xb = qb == qw - 1 ? width : (qb + 1) * Factor;
        Span<float> acc = stackalloc float[qb - qa + 1];
        acc.Clear();
        ref float wr = ref MemoryMarshal.GetArrayDataReference(WeightedR);
        ref float wg = ref MemoryMarshal.GetArrayDataReference(WeightedG);
        ref float wb = ref MemoryMarshal.GetArrayDataReference(WeightedB);
        for (int y = y0; y < y1; y++)
        {
            bool blockRow = y < y0 + Factor;
            // a row that differs does so within [xa, xb), which holds every row's changed columns
            bool changed = rows is not null ? rows.First[y] <= rows.Last[y]
                : !rgb.AsSpan(y * rowBytes + xa * 3, (xb - xa) * 3).SequenceEqual(previous.AsSpan(y * rowBytes + xa * 3, (xb - xa) * 3));
            if (!blockRow && !changed) continue;
            double added = 0, removed = 0;
            for (int qx = qa; qx <= qb; qx++)
            {
                int xe = qx == qw - 1 ? width : (qx + 1) * Factor;
                float a = acc[qx - qa];
                for (int x = qx * Factor, o = (y * width + x) * 3; x < xe; x++, o += 3)
                {
                    float l = Unsafe.Add(ref wr, rgb[o]) + Unsafe.Add(ref wg, rgb[o + 1]) + Unsafe.Add(ref wb, rgb[o + 2]);
                    a += l;
                    if (changed)
                    {
                        added += l;
                        removed += Unsafe.Add(ref wr, previous[o]) + Unsafe.Add(ref wg, previous[o + 1]) + Unsafe.Add(ref wb, previous[o + 2]);
                    }
                }
                if (blockRow) acc[qx - qa] = a;
            }
            if (changed) rowSums[y] = rowSums[y] - removed + added;
        }
        int ry = Math.Min(Factor, y1 - y0), rx = Math.Min(Factor, width); // Min(Factor, height), as a new plane divides
        for (int qx = qa; qx <= qb; qx++)
        {
            int cols = qx == qw - 1 ? width - qx * Factor : rx;
            data[qy * qw + qx] = acc[qx - qa] / (cols * ry);
        }
    }

    static float[] Weighted(float weight)
    {
        var table = new float[256];
        for (int i = 0; i < 256; i++) table[i] = weight * Linear[i];
        return table;
    }

    static float[] BuildLut()
    {
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = ColorMath.SrgbToLinear(i / 255f);
        return lut;
    }
}
