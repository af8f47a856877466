using System.Numerics;
using Talos.Gpu.Imaging;

namespace Talos.Gpu.Raygen;

/// <summary>The rectangle [X0,X1)×[Y0,Y1) holding every pixel of a layer with alpha above zero.</summary>
readonly record struct AlphaBounds(int X0, int Y0, int X1, int Y1)
{
    public int Width => X1 - X0;
    public int Height => Y1 - Y0;

    public static bool Find(RgbaImage layer, out AlphaBounds bounds)
    {
        int w = layer.Width, h = layer.Height;
        var a = layer.A;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++)
        {
            var row = a.AsSpan(y * w, w);
            int first = FirstPositive(row);
            if (first < 0) continue;
            int last = LastPositive(row);
            if (y0 == h) y0 = y;
            y1 = y;
            x0 = Math.Min(x0, first); x1 = Math.Max(x1, last);
        }
        bounds = new AlphaBounds(x0, y0, x1 + 1, y1 + 1);
        return y1 >= 0;
    }

    /// <summary>The first index holding a value above zero (NaN is not), or −1; vectorised (most of a layer's rows are empty).</summary>
    static int FirstPositive(ReadOnlySpan<float> row)
    {
        int x = 0, n = Vector<float>.Count;
        for (; x + n <= row.Length; x += n)
            if (Vector.GreaterThanAny(new Vector<float>(row.Slice(x, n)), Vector<float>.Zero)) break;
        for (; x < row.Length; x++) if (row[x] > 0f) return x;
        return -1;
    }

    /// <summary>The last index holding a value above zero, or −1.</summary>
    static int LastPositive(ReadOnlySpan<float> row)
    {
        int x = row.Length, n = Vector<float>.Count;
        for (; x - n >= 0; x -= n)
            if (Vector.GreaterThanAny(new Vector<float>(row.Slice(x - n, n)), Vector<float>.Zero)) break;
        for (x--; x >= 0; x--) if (row[x] > 0f) return x;
        return -1;
    }

    /// <summary>Grown by m pixels on every side and clipped to w×h.</summary>
    public AlphaBounds Grow(int m, int w, int h) =>
        new(Math.Max(0, X0 - m), Math.Max(0, Y0 - m), Math.Min(w, X1 + m), Math.Min(h, Y1 + m));
}
