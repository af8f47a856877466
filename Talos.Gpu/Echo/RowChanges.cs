namespace Talos.Gpu.Echo;

/// <summary>
/// Where an interleaved 8-bit frame differs from the frame before, row by row: <see cref="First"/>[y] and
/// <see cref="Last"/>[y] are the byte offsets (within the row) of the row's first and last differing byte, and
/// <c>First &gt; Last</c> for a row that is the same. Found once per frame by ECHO's frame difference
/// (<see cref="QualityMeter.Measure(int, byte[], byte[], LumaPlane?, int, int, LumaPlane?, out LumaPlane, out RowChanges?)"/>)
/// and read by what it makes from the frame before's (<see cref="LumaPlane"/>, the temporal checks' proxies) instead of
/// comparing the two frames again: exactly what those comparisons find.
/// </summary>
public sealed class RowChanges
{
    public RowChanges(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        First = new int[rows];
        Last = new int[rows];
    }

    public int[] First { get; }
    public int[] Last { get; }
    public int Rows => First.Length;

    /// <summary>The spans of <paramref name="rgb"/> against <paramref name="previous"/> (rows of <paramref name="rowBytes"/> bytes), byte by byte.</summary>
    public static RowChanges Between(byte[] rgb, byte[] previous, int rowBytes)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        ArgumentNullException.ThrowIfNull(previous);
        if (rowBytes <= 0 || rgb.Length != previous.Length || rgb.Length % rowBytes != 0) throw new ArgumentException("the frames differ in size or do not hold whole rows");
        var r = new RowChanges(rgb.Length / rowBytes);
        for (int y = 0; y < r.Rows; y++)
        {
            ReadOnlySpan<byte> a = rgb.AsSpan(y * rowBytes, rowBytes), b = previous.AsSpan(y * rowBytes, rowBytes);
            int first = a.CommonPrefixLength(b);
            if (first == rowBytes) { (r.First[y], r.Last[y]) = (rowBytes, -1); continue; }
            int last = rowBytes - 1;
            while (a[last] == b[last]) last--;
            (r.First[y], r.Last[y]) = (first, last);
        }
        return r;
    }
}
